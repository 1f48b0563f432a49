"""kg query as a user meets it: exit codes, --help for one query, tables that fit, formats
that are never cut, a closed pipe, and an endpoint given as the same URL as kg load's."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.library import library
from kg.query.results import display_width, share
from kg.stores.load import load

LIBRARY = library()
BROKEN_RQ = "# title: broken\nSELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}\n"
# many rows from little data (each triple of data/ paired with each other), for the pipe
MANY_ROWS = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 20000"


def kg(*args: str, stdin: str | None = None) -> object:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def store(built_ttl: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built and loaded into an embedded store."""
    path = tmp_path_factory.mktemp("store") / "store"
    load([built_ttl], store=path)
    return path


@pytest.fixture(autouse=True)
def no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def _rq(tmp: Path, text: str) -> str:
    path = tmp / "q.rq"
    path.write_text(text, encoding="utf-8")
    return str(path)


# (what, arguments ({store}, {rq}: filled in), exit code, what the Error line says)
CODES = [
    ("runs", ["works-per-year", "--store", "{store}"], 0, None),
    ("ASK true", ["ASK { ?s ?p ?o }", "--store", "{store}"], 0, None),
    ("ASK false", ["ASK { ?s a <http://example.org/None> }", "--store", "{store}"], 1, None),
    ("no query", ["--store", "{store}"], 2, "give a QUERY"),
    ("unknown query", ["no-such-query", "--store", "{store}"], 2, "is not a library query"),
    (
        "unknown parameter",
        ["works-per-year", "-p", "nope=1", "--store", "{store}"],
        2,
        "unknown parameter 'nope'",
    ),
    ("not NAME=VALUE", ["works-per-year", "-p", "from", "--store", "{store}"], 2, "NAME=VALUE"),
    (
        "missing required parameter",
        ["articles-by-issn", "--store", "{store}"],
        2,
        "parameter 'issn' is required",
    ),
    (
        "missing one of",
        ["article-description", "--store", "{store}"],
        2,
        "give one of the parameters article, doi",
    ),
    (
        "value not of its type",
        ["articles-by-issn", "-p", "issn=12", "--store", "{store}"],
        2,
        "is not an ISSN",
    ),
    ("unknown format", ["works-per-year", "--format", "xml", "--store", "{store}"], 2, "'xml'"),
    (
        "graph format for rows",
        ["works-per-year", "--format", "ttl", "--store", "{store}"],
        2,
        "a SELECT query gives rows, not a graph",
    ),
    (
        "graph format for ASK",
        ["ASK { ?s ?p ?o }", "--format", "nt", "--store", "{store}"],
        2,
        "an ASK query gives true or false",
    ),
    (
        "syntax error in text",
        ["SELECT * WHERE { ?s ?p }", "--store", "{store}"],
        2,
        "the query text: not valid SPARQL: line 1, column",
    ),
    ("syntax error in a file", ["{rq}", "--store", "{store}"], 2, "q.rq: not valid SPARQL: line "),
    ("no such .rq file", ["missing.rq", "--store", "{store}"], 2, "missing.rq: cannot read"),
    (
        "timeout 0",
        ["works-per-year", "--timeout", "0", "--endpoint", "http://127.0.0.1:9/q"],
        2,
        "",
    ),
    # what the command says is checked before any store is opened
    (
        "usage before store",
        ["works-per-year", "-p", "nope=1", "--store", "{rq}.nothing"],
        2,
        "unknown parameter",
    ),
    (
        "syntax before store",
        ["{rq}", "--store", "{rq}.nothing"],
        2,
        "not valid SPARQL",
    ),
    ("no store", ["works-per-year", "--store", "{rq}.nothing"], 4, "there is no kg store here"),
    (
        "unreachable endpoint",
        ["works-per-year", "--endpoint", "http://127.0.0.1:{port}/query"],
        4,
        "cannot reach the store (connection refused)",
    ),
]


