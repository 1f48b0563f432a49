"""The options that reach a remote store, the same for kg query, kg load and kg drop."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import SilentServer

from kg.cli import cli


def kg(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_kg_query_through_a_url_with_credentials(oxigraph_server, built_ttl: Path) -> None:  # noqa: ANN001
    url = oxigraph_server.query.replace("http://", "http://kg:s3cret@")
    loaded = kg("load", str(built_ttl), "--endpoint", url)
    assert loaded.exit_code == 0, loaded.stderr
    result = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--endpoint", url)
    assert result.exit_code == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 300  # the union of the named graphs
    for r in (loaded, result):
        assert "s3cret" not in r.stdout + r.stderr
    assert f"store at {oxigraph_server.query} " in loaded.stderr  # shown without them


def test_messages_never_show_the_password() -> None:
    from servers import free_port

    url = f"http://kg:s3cret@127.0.0.1:{free_port()}/query"
    for args in (["query", "ASK {}"], ["drop", "--graph", "http://g"]):
        result = kg(*args, "--endpoint", url)
        assert result.exit_code == 4 and "cannot reach the store" in result.stderr
        assert "s3cret" not in result.stderr + result.stdout


def test_a_fraction_of_a_second_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.stores import sparql

    monkeypatch.setattr(sparql, "RETRIES", 1)  # one attempt: time it alone
    server = SilentServer()
    try:
        started = time.monotonic()
        result = kg("query", "ASK {}", "--endpoint", server.query, "--timeout", "0.5")
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert result.exit_code == 4
    assert f"POST {server.query}: no answer within 0.5 s" in result.stderr
    assert 0.5 <= elapsed < 2.0


@pytest.mark.parametrize("timeout", ["0", "-1"])
@pytest.mark.parametrize("command", [["query", "ASK {}"], ["drop", "--graph", "http://g"]])
def test_a_timeout_of_zero_is_a_usage_error(command: list[str], timeout: str) -> None:
    result = kg(*command, "--endpoint", "http://127.0.0.1:9/query", "--timeout", timeout)
    assert result.exit_code == 2
    assert "Invalid value for '--timeout': must be more than 0 seconds" in result.stderr
