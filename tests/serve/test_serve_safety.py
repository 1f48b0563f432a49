"""``kg serve`` against hostile data and hostile requests, for real (a ``kg serve`` process):

- markup in the data (a title, an abstract, a keyword, an author's name, an affiliation
  holding ``<script>``, an attribute breaker with ``<img onerror>``, and ``&amp;``) shows
  as text on every page, in the HTML parsed back (selectolax) and in a browser (chromium
  through Playwright, skipped where chromium is missing: no dialog opens);
- paths that climb out (``..``, encoded or not, ``;``, backslashes, NUL, 10,000
  characters) are 404 (or 400), never a file, never 500;
- the server is read-only: SPARQL updates are refused and change nothing; PUT, DELETE,
  POST on nodes and pages are 405; SERVICE (a request to another server) is refused.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from kgserve import BASE, KgServer
from selectolax.lexbor import LexborHTMLParser

from kg.build.pipeline import build

SCRIPT = "<script>alert(1)</script>"
BREAKER = '"><img src=x onerror=alert(1)>'
ENTITY = "&amp;"
HOSTILE = f"{SCRIPT} {BREAKER} {ENTITY}"
DOI = "10.5555/hostile.1"
ORCID = "0000-0002-1825-0097"
ROR = "05gq02987"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

RECORD = {
    "id": "hostile-1",
    "type": "journal-article",
    "title": f"{HOSTILE} title",
    "abstract": f"{HOSTILE} abstract",
    "keywords": [SCRIPT, BREAKER, ENTITY],
    "language": "en",
    "date": "2021-03-15",
    "doi": DOI,
    "journal": {"title": f"{HOSTILE} journal", "issn_print": "1234-5679"},
    "authors": [
        {
            "name": f"{HOSTILE} person",
            "orcid": ORCID,
            "affiliations": [{"name": f"{HOSTILE} institute", "ror": f"https://ror.org/{ROR}"}],
        },
        {"name": f"{BREAKER} second {ENTITY}", "affiliations": f"{HOSTILE} unnamed org"},
    ],
    "status": [{"type": "retracted", "date": "2022-01-10", "reasons": f"+{SCRIPT};"}],
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.json").write_text(json.dumps([RECORD]), encoding="utf-8")
    out = folder / "graph.nq"
    build([folder / "hostile.json"], out, base=BASE, validate=False)
    return out


@pytest.fixture(scope="module")
def server(graph: Path) -> Iterator[KgServer]:
    s = KgServer("--data", str(graph), "--base", BASE, "--port", "0")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def client(server: KgServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def minted(graph: Path, kind: str) -> str:
    """The path of the node of ``kind`` (person, org) minted from a name, not an id."""
    store = ox.Store()
    store.bulk_load(path=str(graph), format=ox.RdfFormat.N_QUADS)
    for q in store.quads_for_pattern(None, None, None, None):
        value = q.subject.value
        if value.startswith(f"{BASE}{kind}/") and "/orcid/" not in value and "/ror/" not in value:
            return "/" + value[len(BASE) :]
    raise AssertionError(f"no {kind} minted from a name")


def pages(graph: Path) -> dict[str, str]:
    query = "SELECT ?t WHERE { ?w <http://purl.org/dc/terms/title> ?t }"
    return {
        "article": f"/doi/{DOI}",
        "person": f"/person/orcid/{ORCID}",
        "person (by name)": minted(graph, "person"),
        "organisation": f"/org/ror/{ROR}",
        "organisation (by name)": minted(graph, "org"),
        "journal": "/journal/issn/1234-5679",
        "search": "/search?q=script",
        "sparql": "/sparql?" + str(httpx.QueryParams({"query": query, "format": "html"})),
        "retractions": "/retractions",
    }


def check_inert(html: str, where: str) -> LexborHTMLParser:
    """No element the data could have made: no script, no img, no on* attribute."""
    tree = LexborHTMLParser(html)
    assert tree.css("script") == [], where
    assert tree.css("img") == [], where
    for node in tree.css("*"):
        assert not any(name.lower().startswith("on") for name in node.attributes), (where, node)
    return tree


def test_markup_in_the_data_shows_as_text_on_every_page(client: httpx.Client, graph: Path) -> None:
    for name, path in pages(graph).items():
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, name
        tree = check_inert(r.text, name)
        body = tree.body
        assert body is not None
        text = body.text()
        for piece in (SCRIPT, BREAKER) if name != "retractions" else ():
            assert piece in text, (name, piece)
        if name not in ("retractions", "sparql"):
            assert ENTITY in text, name  # shown as the five characters, not as "&"


def test_the_article_shows_each_field_literally(client: httpx.Client) -> None:
    tree = check_inert(client.get(f"/doi/{DOI}", headers={"Accept": "text/html"}).text, "article")
    h1 = tree.css_first("h1")
    assert h1 is not None and f"{HOSTILE} title" in h1.text()
    abstract = tree.css_first(".abstract")
    assert abstract is not None and abstract.text().strip() == f"{HOSTILE} abstract"
    texts = [n.text() for n in tree.css(".tags span")]
    assert {SCRIPT, BREAKER, ENTITY} <= set(texts)
    authors = [a.text() for a in tree.css("ol.authors a")]
    assert f"{HOSTILE} person" in authors and f"{HOSTILE} institute" in authors
    title = tree.css_first("title")
    assert title is not None and SCRIPT in title.text()


def test_what_a_request_carries_is_shown_as_text(client: httpx.Client) -> None:
    """The search box, the SPARQL form and the 404 page repeat what was asked."""
    asked = f'</textarea>{SCRIPT}{BREAKER}"</title>'
    for path in (
        "/search?" + str(httpx.QueryParams({"q": asked})),
        "/sparql?" + str(httpx.QueryParams({"query": f"SELECT * {{}} # {asked}"})),
        "/sparql?" + str(httpx.QueryParams({"query": f"ASK {{}} # {asked}", "format": "html"})),
        "/" + SCRIPT,
    ):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code in (200, 404), path
        check_inert(r.text, path)
    r = client.get("/search", params={"q": asked}, headers={"Accept": "text/html"})
    boxes = LexborHTMLParser(r.text).css("input[name=q]")
    assert boxes and all(b.attributes.get("value") == asked for b in boxes)


TRAVERSALS = [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/doi/..%2F..%2Fetc%2Fpasswd",
    "/doi/../../etc/passwd",
    f"/doi/{DOI}/../../../etc/passwd",
    "/..;/",
    "/..;/etc/passwd",
    "/%00",
    "/etc/passwd%00",
    f"/doi/{DOI}%00",
    f"/doi/{DOI}%00.ttl",
    "/orcid/%00",
    "/ror/..%2F..%2F",
    "/issn/%00",
    "/..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/doi/..%5C..%5Cetc%5Cpasswd",
    "/%ff%fe",
    "/%0A",
    "/retractions%0A",
    "/sparql%0A",
    "/" + "a" * 10_000,
    "/doi/" + "%2e" * 3_400,
    "/orcid/" + "9" * 10_000,
    "/" + "../" * 3_000 + "etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS, ids=lambda p: p[:40])
def test_paths_that_climb_out_are_not_found(server: KgServer, path: str) -> None:
    """Sent as they are (no client normalises the dots away), HTML and RDF asked for."""
    for accept in ("text/html", "text/turtle", "*/*"):
        with httpx.Client(timeout=30) as c:
            request = c.build_request("GET", server.url.rstrip("/"), headers={"Accept": accept})
            request.url = request.url.copy_with(raw_path=path.encode("latin-1"))
            r = c.send(request)
        assert r.status_code in (400, 404, 414), (path, accept, r.status_code)
        assert b"root:" not in r.content and b"/bin/" not in r.content, path


def test_the_server_survives_the_paths(client: httpx.Client) -> None:
    assert client.get(f"/doi/{DOI}", headers={"Accept": "text/turtle"}).status_code == 200


def count(client: httpx.Client) -> int:
    r = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


UPDATE = f"""INSERT DATA {{ <{BASE}x> <{BASE}p> "added" }} ;
DELETE WHERE {{ ?s ?p ?o }} ;
DROP ALL ;
LOAD <file:///etc/passwd>"""