@pytest.mark.parametrize("args, code, message", [c[1:] for c in CODES], ids=[c[0] for c in CODES])
def test_exit_codes(
    args: list[str], code: int, message: str | None, store: Path, tmp_path: Path
) -> None:
    from servers import free_port

    rq = _rq(tmp_path, BROKEN_RQ)
    fill = {"{store}": str(store), "{rq}": rq, "{port}": str(free_port())}
    filled = []
    for a in args:
        for key, value in fill.items():
            a = a.replace(key, value)
        filled.append(a)
    result = kg("query", *filled)
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and message in errors[0], result.stderr


# -- kg query NAME --help ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_help_of_a_query_lists_its_parameters_and_example(name: str) -> None:
    q = LIBRARY[name]
    result = kg("query", name, "--help")
    assert result.exit_code == 0
    out = "".join(result.stdout.split())  # the help is wrapped to the width

    def said(text: str) -> bool:
        return "".join(text.split()) in out

    assert said(f"{name}: {q.title}")
    for p in q.params:
        flag = "required" if p.required else f"default {p.default}" if p.default else "optional"
        assert said(f"{p.name} {p.type}, {flag}: {p.description}")
    for group in q.one_of:
        assert said(f"Give at least one of: {', '.join(group)}.")
    assert said(q.examples[0])
    assert said("--param NAME=VALUE")  # the options are still there


def test_help_after_options_and_of_a_file(tmp_path: Path) -> None:
    by_name = kg(
        "query", "-p", "ror=00a45v709", "--format", "csv", "--help", "retractions-by-institution"
    )
    assert "ror ror, required: the institution's ROR id" in " ".join(by_name.stdout.split())
    rq = _rq(tmp_path, "# title: Mine\n# param: n integer default=2 -- how many\nASK {}\n")
    of_file = kg("query", rq, "--help")
    assert "q: Mine" in of_file.stdout and "n  integer, default 2: how many" in of_file.stdout


def test_help_without_a_query_or_with_an_unknown_one() -> None:
    plain = kg("query", "--help")
    assert plain.exit_code == 0 and "Run a SPARQL query" in plain.stdout
    unknown = kg("query", "no-such-query", "--help")
    assert unknown.exit_code == 0 and "Run a SPARQL query" in unknown.stdout
    assert "'no-such-query' is not a library query" in unknown.stdout


# -- tables fit, other formats are whole -------------------------------------------------------
LONG = "SELECT ?title ?iri WHERE { ?iri <http://purl.org/dc/terms/title> ?title } ORDER BY ?iri"


