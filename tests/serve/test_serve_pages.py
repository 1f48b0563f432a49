"""The HTML pages of kg serve (kg/serve/pages/, kg/serve/search.py), read with an HTML
parser: data/ and tests/cases/all-features built with kg's pipeline, loaded into a
pyoxigraph Store; what each page should list is computed from the store, not written
down."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from kg import vocab
from kg.build.pipeline import build
from kg.serve.pages import entity_page, home_page, retractions_page, search_page
from kg.serve.search import SearchIndex, fts_query

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://example.org/kg/"
SEED = BASE + "article/bcf96571b94ec4a4"
RETRACTED = BASE + "doi/10.1000/retracted.1"
JOURNAL = BASE + "journal/issn/2305-8420"
TOMSK = BASE + "org/ror/00a45v709"
PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in vocab.PREFIXES.items())

CONFLICTING = """\
- id: second-opinion
  doi: 10.1000/retracted.1
  title: {en: A retracted study}
  status:
    - {type: retracted, date: 2023-07-01, source: Another Database, record_id: "7"}
"""


def load(paths: list[Path], out: Path) -> ox.Store:
    build(paths, out, base=BASE, validate=False)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    out = tmp_path_factory.mktemp("pages") / "graph.nq"
    return load([ROOT / "data", ROOT / "tests/cases/all-features"], out)


@pytest.fixture(scope="module")
def conflict_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    folder = tmp_path_factory.mktemp("conflict")
    (folder / "second-opinion.yaml").write_text(CONFLICTING, encoding="utf-8")
    return load([ROOT / "tests/cases/all-features", folder], folder / "graph.nq")


def values(store: ox.Store, sparql: str) -> list[str]:
    result = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    return [s[0].value for s in result if s[0] is not None]  # type: ignore[union-attr]


def page(store: ox.Store, node: str) -> HTMLParser:
    html = entity_page(store, node, BASE)
    assert html is not None, node
    return HTMLParser(html)


def node_of(href: str) -> str:
    return BASE + href[1:] if href.startswith("/") else href


def hrefs(tree: HTMLParser, selector: str = "main a") -> list[str]:
    return [a.attributes.get("href") or "" for a in tree.css(selector)]


def in_store(store: ox.Store, node: str) -> bool:
    n = ox.NamedNode(node)
    return any(True for _ in store.quads_for_pattern(n, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, n)
    )


def assert_links_resolve(store: ox.Store, tree: HTMLParser) -> None:
    """Every link to a node page (``/...``) names a node the store holds."""
    site = {"/", "/retractions", "/search", "/sparql"}
    for href in hrefs(tree, "a"):
        if href.startswith("/") and href not in site and not href.endswith((".ttl", ".jsonld")):
            assert in_store(store, node_of(href)), href


def banner(tree: HTMLParser) -> Node:
    found = tree.css('[role="alert"]')
    assert len(found) == 1
    return found[0]


def test_seed_article_banner_names_its_source(store: ox.Store) -> None:
    tree = page(store, SEED)
    alert = banner(tree)
    assert "retracted" in alert.text().lower()
    sources = values(
        store,
        f"SELECT ?s WHERE {{ <{SEED}> pso:holdsStatusInTime/prov:wasDerivedFrom ?s }}",
    )
    assert sources and set(sources) <= set(hrefs(alert, "a"))
    # the banner comes before the title
    html = tree.html or ""
    assert html.index('role="alert"') < html.index("<h1")


def test_retraction_banner_date_notice_reasons_sources(store: ox.Store) -> None:
    tree = page(store, RETRACTED)
    alert = banner(tree)
    text = alert.text()
    date = values(
        store, f"SELECT ?d WHERE {{ <{RETRACTED}> pso:holdsStatusInTime/dcterms:date ?d }}"
    )
    assert date and all(d in text for d in date)
    reasons = values(
        store,
        f"SELECT ?r WHERE {{ <{RETRACTED}> pso:holdsStatusInTime/dcterms:description ?r }}",
    )
    assert reasons and all(r in text for r in reasons)
    assert "Retraction Watch (record 99999)" in text
    notices = values(store, f"SELECT ?n WHERE {{ <{RETRACTED}> cito:isRetractedBy ?n }}")
    assert notices and {node_of(h) for h in hrefs(alert, "a")} >= set(notices)


def test_conflicting_dates_are_shown_with_their_sources(conflict_store: ox.Store) -> None:
    alert = banner(page(conflict_store, RETRACTED))
    text = alert.text()
    assert "2023-06-28T10:20:00Z" in text and "2023-07-01" in text
    assert "disagree" in text
    assert "Another Database (record 7)" in text and "Retraction Watch (record 99999)" in text


def test_other_statuses_are_shown(store: ox.Store) -> None:
    works = values(
        store,
        "SELECT DISTINCT ?w WHERE { ?w pso:holdsStatusInTime/pso:withStatus ?v "
        "FILTER(?v != pso:retracted-from-publication) }",
    )
    assert works
    for work in works:
        tree = page(store, work)
        assert not tree.css('[role="alert"]') or "retracted" in tree.css_first("h2").text()
        assert tree.css("section.banner"), work


def test_seed_article_facts(store: ox.Store) -> None:
    tree = page(store, SEED)
    text = tree.body.text() if tree.body else ""
    assert "2305-8420" in text and "2312-6442" in text
    assert "Print ISSN" in text and "Online ISSN" in text
    assert "513-523" in text
    assert JOURNAL in {node_of(h) for h in hrefs(tree)}
    h1 = tree.css_first("h1 span[lang]")
    assert h1 is not None and h1.attributes["lang"] == "en"
    assert "Cluster management model" in (tree.css_first("title").text())
    assert_links_resolve(store, tree)


def test_authors_in_order_with_affiliations(store: ox.Store) -> None:
    works = values(store, "SELECT DISTINCT ?w WHERE { ?w pro:isDocumentContextFor ?r }")
    assert len(works) > 3
    for work in works:
        first = values(
            store,
            f"""SELECT ?r WHERE {{ <{work}> pro:isDocumentContextFor ?r
              FILTER NOT EXISTS {{ ?x oco:hasNext ?r }} }}""",
        )
        assert len(first) == 1
        people, role = [], first[0]
        while True:
            people += values(store, f"SELECT ?p WHERE {{ <{role}> pro:isHeldBy ?p }}")
            nxt = values(store, f"SELECT ?n WHERE {{ <{role}> oco:hasNext ?n }}")
            if not nxt:
                break
            role = nxt[0]
        items = page(store, work).css("ol.authors > li")
        assert [node_of(hrefs(li, "a")[0]) for li in items] == people
        for li, person in zip(items, people, strict=True):
            orgs = values(
                store,
                f"""SELECT ?o WHERE {{ <{work}> pro:isDocumentContextFor ?r .
                  ?r pro:isHeldBy <{person}> ; pro:relatesToOrganization ?o }}""",
            )
            assert {node_of(h) for h in hrefs(li, "a")[1:]} == set(orgs)
    seed_authors = page(store, SEED).css("ol.authors > li")
    assert "Kartashova" in seed_authors[0].text()
    assert TOMSK in {node_of(h) for h in hrefs(seed_authors[0], "a")}


def test_reference_list_in_order_and_citations_both_ways(store: ox.Store) -> None:
    works = values(store, "SELECT DISTINCT ?w WHERE { ?w frbr:part ?e }")
    assert works
    for work in works:
        entries = values(store, f"SELECT ?e WHERE {{ <{work}> frbr:part ?e }}")
        items = page(store, work).css("ol.refs > li")
        numbers = [int(li.attributes["value"] or 0) for li in items]
        assert numbers == sorted(int(e.rsplit("/", 1)[1]) for e in entries)
        for li in items:
            entry = f"{work}/reference/{li.attributes['value']}"
            cited = values(store, f"SELECT ?c WHERE {{ <{entry}> biro:references ?c }}")
            assert {node_of(h) for h in hrefs(li, "a")} == set(cited)
    cited = values(store, "SELECT DISTINCT ?c WHERE { ?w cito:cites ?c }")
    for work in cited[:10]:
        citing = values(store, f"SELECT DISTINCT ?w WHERE {{ ?w cito:cites <{work}> }}")
        tree = page(store, work)
        heading = [h for h in tree.css("h2") if h.text().startswith("Cited by")][0]
        assert heading.text() == f"Cited by ({len(citing)})"
        assert set(citing) <= {node_of(h) for h in hrefs(tree)}


def test_doi_is_a_link(store: ox.Store) -> None:
    assert "https://doi.org/10.1000/retracted.1" in hrefs(page(store, RETRACTED))


def test_person_page_lists_their_works(store: ox.Store) -> None:
    people = values(store, "SELECT DISTINCT ?p WHERE { ?r pro:isHeldBy ?p }")
    for person in people:
        works = values(
            store,
            f"SELECT DISTINCT ?w WHERE {{ ?w pro:isDocumentContextFor/pro:isHeldBy <{person}> }}",
        )
        tree = page(store, person)
        listed = {node_of(h) for h in hrefs(tree, "ul.works a")}
        assert listed == set(works), person
        retracted = {node_of(h) for h in hrefs(tree, "li.retracted > a")}
        assert retracted == set(works) & set(
            values(
                store,
                "SELECT ?w WHERE { ?w pso:holdsStatusInTime/pso:withStatus "
                "pso:retracted-from-publication }",
            )
        )
        assert_links_resolve(store, tree)
    orcid = BASE + "person/orcid/0000-0002-1825-0097"
    assert "https://orcid.org/0000-0002-1825-0097" in hrefs(page(store, orcid))


def test_institution_page_lists_works_authors_and_chart(store: ox.Store) -> None:
    orgs = values(store, "SELECT DISTINCT ?o WHERE { ?r pro:relatesToOrganization ?o }")
    assert TOMSK in orgs
    for org in orgs:
        works = values(
            store,
            f"""SELECT DISTINCT ?w WHERE {{ {{ ?w pro:isDocumentContextFor/pro:relatesToOrganization
              <{org}> }} UNION {{ ?w kgo:affiliation <{org}> }} }}""",
        )
        tree = page(store, org)
        assert {node_of(h) for h in hrefs(tree, "ul.works a")} == set(works), org
        assert_links_resolve(store, tree)
    tree = page(store, TOMSK)
    assert "https://ror.org/00a45v709" in hrefs(tree)
    assert "Tomsk" in (tree.css_first("dl.facts").text())
    charts = tree.css("figure.chart svg")
    assert charts and all(svg.css_first("title") for svg in charts)
    assert tree.css("svg rect.bar")


def test_journal_page_lists_its_articles(store: ox.Store) -> None:
    journals = values(store, "SELECT ?j WHERE { ?j a fabio:Journal }")
    for journal in journals:
        works = values(
            store,
            f"SELECT DISTINCT ?w WHERE {{ ?w frbr:partOf+ <{journal}> ; dcterms:title ?t }}",
        )
        tree = page(store, journal)
        listed = {node_of(h) for h in hrefs(tree, "ul.works a")}
        assert listed == set(works), journal
        assert_links_resolve(store, tree)
    text = page(store, JOURNAL).body.text()  # type: ignore[union-attr]
    assert "2305-8420" in text and "2312-6442" in text
    assert "Volume 4, issue 6" in text


def test_other_nodes_are_tables_of_triples(store: ox.Store) -> None:
    for node in (
        SEED + "/status/retracted",
        SEED + "/author/1",
        BASE + "identifier/ror/00a45v709",
        BASE + "doi/10.5555/kinds.article/reference/1",
    ):
        tree = page(store, node)
        rows = tree.css("table")[0].css("tbody tr")
        count = len(values(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{node}> ?p ?o }}"))
        assert len(rows) == count, node
        assert_links_resolve(store, tree)
    assert entity_page(store, BASE + "nothing/here", BASE) is None
    assert entity_page(store, "not an iri", BASE) is None


def test_layout(store: ox.Store) -> None:
    tree = page(store, SEED)
    assert {"/", "/retractions", "/sparql"} <= set(hrefs(tree, "header nav a"))
    form = tree.css_first("header form")
    assert form is not None and form.attributes["action"] == "/search"
    footer = set(hrefs(tree, "footer a"))
    assert {"/article/bcf96571b94ec4a4.ttl", "/article/bcf96571b94ec4a4.jsonld"} <= footer
    assert tree.css_first('meta[name="viewport"]') is not None
    assert tree.css_first("title").text().startswith("Cluster management")
    cyrillic = values(
        store, 'SELECT ?w WHERE { ?w dcterms:title ?t FILTER(LANGMATCHES(LANG(?t), "ru")) }'
    )
    assert cyrillic
    for node in cyrillic:
        assert page(store, node).css_first('main [lang="ru"]') is not None, node


def test_home_counts(store: ox.Store) -> None:
    tree = HTMLParser(home_page(store, BASE))
    counts = {
        b.parent.text().replace(b.text(), "").strip(): int(b.text().replace(",", ""))
        for b in tree.css(".counts b")
    }  # type: ignore[union-attr]
    people = values(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a foaf:Person }")
    assert counts["people"] == int(people[0])
    retracted = values(
        store,
        "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w pso:holdsStatusInTime/pso:withStatus "
        "pso:retracted-from-publication }",
    )
    assert counts["retracted works"] == int(retracted[0])
    assert {"/retractions", "/search", "/sparql"} <= set(hrefs(tree))


def test_retraction_index_counts(store: ox.Store) -> None:
    tree = HTMLParser(retractions_page(store, BASE))
    retracted = values(
        store,
        "SELECT DISTINCT ?w WHERE { ?w pso:holdsStatusInTime/pso:withStatus "
        "pso:retracted-from-publication }",
    )
    total = tree.css_first("#total")
    assert total is not None and int(total.text()) == len(retracted)
    years = [int(tr.css("td")[1].text()) for tr in tree.css("#years tbody tr")]
    assert sum(years) == len(retracted)
    per_journal = {
        node_of(tr.css_first("a").attributes["href"] or ""): int(tr.css("td")[1].text())
        for tr in tree.css("#per-journal + figure + table tbody tr")
    }
    for journal, n in per_journal.items():
        expected = values(
            store,
            f"""SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ ?w frbr:partOf+ <{journal}> ;
              pso:holdsStatusInTime/pso:withStatus pso:retracted-from-publication }}""",
        )
        assert n == int(expected[0])
    assert JOURNAL in per_journal
    assert len(tree.css("svg")) == 3 and tree.css("svg rect.bar")
    assert_links_resolve(store, tree)


def test_search_finds_titles_and_names(store: ox.Store) -> None:
    index = SearchIndex.build(store)
    assert any(h.iri == SEED for h in index.search("cluster management"))
    assert any(h.iri == SEED for h in index.search("Cluster"))
    person = values(store, f"SELECT ?p WHERE {{ <{SEED}> dcterms:creator ?p }}")[0]
    for q in ("Kartashova", "kartashova", "KARTASHOVÁ"):
        assert any(h.iri == person and h.kind == "person" for h in index.search(q)), q
    russian = values(store, 'SELECT ?l WHERE { ?n foaf:name ?l FILTER(REGEX(?l, "^[А-Я]")) }')
    assert russian
    for name in russian:
        word = name.split()[0]
        assert any(h.label == name for h in index.search(word)), word
    assert index.search("Картошка") == []
    assert any(h.kind == "journal" for h in index.search("Liberal Arts"))
    assert any(h.kind == "organisation" for h in index.search("Tomsk"))
    tree = HTMLParser(search_page(store, BASE, "Kartashova", index=index))
    assert person in {node_of(h) for h in hrefs(tree, "ol.results a")}
    tree = HTMLParser(search_page(store, BASE, "турбулентности"))  # the cached index
    assert tree.css("ol.results a")


@pytest.mark.parametrize(
    "q", ["", "   ", '"', "AND", "OR NOT", "a* OR", "NEAR(x y)", "title:x", "'; DROP", "()", "^"]
)
def test_odd_queries_never_fail(store: ox.Store, q: str) -> None:
    html = search_page(store, BASE, q)
    assert "<h1>Search</h1>" in html
    assert fts_query(q).count('"') % 2 == 0


def test_every_node_has_a_page_whose_links_resolve(store: ox.Store) -> None:
    nodes = values(store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    assert len(nodes) > 100
    for node in nodes:
        tree = page(store, node)
        title = tree.css_first("title")
        assert title is not None and title.text().strip(), node
        assert len(tree.css("h1")) == 1, node
        assert_links_resolve(store, tree)
