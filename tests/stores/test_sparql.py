"""The one SPARQL protocol client: timeout, credentials in the URL, retries, messages."""

from __future__ import annotations

import time

import pytest
from servers import SilentServer

from kg.errors import StoreError, UsageError
from kg.stores.endpoints import Auth, derive_endpoints, safe_url, without_credentials
from kg.stores.sparql import RETRIES, Rejected, SparqlClient


def test_safe_url_drops_the_credentials() -> None:
    url = "http://kg:s3cret@127.0.0.1:7878/query?x=1"
    assert safe_url(url) == "http://127.0.0.1:7878/query"
    assert without_credentials(url) == "http://127.0.0.1:7878/query?x=1"


def test_credentials_in_the_url_are_basic_auth() -> None:
    auth = Auth().for_url("http://kg:s%40cret@h/query")
    assert (auth.kind, auth.user, auth.password) == ("basic", "kg", "s@cret")
    given = Auth.from_options("bearer", None, None, "t0ken")
    assert given.for_url("http://kg:s3cret@h/query") is given  # options win


def test_the_timeout_is_a_fraction_of_a_second_and_enforced() -> None:
    server = SilentServer()
    try:
        with SparqlClient(derive_endpoints(server.query), timeout=0.5) as client:
            assert client.client.timeout.read == 0.5
            started = time.monotonic()
            with pytest.raises(StoreError) as err:
                client.query("ASK {}", "ASK")
            elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert "no answer within 0.5 s" in err.value.message
    # a read is tried RETRIES times, each cut after 0.5 s (with 0.5 s, 1 s between)
    assert len(server.accepted) == RETRIES
    assert RETRIES * 0.5 <= elapsed < RETRIES * 0.5 + 1.5 + 2.0


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_no_timeout_is_not_a_timeout(timeout: float) -> None:
    with pytest.raises(UsageError):
        SparqlClient(derive_endpoints("http://127.0.0.1:9/query"), timeout=timeout)


def test_an_update_is_sent_once(oxigraph_server) -> None:  # noqa: ANN001
    server = SilentServer()
    try:
        with SparqlClient(derive_endpoints(server.query), timeout=0.3) as client:
            with pytest.raises(StoreError, match=r"POST http://127\.0\.0\.1:\d+/update: no answer"):
                client.update("CLEAR ALL", what="CLEAR ALL")
    finally:
        server.stop()
    assert len(server.accepted) == 1


def test_a_query_through_a_url_with_credentials(oxigraph_server) -> None:  # noqa: ANN001
    url = oxigraph_server.query.replace("http://", "http://kg:s3cret@")
    with SparqlClient(derive_endpoints(url)) as client:
        assert client.query("ASK {}", "ASK") == {"head": {}, "boolean": True}
        assert client.select("SELECT (1 AS ?one) {}") == [{"one": "1"}]
        with pytest.raises(Rejected) as err:
            client.query("SELECT nonsense", "SELECT")
    assert "s3cret" not in err.value.message
