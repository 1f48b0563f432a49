"""What a store refuses: "too large" (HTTP 413, Virtuoso's SP030 memory error) splits the
batch, once for the whole load; a hint to run again only where that can succeed; graph
names checked before they enter any request."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.errors import UsageError
from kg.stores.embedded import count_graph, open_store
from kg.stores.endpoints import derive_endpoints
from kg.stores.remote import RemoteStore

A = "<http://ex.org/a> <http://ex.org/p> "
SP030 = (
    "Virtuoso 37000 Error SP030: SPARQL compiler, line 4991: memory exhausted at "
    "'<http://www.w3.org/2001/XMLSchema#gYear>' before '.'"
)
RERUN = "run the same command again"


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def many(tmp_path: Path) -> Path:
    path = tmp_path / "many.nt"
    path.write_text("".join(A + f'"{i}" .\n' for i in range(400)), encoding="utf-8")
    return path


@pytest.mark.parametrize("status", [400, 500])
def test_virtuosos_memory_error_splits_the_batch_as_a_413_does(
    proxy,  # noqa: ANN001
    oxigraph_server,  # noqa: ANN001
    many: Path,
    status: int,
) -> None:
    """Virtuoso answers an INSERT DATA of some 5,000 triples or more with SP030 "memory
    exhausted" (HTTP 400 or 500): nothing was applied, so the batch goes in halves; the
    rest of the load goes in parts that fit, not refused again batch by batch."""
    proxy.faults.max_body = 5_000  # about 100 of these triples a request
    proxy.faults.too_large = (status, SP030)
    result = kg("load", str(many), "--endpoint", proxy.query, "--method", "update")
    assert result.exit_code == 0, result.stderr
    assert "400 read; the store holds 400: verified" in result.stderr
    assert proxy.faults.refused == 2  # 400 triples refused, then 200; then parts of 100
    small = kg(
        *("load", str(many), "--endpoint", proxy.query, "--method", "update"),
        *("--batch-size", "50"),
    )
    assert small.exit_code == 0 and proxy.faults.refused == 2  # batches that fit: no refusal


def test_a_syntax_error_is_no_reason_to_split(proxy, many: Path) -> None:  # noqa: ANN001
    """SP030 alone is any SPARQL syntax error: only "memory exhausted" means too large; a
    refusal that a run again would meet again gets no hint to run again."""
    proxy.faults.max_body = 1_000  # the DROP passes, the INSERT DATA is refused
    proxy.faults.too_large = (400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax")
    result = kg("load", str(many), "--endpoint", proxy.query, "--method", "update")
    assert result.exit_code == 4
    assert "HTTP 400 from the store: Virtuoso 37000 Error SP030" in result.stderr
    assert proxy.faults.refused == 1  # not split
    assert RERUN not in result.stderr


def test_a_single_triple_too_large_gets_no_hint_to_run_again(proxy, many: Path) -> None:  # noqa: ANN001
    proxy.faults.max_body = 10
    result = kg("load", str(many), "--endpoint", proxy.query, "--method", "gsp")
    assert result.exit_code == 4
    assert "refuses even a single triple as too large" in result.stderr
    assert RERUN not in result.stderr and "Traceback" not in result.stderr


def test_a_server_error_mid_load_hints_to_run_again(proxy, many: Path) -> None:  # noqa: ANN001
    proxy.faults.fail_write = 3
    args = ["load", str(many), "--endpoint", proxy.query, "--method", "gsp", "--batch-size", "100"]
    result = kg(*args)
    assert result.exit_code == 4
    assert f"Hint: {RERUN}" in result.stderr
    proxy.reset()
    assert kg(*args).exit_code == 0  # and it does succeed


BAD = "http://ex.org/a graph> } ; DROP ALL ; #"


def test_graph_names_are_checked_before_any_request() -> None:
    """Every way a graph name reaches SPARQL text or a request checks it first: nothing
    listens on port 9, so a request would fail otherwise."""
    with RemoteStore(derive_endpoints("http://127.0.0.1:9/query"), timeout=1) as remote:
        for call in (
            lambda: remote.count(BAD),
            lambda: remote.drop(BAD),
            lambda: remote.gsp("PUT", BAD, b""),
        ):
            with pytest.raises(UsageError, match="not an absolute IRI"):
                call()


def test_the_embedded_count_checks_the_graph_name(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    with pytest.raises(UsageError, match="not an absolute IRI"):
        count_graph(store, BAD)