def test_a_piped_table_is_not_cut(store: Path) -> None:
    result = kg("query", LONG, "--store", str(store), "--format", "table")
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 120


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_a_table_honours_columns(
    store: Path, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = kg("query", LONG, "--store", str(store), "--format", "table")
    lines = result.stdout.splitlines()
    assert max(display_width(line) for line in lines) <= columns
    assert "…" in result.stdout and lines[-1].endswith("rows)")


def test_a_table_fits_the_terminal(store: Path) -> None:
    """On a real terminal (a pseudo-terminal 70 columns wide), no $COLUMNS."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 70, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "query", LONG, "--store", str(store)],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    lines = b"".join(chunks).decode("utf-8").replace("\r\n", "\n").splitlines()
    assert lines[0].split() == ["title", "iri"]  # a table is the default on a terminal
    assert max(display_width(line) for line in lines) <= 70
    assert any(line.rstrip().endswith("…") for line in lines)


def test_columns_share_the_room_fairly() -> None:
    assert share([5, 50, 200], 300) == [5, 50, 200]  # room for all: nothing cut
    assert share([5, 50, 200], 100) == [5, 48, 47]  # the narrow one whole, the rest split
    assert share([30, 30, 30], 61) == [21, 20, 20]
    assert share([10, 10], 2) == [3, 3]  # never narrower than 3 columns


def test_wide_characters_count_twice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "w.nt"
    data.write_text(
        '<http://example.org/a> <http://example.org/t> "学術論文の撤回に関する研究報告書" .\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("COLUMNS", "20")
    out = kg("query", "SELECT ?t WHERE { ?s ?p ?t }", "--data", str(data), "--format", "table")
    assert max(display_width(line) for line in out.stdout.splitlines()) <= 20
    assert "学術論文の撤回に関" in out.stdout and "…" in out.stdout


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl"])
def test_other_formats_are_never_cut(
    store: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = kg("query", LONG, "--store", str(store), "--format", fmt)
    assert result.exit_code == 0 and "…" not in result.stdout
    assert (
        "Cluster management model of the region development as the basis for ensuring"
        in result.stdout
    )


def test_tsv_has_plain_names_and_values(store: Path) -> None:
    result = kg("query", "works-per-year", "--store", str(store), "--format", "tsv")
    lines = result.stdout.splitlines()
    assert lines[0] == "year\tworks\tretractedWorks"
    assert "2015\t" in result.stdout and "^^" not in result.stdout


def test_tsv_escapes_tabs_and_line_breaks(tmp_path: Path) -> None:
    data = tmp_path / "t.nt"
    data.write_text(
        '<http://example.org/a> <http://example.org/t> "one\\ttwo\\nthree \\\\ four" .\n',
        encoding="utf-8",
    )
    result = kg("query", "SELECT ?t WHERE { ?s ?p ?t }", "--data", str(data), "--format", "tsv")
    assert result.stdout == "t\none\\ttwo\\nthree \\\\ four\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "table"])
def test_a_graph_as_rows(built_ttl: Path, fmt: str) -> None:
    result = kg(
        "query",
        "article-description",
        "-p",
        "doi=10.1162/qss_a_00292",
        "--data",
        str(built_ttl),
        "--format",
        fmt,
    )
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert {"subject", "predicate", "object"} == set(rows[0])
        assert any(r["object"] == "10.1162/qss_a_00292" for r in rows)
    elif fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["head"]["vars"] == ["subject", "predicate", "object"]
    else:
        assert "subject" in result.stdout.splitlines()[0] or fmt == "jsonl"


# -- a closed pipe -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, fmt",
    [
        (MANY_ROWS, "csv"),
        (MANY_ROWS, "table"),
        (MANY_ROWS, "json"),
        ("CONSTRUCT { ?s ?p ?x } WHERE { ?s ?p ?o . ?a ?b ?x } LIMIT 20000", "nt"),
    ],
)
def test_a_closed_pipe_ends_quietly(built_ttl: Path, query: str, fmt: str) -> None:
    """As ``kg query ... | head -1``: far more output than a pipe holds, one line read."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "query", query, "--data", str(built_ttl), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0 and err == ""


# -- an endpoint: the URL kg load takes, the timeout it keeps -------------------------------------
def test_credentials_in_the_endpoint_url(proxy, built_ttl: Path) -> None:  # noqa: ANN001
    proxy.faults.auth = "basic"
    url = proxy.query.replace("http://", "http://kg:s3cret@")
    loaded = kg("load", str(built_ttl), "--endpoint", url)
    assert loaded.exit_code == 0, loaded.stderr
    result = kg("query", "works-per-year", "--endpoint", url, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "2015,1,1" in result.stdout.replace("\r\n", "\n")  # the seed
    wrong = url.replace("s3cret", "wrong")
    refused = kg("query", "works-per-year", "--endpoint", wrong)
    assert refused.exit_code == 4 and "refused the credentials" in refused.stderr
    assert "wrong" not in refused.stderr  # the password is never shown
    assert set(proxy.faults.seen_auth) == {"Basic"}


def test_a_fractional_timeout_is_kept() -> None:
    from servers import SilentServer

    server = SilentServer()
    try:
        result = kg("query", "works-per-year", "--endpoint", server.query, "--timeout", "0.5")
    finally:
        server.stop()
    assert result.exit_code == 4
    assert "no answer within 0.5 s" in result.stderr and "Traceback" not in result.stderr
