"""The SPARQL 1.1 Protocol of ``kg serve``, asked by real clients (SPARQLWrapper, rdflib's
SPARQLStore, httpx) of a real server: every result format, both kinds of POST, GRAPH,
updates refused, syntax errors, and a query that runs out of time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from kgserve import BASE, KgServer

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
RETRACTED = f"<{BASE}doi/10.1000/retracted.1>"


def store_count(store: ox.Store) -> int:
    for row in store.query(COUNT, use_default_graph_as_union=True):  # type: ignore[union-attr]
        return int(row[0].value)
    raise AssertionError


def store_graphs(store: ox.Store) -> dict[str, int]:
    rows = store.query(GRAPHS)
    return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]


def endpoint(server: KgServer) -> str:
    return server.url + "sparql"


def test_sparqlwrapper_select_in_every_format(server: KgServer, served_store: ox.Store) -> None:
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    n = store_count(served_store)
    sw = SPARQLWrapper(endpoint(server))
    sw.setQuery(COUNT)
    sw.setReturnFormat(JSON)
    assert int(sw.query().convert()["results"]["bindings"][0]["n"]["value"]) == n
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert doc.getElementsByTagName("literal")[0].firstChild.data == str(n)
    sw.setReturnFormat(CSV)
    assert list(csv.reader(io.StringIO(sw.query().convert().decode()))) == [["n"], [str(n)]]
    sw.setReturnFormat(TSV)
    assert sw.query().convert().decode().splitlines()[0] == "?n"


def test_sparqlwrapper_ask_construct_and_post(server: KgServer, served_store: ox.Store) -> None:
    from rdflib import Graph
    from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(endpoint(server))
    sw.setReturnFormat(JSON)
    sw.setQuery(f"ASK {{ {RETRACTED} ?p ?o }}")
    assert sw.query().convert()["boolean"] is True
    sw.setQuery("ASK { <urn:x:none> ?p ?o }")
    assert sw.query().convert()["boolean"] is False

    sw.setQuery(f"CONSTRUCT {{ {RETRACTED} ?p ?o }} WHERE {{ {RETRACTED} ?p ?o }}")
    sw.setReturnFormat(TURTLE)
    body = sw.query().convert()
    assert len(Graph().parse(data=body, format="turtle")) > 5  # rdflib reads it
    got = {(q.predicate, q.object) for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    want = {
        (q.predicate, q.object)
        for q in served_store.quads_for_pattern(ox.NamedNode(RETRACTED[1:-1]), None, None, None)
    }
    assert got == want

    for request_method in (POSTDIRECTLY, None):  # application/sparql-query, then the form
        sw = SPARQLWrapper(endpoint(server))
        sw.setMethod(POST)
        if request_method:
            sw.setRequestMethod(request_method)
        sw.setReturnFormat(JSON)
        sw.setQuery(COUNT)
        result = sw.query().convert()
        assert int(result["results"]["bindings"][0]["n"]["value"]) == store_count(served_store)


def test_rdflib_sparqlstore(server: KgServer, served_store: ox.Store) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(endpoint(server)))
    try:
        rows = list(graph.query(COUNT))
        assert int(rows[0][0]) == store_count(served_store)  # type: ignore[index]
        titles = graph.query(
            "SELECT ?t WHERE { ?w <http://purl.org/dc/terms/title> ?t } ORDER BY ?t LIMIT 3"
        )
        assert len(list(titles)) == 3
        assert graph.query(f"ASK {{ {RETRACTED} ?p ?o }}").askAnswer is True
        got = graph.query(f"CONSTRUCT {{ {RETRACTED} ?p ?o }} WHERE {{ {RETRACTED} ?p ?o }}")
        assert len(list(got)) == len(
            set(served_store.quads_for_pattern(ox.NamedNode(RETRACTED[1:-1]), None, None, None))
        )
    finally:
        graph.close()


def test_graph_reaches_each_named_graph(server: KgServer, served_store: ox.Store) -> None:
    want = store_graphs(served_store)
    assert len(want) > 3
    with httpx.Client() as client:
        r = client.post(
            endpoint(server),
            content=GRAPHS,
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        rows = r.json()["results"]["bindings"]
        assert {row["g"]["value"]: int(row["n"]["value"]) for row in rows} == want
        # default-graph-uri is honoured: one graph as the default graph
        g, n = next(iter(want.items()))
        r = client.get(
            endpoint(server),
            params={"query": COUNT, "default-graph-uri": g},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == n


def test_construct_formats_and_406(server: KgServer) -> None:
    query = f"CONSTRUCT {{ {RETRACTED} ?p ?o }} WHERE {{ {RETRACTED} ?p ?o }}"
    with httpx.Client() as client:
        for media_type, fmt in [
            ("text/turtle", ox.RdfFormat.TURTLE),
            ("application/n-triples", ox.RdfFormat.N_TRIPLES),
            ("application/ld+json", ox.RdfFormat.JSON_LD),
            ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ]:
            accept = {"Accept": media_type}
            r = client.get(endpoint(server), params={"query": query}, headers=accept)
            assert r.status_code == 200
            assert r.headers["content-type"].split(";")[0] == media_type
            assert len(list(ox.parse(r.content, format=fmt))) > 5
        r = client.get(endpoint(server), params={"query": query}, headers={"Accept": "text/csv"})
        assert r.status_code == 406
        r = client.get(endpoint(server), params={"query": COUNT, "format": "csv"})
        assert r.headers["content-type"].startswith("text/csv")


def test_updates_are_refused(server: KgServer, served_store: ox.Store) -> None:
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    with httpx.Client() as client:
        answers = [
            client.get(endpoint(server), params={"query": update}),
            client.post(endpoint(server), data={"update": update}),
            client.post(endpoint(server), data={"query": "PREFIX x: <urn:x:>\n" + update}),
            client.post(
                endpoint(server),
                content=update,
                headers={"Content-Type": "application/sparql-update"},
            ),
        ]
        for r in answers:
            assert r.status_code == 403
            assert "read-only" in r.text
        r = client.get(
            endpoint(server),
            params={"query": "ASK { <urn:x:a> ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.json()["boolean"] is False


def test_a_syntax_error_is_400_with_the_parsers_message(server: KgServer) -> None:
    with httpx.Client() as client:
        r = client.get(endpoint(server), params={"query": "SELECT ?x WHERE { ?x ?y }"})
        assert r.status_code == 400
        assert r.text.startswith("not valid SPARQL: error at 1:")
        r = client.get(endpoint(server), headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 400  # no query, and not a browser


def test_the_query_page(server: KgServer) -> None:
    with httpx.Client() as client:
        r = client.get(endpoint(server), headers={"Accept": "text/html"})
        assert r.status_code == 200
        assert "<textarea" in r.text and 'name="format"' in r.text
        assert "retracted-articles" in r.text  # a library query as an example
        # a query from a browser: the form again, the results as a table with links
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        query = f"SELECT ?p ?o WHERE {{ {RETRACTED} ?p ?o }}"
        r = client.get(endpoint(server), params={"query": query}, headers={"Accept": browser})
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "<table>" in r.text and "<textarea" in r.text
        assert '<a href="/doi/10.1000/retracted.1/status/retracted">' in r.text
        construct = f"CONSTRUCT {{ {RETRACTED} ?p ?o }} WHERE {{ {RETRACTED} ?p ?o }}"
        r = client.get(endpoint(server), params={"query": construct, "format": "html"})
        assert r.headers["content-type"].startswith("text/html")
        assert "<pre>" in r.text and "prism:doi" in r.text
        r = client.get(endpoint(server), params={"query": "ASK {}", "format": "html"})
        assert "<strong>true</strong>" in r.text
        # curl and other clients that take anything get JSON, not a page
        r = client.get(endpoint(server), params={"query": query}, headers={"Accept": "*/*"})
        assert r.headers["content-type"].startswith("application/sparql-results+json")


@pytest.fixture(scope="module")
def slow_server(served_graph: Path) -> Iterator[KgServer]:
    s = KgServer("--data", str(served_graph), "--base", BASE, "--port", "0", "--timeout", "0.2")
    yield s
    s.stop()


def test_a_slow_query_times_out_without_a_partial_result(slow_server: KgServer) -> None:
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 930^3 rows
    # writes nothing until it ends (about 2 s): the server stops waiting, the worker ends
    role = "<http://purl.org/spar/pro/withRole>"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g {role} ?i }}"
    with httpx.Client(timeout=60) as client:
        for query in (cross, count):
            r = client.get(
                slow_server.url + "sparql",
                params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert r.status_code == 503
            assert r.headers["content-type"].startswith("text/plain")
            assert "did not finish in time" in r.text
            with pytest.raises(json.JSONDecodeError):
                r.json()
        # and the server still answers
        r = client.get(
            slow_server.url + "sparql",
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.json()["boolean"] is True


def test_queries_left_running_do_not_stop_the_pages(slow_server: KgServer) -> None:
    role = "<http://purl.org/spar/pro/withRole>"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g {role} ?i }}"
    with httpx.Client(base_url=slow_server.url, timeout=60) as client:
        for _ in range(5):  # more than the server's SPARQL threads, each left running
            r = client.get("/sparql", params={"query": count})
            assert r.status_code == 503
        for path in ("/", "/doi/10.1000/retracted.1"):
            r = client.get(path, headers={"Accept": "text/html"})
            assert r.status_code == 200
            assert r.elapsed.total_seconds() < 5