def test_updates_are_refused_and_change_nothing(client: httpx.Client) -> None:
    before = count(client)
    assert before > 50
    for update in (
        UPDATE,
        "DROP ALL",
        "CLEAR DEFAULT",
        f"DELETE WHERE {{ <{BASE}doi/{DOI}> ?p ?o }}",
    ):
        r = client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
        )
        assert r.status_code == 403, update
        r = client.post("/sparql", data={"update": update})
        assert r.status_code == 403, update
        r = client.get("/sparql", params={"update": update})
        assert r.status_code == 403, update
        # an update sent as a query is not run either
        r = client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-query"}
        )
        assert r.status_code in (400, 403), update
        r = client.get("/sparql", params={"query": update})
        assert r.status_code in (400, 403), update
    assert count(client) == before


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH"])
@pytest.mark.parametrize("path", [f"/doi/{DOI}", f"/doi/{DOI}.ttl", "/", "/retractions"])
def test_writing_methods_are_not_allowed(client: httpx.Client, method: str, path: str) -> None:
    before = client.get(f"/doi/{DOI}", headers={"Accept": "text/turtle"}).content
    r = client.request(
        method, path, content=b"<a:b> <a:c> <a:d> .", headers={"Content-Type": "text/turtle"}
    )
    assert r.status_code == 405, (method, path)
    assert client.get(f"/doi/{DOI}", headers={"Accept": "text/turtle"}).content == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * { service silent <http://169.254.169.254/> { ?s ?p ?o } }",
        "SELECT * {SERVICE<file:///etc/passwd>{?s ?p ?o}}",
        "SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(client: httpx.Client, query: str) -> None:
    """A SERVICE clause would have the server fetch any URL a client names."""
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 403, r.text
    assert "SERVICE" in r.text


def test_service_as_a_word_is_not_refused(client: httpx.Client) -> None:
    q = 'SELECT ?service WHERE { BIND("SERVICE <x:>" AS ?service) } # SERVICE'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def test_no_dialog_opens_in_a_browser(server: KgServer, graph: Path, browser: Any) -> None:
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    site = server.url.rstrip("/")
    for name, path in pages(graph).items():
        response = page.goto(site + path)
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("load")
        assert page.locator("img").count() == 0, name
        assert page.locator("script").count() == 0, name
    page.goto(site + f"/doi/{DOI}")
    h1 = page.locator("h1")
    assert h1.is_visible()
    assert f"{HOSTILE} title" in h1.inner_text()
    page.goto(site + "/search?" + str(httpx.QueryParams({"q": f"{SCRIPT}{BREAKER}"})))
    page.wait_for_load_state("load")
    page.close()
    assert dialogs == []
