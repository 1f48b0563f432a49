"""The application of ``kg serve`` in-process (httpx's ASGI transport), for what is quicker
to check without a server: negotiation, IRIs with encoded characters, another base, the
private nodes of a node, the query page's examples."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pyoxigraph as ox
import pytest
from starlette.applications import Starlette

from kg.serve.app import create_app, library_examples
from kg.serve.rdf import description, exists, matches, negotiate, parse_accept


class InProcess:
    """Requests to the application in this process (Starlette's own test client wants
    httpx2 from Starlette 1.x on)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


BASE = "https://example.org/kg/"
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
DOI = ox.NamedNode("http://prismstandard.org/namespaces/basic/2.0/doi")
PART = ox.NamedNode("http://purl.org/vocab/frbr/core#part")
G = ox.NamedNode(BASE + "graph/test")


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + path)


@pytest.fixture
def store() -> ox.Store:
    s = ox.Store()
    work, other = node("doi/10.1000/abc"), node("doi/10.1000/abc/def")
    s.extend(
        [
            ox.Quad(work, TITLE, ox.Literal("A work"), G),
            ox.Quad(work, DOI, ox.Literal("10.1000/abc"), G),
            ox.Quad(work, PART, node("doi/10.1000/abc/reference/1"), G),
            ox.Quad(node("doi/10.1000/abc/reference/1"), TITLE, ox.Literal("ref"), G),
            # a DOI under another DOI: a work of its own, not private to the first
            ox.Quad(work, PART, other, G),
            ox.Quad(other, DOI, ox.Literal("10.1000/abc/def"), G),
            ox.Quad(node("journal/x/volume/4%2F5"), TITLE, ox.Literal("vol 4/5"), G),
            ox.Quad(node("doi/10.1000/x.ttl"), TITLE, ox.Literal("a DOI ending .ttl"), G),
        ]
    )
    return s


def test_negotiate() -> None:
    offers = ["text/html", "text/turtle", "application/ld+json"]
    assert negotiate(None, offers) == "text/html"
    assert negotiate("*/*", offers) == "text/html"
    assert negotiate("text/turtle;q=0.9, text/html;q=0.8", offers) == "text/turtle"
    assert negotiate("application/json", offers) == "application/ld+json"
    assert negotiate("text/*, text/html;q=0", offers) == "text/turtle"
    assert negotiate("image/png", offers) is None
    assert negotiate("text/turtle;q=0", offers) is None
    assert parse_accept("a/b;q=x, c/d") == [("a/b", 0.0), ("c/d", 1.0)]
    assert matches('W/"x", "y"', '"x"') and matches("*", '"z"') and not matches('"y"', '"x"')


def test_private_nodes_stop_at_a_node_with_its_own_doi(store: ox.Store) -> None:
    got = {t.subject.value for t in description(store, BASE + "doi/10.1000/abc")}
    assert got == {BASE + "doi/10.1000/abc", BASE + "doi/10.1000/abc/reference/1"}


def test_another_base_and_encoded_iris(store: ox.Store) -> None:
    client = InProcess(create_app(store, BASE))
    r = client.get("/journal/x/volume/4%2F5", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert f"<{BASE}journal/x/volume/4%2F5>" in r.text
    # a node whose IRI ends in a suffix is that node, not a format
    r = client.get("/doi/10.1000/x.ttl", headers={"Accept": "application/n-triples"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert "a DOI ending .ttl" in r.text
    r = client.get("/doi/10.1000/abc.nt")
    assert r.headers["content-type"].startswith("application/n-triples")
    assert "Vary" not in r.headers
    assert client.get("/a|b^c").status_code == 404
    assert not exists(store, BASE + "a b<c>")  # not an IRI: no node
    r = client.get("/doi/10.1000/ABC")
    assert r.status_code == 303 and r.headers["location"] == "/doi/10.1000/abc"


def test_sparql_page_and_errors(store: ox.Store) -> None:
    client = InProcess(create_app(store, BASE))
    r = client.post("/sparql", content="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400
    r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.json() == {"head": {}, "boolean": True}


def test_examples_are_the_library_with_defaults_bound() -> None:
    from kg.query.library import library

    examples = {name: text for name, _, text in library_examples()}
    lib = library()
    assert "retracted-articles" in examples
    for name, q in lib.items():
        if any(p.required for p in q.params) or q.one_of:
            assert name not in examples
    for text in examples.values():
        ox.Store().query(text)  # each one parses


def test_a_page_that_fails_is_a_500_page(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    import kg.serve.pages

    def broken(*args: Any) -> str:  # as a page's bug would
        raise RuntimeError("broken")

    monkeypatch.setattr(kg.serve.pages, "home_page", broken)
    logging.getLogger("kg.serve").disabled = True
    try:
        r = InProcess(create_app(store, BASE)).get("/", headers={"Accept": "text/html"})
    finally:
        logging.getLogger("kg.serve").disabled = False
    assert r.status_code == 500
    assert "This page failed" in r.text
