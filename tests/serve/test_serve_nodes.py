"""``kg serve`` over HTTP, for real: every node of a built graph answers at its path with a
page and with exactly its description in RDF; suffixes, ETags, 404, 406, HEAD, lookups,
CORS, and a busy port."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from kgserve import BASE, KgServer

from kg.serve.rdf import RDF_TYPES


def subjects(store: ox.Store) -> list[str]:
    found = {
        q.subject.value
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE)
    }
    return sorted(found)


def expected(store: ox.Store, iri: str) -> set[ox.Triple]:
    """The definition, by brute force: the node's triples and those of every subject
    named under its IRI + "/"."""
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
        if q.subject.value == iri or q.subject.value.startswith(iri + "/")
    }


def parsed(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def test_every_node_answers_with_a_page_and_exactly_its_description(
    server: KgServer, served_store: ox.Store
) -> None:
    nodes = subjects(served_store)
    assert len(nodes) > 150
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for iri in nodes:
            page = client.get(path_of(iri), headers={"Accept": "text/html"})
            assert page.status_code == 200, iri
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            r = client.get(path_of(iri), headers={"Accept": "text/turtle"})
            assert r.status_code == 200, iri
            assert r.headers["content-type"] == "text/turtle; charset=utf-8"
            assert r.headers["vary"] == "Accept"
            assert parsed(r.content, ox.RdfFormat.TURTLE) == expected(served_store, iri), iri


@pytest.mark.parametrize("rdf_type", RDF_TYPES, ids=lambda t: t.suffix)
def test_each_format_by_accept_and_by_suffix(
    server: KgServer, served_store: ox.Store, rdf_type: object
) -> None:
    from kg.serve.rdf import RdfType

    assert isinstance(rdf_type, RdfType)
    iri = BASE + "doi/10.5555/kinds.article"  # with statuses and a reference list
    want = expected(served_store, iri)
    assert any("/reference/" in str(t.subject) for t in want)
    with httpx.Client(base_url=server.url) as client:
        r = client.get(path_of(iri), headers={"Accept": rdf_type.media_type})
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == rdf_type.media_type
        assert parsed(r.content, rdf_type.format) == want
        s = client.get(path_of(iri) + "." + rdf_type.suffix, headers={"Accept": "text/html"})
        assert s.status_code == 200
        assert s.headers["content-type"].split(";")[0] == rdf_type.media_type
        assert s.content == r.content


def test_q_values_choose(server: KgServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        path = "/doi/10.1000/retracted.1"
        r = client.get(path, headers={"Accept": "text/html;q=0.5, application/n-triples"})
        assert r.headers["content-type"].startswith("application/n-triples")
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        assert (
            client.get(path, headers={"Accept": browser})
            .headers["content-type"]
            .startswith("text/html")
        )
        r = client.get(path, headers={"Accept": "text/*;q=0.9, text/html;q=0"})
        assert r.headers["content-type"].startswith("text/turtle")


def test_etag_gives_304_and_head_works(server: KgServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        path = "/journal/issn/2305-8420"
        for accept in ("text/turtle", "text/html"):
            r = client.get(path, headers={"Accept": accept})
            tag = r.headers["etag"]
            assert tag.startswith('"') and not tag.startswith("W/")
            again = client.get(path, headers={"Accept": accept, "If-None-Match": tag})
            assert again.status_code == 304 and again.content == b""
            other = client.get(path, headers={"Accept": accept, "If-None-Match": '"x"'})
            assert other.status_code == 200
            head = client.head(path, headers={"Accept": accept})
            assert head.status_code == 200 and head.content == b""
            assert head.headers["etag"] == tag


def test_404_and_406(server: KgServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        r = client.get("/doi/10.9999/nothing-here", headers={"Accept": "text/turtle"})
        assert r.status_code == 404
        page = client.get("/person/0000000000000000", headers={"Accept": "text/html"})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        r = client.get("/doi/10.1000/retracted.1", headers={"Accept": "image/png"})
        assert r.status_code == 406
        assert client.get("/nothing.ttl").status_code == 404


def test_lookups_redirect_to_the_node(server: KgServer, served_store: ox.Store) -> None:
    cases = {
        "/orcid/0000-0003-0530-4305": "/person/orcid/0000-0003-0530-4305",
        "/orcid/https://orcid.org/0000-0003-0530-4305": "/person/orcid/0000-0003-0530-4305",
        "/ror/0kgtest74": "/org/ror/0kgtest74",
        "/issn/2305-8420": "/journal/issn/2305-8420",
        "/issn/0000-0027": "/journal/issn/0000-0019",  # an eISSN of a journal
        "/doi/10.1000/RETRACTED.1": "/doi/10.1000/retracted.1",  # case ignored
    }
    # a DOI held by a work that is not named by it, when there is one
    rows = served_store.query(
        f"SELECT ?s ?d WHERE {{ ?s <http://prismstandard.org/namespaces/basic/2.0/doi> ?d "
        f'FILTER(!STRSTARTS(STR(?s), "{BASE}doi/")) }} LIMIT 1',
        use_default_graph_as_union=True,
    )
    for row in rows:  # type: ignore[union-attr]
        cases["/doi/" + row["d"].value] = path_of(row["s"].value)
    with httpx.Client(base_url=server.url) as client:
        for path, target in cases.items():
            r = client.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"] == target, path
            assert client.get(target, headers={"Accept": "text/turtle"}).status_code == 200
        # {base}doi/{doi} is itself a work's IRI: served, not redirected
        assert client.get("/doi/10.1000/retracted.1").status_code == 200
        for missing in ("/doi/10.9999/none", "/orcid/0000-0000-0000-0000", "/issn/9999-9999"):
            assert client.get(missing).status_code == 404, missing


def test_pages_and_cors(server: KgServer, served_graph: Path) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in ("/", "/retractions", "/search?q=retraction", "/sparql"):
            r = client.get(path, headers={"Accept": "text/html", "Origin": "http://x.test"})
            assert r.status_code == 200, path
            assert r.headers["content-type"].startswith("text/html")
            assert "access-control-allow-origin" not in r.headers
    cors = KgServer("--data", str(served_graph), "--base", BASE, "--port", "0", "--cors")
    try:
        with httpx.Client(base_url=cors.url) as client:
            r = client.get("/doi/10.1000/retracted.1", headers={"Origin": "http://x.test"})
            assert r.headers["access-control-allow-origin"] == "*"
            r = client.get(
                "/sparql",
                params={"query": "ASK {}"},
                headers={"Origin": "http://x.test", "Accept": "application/sparql-results+json"},
            )
            assert r.headers["access-control-allow-origin"] == "*"
    finally:
        cors.stop()


def test_a_busy_port_is_a_clear_error(served_graph: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "kg", "serve", "--data", str(served_graph), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    assert f"Error: port {port} is in use" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_missing_store_is_the_store_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "none"), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 4
    assert "there is no kg store here" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_embedded_store_and_ctrl_c(served_graph: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    folder = tmp_path / "store"
    load = [sys.executable, "-m", "kg", "load", str(served_graph), "--store", str(folder)]
    subprocess.run(load, check=True, capture_output=True, timeout=120)
    s = KgServer("--store", str(folder), "--base", BASE, "--port", "0")
    try:
        with httpx.Client(base_url=s.url) as client:
            r = client.get("/doi/10.1000/retracted.1", headers={"Accept": "text/turtle"})
            assert r.status_code == 200
            assert "retracted.1/status/retracted" in r.text
            r = client.get(
                "/sparql",
                params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                headers={"Accept": "text/csv"},
            )
            assert int(r.text.split()[-1]) > 900
    finally:
        s.proc.send_signal(signal.SIGINT)  # Ctrl-C
        s.proc.wait(timeout=20)
        rest = s.stop()
    assert s.proc.returncode == 0
    assert "Traceback" not in rest and "Aborted" not in rest
