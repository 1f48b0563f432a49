"""Virtuoso 7.2 for real (Debian's virtuoso-opensource-7-bin), with kg's defaults: load,
load again (the same counts), query, list and drop, through the Digest-authenticated
/sparql-auth. Skipped, with the reason, where virtuoso-t is not installed."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.stores.load import load

ROOT = Path(__file__).resolve().parents[2]
GRAPH = "https://example.org/kg/graph/works.jsonl"


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def auth(user: str = "dba", password: str = "dba") -> list[str]:
    return ["--auth", "digest", "--user", user, "--password", password]


@pytest.fixture(scope="module")
def works(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated works (bench/generate.py) built to N-Quads: some 25,000 triples, five
    times what Virtuoso's SPARQL parser takes in one INSERT DATA."""
    from kg.build.pipeline import build

    folder = tmp_path_factory.mktemp("works")
    records = folder / "works.jsonl"
    generate = [sys.executable, str(ROOT / "bench" / "generate.py"), "300", "-o", str(records)]
    subprocess.run(generate, check=True, capture_output=True)
    out = folder / "works.nq"
    build([records], out, validate=False)
    return out


def csv_rows(text: str) -> list[list[str]]:
    """The rows, in order, each cell's "; "-joined values in order (GROUP_CONCAT has none)."""
    return sorted(
        ["; ".join(sorted(c.split("; "))) for c in r] for r in csv.reader(io.StringIO(text))
    )


def test_the_defaults_load_reload_and_query(virtuoso, works: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """The default method (the Graph Store endpoint, found by a GET: Virtuoso answers
    HEAD with 501) and batch size load; a second load replaces the graph with the same
    count; kg's queries give what they give over the embedded store."""
    args = ["load", str(works), "--endpoint", virtuoso.query, *auth()]
    first = kg(*args)
    assert first.exit_code == 0, first.stderr
    assert "(Graph Store Protocol)" in first.stderr
    assert "the store holds" in first.stderr and ": verified" in first.stderr
    again = kg(*args)
    assert again.exit_code == 0, again.stderr
    total = [ln for ln in first.stderr.splitlines() if ln.startswith("Total:")]
    assert total == [ln for ln in again.stderr.splitlines() if ln.startswith("Total:")]
    store = tmp_path / "store"
    embedded = load([works], store=store)
    assert f"Total: {embedded.triples} triples in 1 graph(s)" in total[0]
    for name in ("retracted-articles", "works-per-year", "institutions-by-output"):
        remote = kg("query", name, "--endpoint", virtuoso.query, *auth(), "--format", "csv")
        local = kg("query", name, "--store", str(store), "--format", "csv")
        assert remote.exit_code == local.exit_code == 0, remote.stderr
        assert csv_rows(remote.stdout) == csv_rows(local.stdout)
        assert len(csv_rows(local.stdout)) > 1


def test_sparql_update_splits_what_virtuoso_cannot_parse(virtuoso, works: Path) -> None:  # noqa: ANN001
    """An INSERT DATA of 50,000 triples (the default batch) is more than Virtuoso's SPARQL
    parser takes (SP030 "memory exhausted", HTTP 400): kg halves the batch until it
    passes and sends the rest in parts that fit; no hint to run again."""
    result = kg(*("load", str(works), "--endpoint", virtuoso.query, *auth(), "--method", "update"))
    assert result.exit_code == 0, result.stderr
    assert "(SPARQL Update)" in result.stderr and ": verified" in result.stderr


def test_graphs_and_drop(virtuoso, works: Path) -> None:  # noqa: ANN001
    assert kg("load", str(works), "--endpoint", virtuoso.query, *auth()).exit_code == 0
    listed = kg("graphs", "--endpoint", virtuoso.query, *auth())
    assert listed.exit_code == 0, listed.stderr
    [row] = [line.split() for line in listed.stdout.splitlines() if GRAPH in line]
    assert row[1:] == [GRAPH, "works.jsonl"] and int(row[0]) > 20_000
    dropped = kg("drop", "--graph", GRAPH, "--endpoint", virtuoso.query, *auth())
    assert dropped.exit_code == 0 and f"({row[0]} triples)" in dropped.stderr
    listed = kg("graphs", "--endpoint", virtuoso.query, *auth())
    assert GRAPH not in listed.stdout


def test_a_user_needs_the_sparql_update_role(virtuoso, works: Path) -> None:  # noqa: ANN001
    """A user other than dba reads through /sparql-auth with SPARQL_SELECT and may load
    once granted SPARQL_UPDATE (in isql); before, kg's hint says so."""
    isql = shutil.which("isql-vt")
    if isql is None:
        pytest.skip("isql-vt is not installed (Debian: virtuoso-opensource-7-bin)")

    def sql(statement: str) -> None:
        subprocess.run(
            [isql, str(virtuoso.sql_port), "dba", "dba", f"exec={statement}"],
            check=True,
            capture_output=True,
        )

    sql("DB.DBA.USER_CREATE('kg', 'kgpass'); GRANT SPARQL_SELECT TO \"kg\";")
    args = ["load", str(works), "--endpoint", virtuoso.query, *auth("kg", "kgpass")]
    refused = kg(*args)
    assert refused.exit_code == 4
    assert "the store refused the credentials (HTTP 403)" in refused.stderr
    assert 'GRANT SPARQL_UPDATE TO "user"' in refused.stderr
    sql('GRANT SPARQL_UPDATE TO "kg";')
    loaded = kg(*args)
    assert loaded.exit_code == 0, loaded.stderr


def test_digest_credentials_in_the_endpoint_url(virtuoso, works: Path) -> None:  # noqa: ANN001
    """`--auth digest` with user:password only in the URL, for load and query alike."""
    url = virtuoso.query.replace("http://", "http://dba:dba@", 1)
    loaded = kg("load", str(works), "--endpoint", url, "--auth", "digest")
    assert loaded.exit_code == 0, loaded.stderr
    asked = kg("query", "ASK { ?s ?p ?o }", "--endpoint", url, "--auth", "digest")
    assert asked.exit_code == 0, asked.stderr
    assert "true" in asked.stdout
    wrong = kg(
        "load", str(works), "--endpoint", url.replace("dba:dba", "dba:nope"), "--auth", "digest"
    )
    assert wrong.exit_code == 4
    assert "nope" not in wrong.stderr  # a password is never shown
