"""The citation queries (citing-retracted, most-cited-retracted, work-citations,
institutions-citing-retracted) on a hand-written graph that follows kg's citation
model (tests/data/citations-graph/), over files, the embedded store and a real
Oxigraph server; and end to end, from a Crossref reference list and a Retraction
Watch row through ``kg build``.

Every expected answer is computed here, in Python, from the fixture's triples (or
from the input records), never copied from a query's output."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.cli import cli
from kg.stores.load import load

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "citations-graph" / "citations.trig"
BASE = "https://example.org/kg/"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CITO = "http://purl.org/spar/cito/"
FABIO = "http://purl.org/spar/fabio/"
PSO = "http://purl.org/spar/pso/"
PRO = "http://purl.org/spar/pro/"
DCT = "http://purl.org/dc/terms/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
BIRO = "http://purl.org/spar/biro/"
C4O = "http://purl.org/spar/c4o/"
FRBR = "http://purl.org/vocab/frbr/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
KGO = "https://w3id.org/kg/ontology/"
DATACITE = "http://purl.org/spar/datacite/"
LITERAL = "http://www.essepuntato.it/2010/06/literalreification/"


# --- what the fixture says, read with plain Python ----------------------------------


@dataclass
class Facts:
    """The union of the fixture's graphs as subject -> predicate -> values."""

    triples: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    @classmethod
    def read(cls, path: Path) -> Facts:
        facts = cls()
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            facts.triples[q.subject.value][q.predicate.value].add(q.object.value)  # type: ignore[union-attr]
        return facts

    def values(self, s: str, p: str) -> set[str]:
        return set(self.triples.get(s, {}).get(p, set()))

    def subjects(self, p: str, o: str) -> set[str]:
        return {s for s, ps in self.triples.items() if o in ps.get(p, set())}

    def pairs(self, p: str) -> set[tuple[str, str]]:
        return {(s, o) for s, ps in self.triples.items() for o in ps.get(p, set())}

    def first(self, s: str, p: str) -> str:
        return min(self.values(s, p), default="")

    # -- retractions and dates

    def retraction(self, work: str) -> str | None:
        """The first retraction date (YYYY-MM-DD) of a retracted work; None if it is not."""
        statuses = [
            st
            for st in self.values(work, PSO + "holdsStatusInTime")
            if PSO + "retracted-from-publication" in self.values(st, PSO + "withStatus")
        ]
        if not statuses:
            return None
        return min(d[:10] for d in self.values(work, FABIO + "hasRetractionDate"))

    def citing_date(self, citing: str, cited: str) -> str | None:
        """The citation's creation date, else the publication date, else a print or
        online month, else the year."""
        created = {
            d
            for c in self.subjects(CITO + "hasCitingEntity", citing)
            if cited in self.values(c, CITO + "hasCitedEntity")
            for d in self.values(c, CITO + "hasCitationCreationDate")
        }
        partial = {
            d
            for p in (DCT + "issued", DCT + "available")
            for d in self.values(citing, p)
            if len(d) >= 7
        }
        for candidates in (
            created,
            self.values(citing, PRISM + "publicationDate"),
            partial,
            self.values(citing, FABIO + "hasPublicationYear"),
        ):
            if candidates:
                return min(candidates)
        return None

    # -- institutions

    def institutions(self, work: str, rollup: bool) -> set[str]:
        orgs = set(self.values(work, KGO + "affiliation"))
        for role in self.values(work, PRO + "isDocumentContextFor"):
            orgs |= self.values(role, PRO + "relatesToOrganization")
        if rollup:
            frontier = set(orgs)
            while frontier:
                frontier = {
                    parent for o in frontier for parent in self.values(o, ORG + "subOrganizationOf")
                } - orgs
                orgs |= frontier
        return orgs


def when(citing_date: str | None, retracted: str | None) -> str:
    """Before or after, as far as both dates go, by (year, month, day) numbers."""
    if citing_date is None or retracted is None:
        return "unknown"
    a = [int(p) for p in citing_date.split("-")]
    b = [int(p) for p in retracted.split("-")]
    n = min(len(a), len(b))
    if a[:n] != b[:n]:
        return "before" if a[:n] < b[:n] else "after"
    return {1: "same year", 2: "same month"}.get(n, "same day")


FACTS = Facts.read(FIXTURE)
RETRACTED = {w: d for w in FACTS.triples if (d := FACTS.retraction(w)) is not None}
CITES = FACTS.pairs(CITO + "cites")


def self_citation(citing: str, cited: str) -> str:
    """What the citation's cito:Citation nodes call it: "author", "journal", both or ""."""
    kinds = {
        kind
        for c in FACTS.subjects(CITO + "hasCitingEntity", citing)
        if cited in FACTS.values(c, CITO + "hasCitedEntity")
        for cls, kind in (("AuthorSelfCitation", "author"), ("JournalSelfCitation", "journal"))
        if CITO + cls in FACTS.values(c, RDF_TYPE)
    }
    return "; ".join(sorted(kinds))


def expected_citing_retracted() -> set[tuple[str, ...]]:
    return {
        (
            citing,
            FACTS.first(citing, PRISM + "doi"),
            FACTS.citing_date(citing, cited) or "",
            cited,
            FACTS.first(cited, PRISM + "doi"),
            RETRACTED[cited],
            when(FACTS.citing_date(citing, cited), RETRACTED[cited]),
            self_citation(citing, cited),
        )
        for citing, cited in CITES
        if cited in RETRACTED
    }


# --- the graph three ways -------------------------------------------------------------


def kg(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, [*args, "--format", "jsonl"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[str]]]:
    """The fixture as a file, in the embedded store and on an Oxigraph server."""
    from servers import OxigraphServer

    base = tmp_path_factory.mktemp("citations")
    load([FIXTURE], store=base / "store")
    server = OxigraphServer(base / "server")
    load([FIXTURE], endpoint=server.query)
    yield {
        "files": ["--data", str(FIXTURE)],
        "store": ["--store", str(base / "store")],
        "server": ["--endpoint", server.query],
    }
    server.stop()


WHERE = ["files", "store", "server"]


def query(sources: dict[str, list[str]], where: str, name: str, *params: str) -> list[dict]:
    args = ["query", name, *sources[where]]
    for p in params:
        args += ["--param", p]
    return kg(*args)


# --- the fixture has what the tests need -----------------------------------------------


def test_the_fixture_has_each_case() -> None:
    whens = {row[6] for row in expected_citing_retracted()}
    assert {"author", "journal"} <= {row[7] for row in expected_citing_retracted()}
    assert {"before", "after", "same year", "unknown"} <= whens
    # one retracted work cited both before and after its retraction
    by_cited = defaultdict(set)
    for row in expected_citing_retracted():
        by_cited[row[3]].add(row[6])
    assert any({"before", "after"} <= w for w in by_cited.values())
    assert FACTS.subjects(RDF_TYPE, CITO + "AuthorSelfCitation")
    entries = FACTS.subjects(RDF_TYPE, BIRO + "BibliographicReference")
    assert any(not FACTS.values(e, BIRO + "references") for e in entries)
    works = {c for c, _ in CITES}
    assert len({o for w in works for o in FACTS.institutions(w, rollup=False)}) >= 2
    # a department's work that counts for its university with rollup=parent
    assert any(FACTS.institutions(w, True) != FACTS.institutions(w, False) for w in works)
    # works known only by an identifier: cited, described by no record, without a class
    assert any(not FACTS.values(cited, RDF_TYPE) for _, cited in CITES)


# --- citing-retracted -----------------------------------------------------------------


def rows_of(found: list[dict]) -> set[tuple[str, ...]]:
    keys = ("citing", "citingDoi", "citingDate", "cited", "citedDoi", "retracted", "when")
    keys += ("selfCitation",)
    return {tuple(r.get(k, "") for k in keys) for r in found}


@pytest.mark.parametrize("where", WHERE)
def test_citing_retracted(sources: dict[str, list[str]], where: str) -> None:
    found = query(sources, where, "citing-retracted")
    assert len(found) == len(rows_of(found))  # no row twice, though two graphs say it
    assert rows_of(found) == expected_citing_retracted()
    for r in found:
        assert r["citingTitle"] == FACTS.first(r["citing"], DCT + "title")
        assert r["citedTitle"] == FACTS.first(r["cited"], DCT + "title")


@pytest.mark.parametrize("where", WHERE)
def test_citing_retracted_by_doi_and_when(sources: dict[str, list[str]], where: str) -> None:
    expected = expected_citing_retracted()
    for cited in RETRACTED:
        doi = FACTS.first(cited, PRISM + "doi")
        url = "https://doi.org/" + doi.upper()  # as people paste it
        found = query(sources, where, "citing-retracted", f"doi={url}")
        assert rows_of(found) == {r for r in expected if r[3] == cited}
    for only in ("before", "after", "same year", "unknown"):
        found = query(sources, where, "citing-retracted", f"only={only}")
        assert rows_of(found) == {r for r in expected if r[6] == only}


# --- most-cited-retracted ---------------------------------------------------------------


@pytest.mark.parametrize("where", WHERE)
def test_most_cited_retracted(sources: dict[str, list[str]], where: str) -> None:
    expected = {
        cited: (
            len({c for c, d in CITES if d == cited}),
            len(
                {
                    c
                    for c, d in CITES
                    if d == cited and when(FACTS.citing_date(c, d), date) == "after"
                }
            ),
        )
        for cited, date in RETRACTED.items()
    }
    found = query(sources, where, "most-cited-retracted")
    got = {r["cited"]: (int(r["citingWorks"]), int(r["citingAfter"])) for r in found}
    assert got == expected
    assert len(found) == len(got)
    counts = [int(r["citingWorks"]) for r in found]
    assert counts == sorted(counts, reverse=True)
    for r in found:
        assert r["retracted"] == RETRACTED[r["cited"]]
        assert r["doi"] == FACTS.first(r["cited"], PRISM + "doi")
    most = max(n for n, _ in expected.values())
    top = query(sources, where, "most-cited-retracted", f"min_citing={most}")
    assert {r["cited"] for r in top} == {c for c, (n, _) in expected.items() if n >= most}


# --- work-citations ---------------------------------------------------------------------


def expected_work_citations(work: str) -> set[tuple[str, str, str, str, str]]:
    """(direction, position, other, its DOI, text) for each citation in and out."""
    out = set()
    named = set()
    for entry in FACTS.values(work, FRBR + "part"):
        if BIRO + "BibliographicReference" not in FACTS.values(entry, RDF_TYPE):
            continue
        position = entry.rsplit("/reference/", 1)[1]
        other = FACTS.first(entry, BIRO + "references")
        named.add(other)
        text = FACTS.first(entry, C4O + "hasContent")
        out.add(("out", position, other, FACTS.first(other, PRISM + "doi"), text))
    for citing, cited in CITES:
        if citing == work and cited not in named:
            out.add(("out", "", cited, FACTS.first(cited, PRISM + "doi"), ""))
        if cited == work:
            out.add(("in", "", citing, FACTS.first(citing, PRISM + "doi"), ""))
    return out


WORKS_WITH_CITATIONS = sorted({w for pair in CITES for w in pair if FACTS.values(w, PRISM + "doi")})


@pytest.mark.parametrize("where", WHERE)
def test_work_citations(sources: dict[str, list[str]], where: str) -> None:
    seen_text_only = seen_index_only = False
    for work in WORKS_WITH_CITATIONS:
        found = query(sources, where, "work-citations", f"doi={FACTS.first(work, PRISM + 'doi')}")
        got = {
            (r["direction"], r.get("position", ""), r.get("other", ""), r.get("otherDoi", ""),
             r.get("text", ""))
            for r in found
        }  # fmt: skip
        assert got == expected_work_citations(work), work
        assert len(found) == len(got)
        seen_text_only |= any(r["direction"] == "out" and "other" not in r for r in found)
        seen_index_only |= any(r["direction"] == "out" and "position" not in r for r in found)
        for r in found:
            if "other" in r:
                assert r.get("otherTitle", "") == FACTS.first(r["other"], DCT + "title")
        # out first, the reference list in order
        positions = [int(r["position"]) for r in found if "position" in r]
        assert positions == sorted(positions)
    assert seen_text_only and seen_index_only
    pubmed = f"{BASE}pubmed/12345678"
    by_iri = query(sources, where, "work-citations", f"article={pubmed}")
    assert {(r["direction"], r["other"]) for r in by_iri} == {
        ("in", c) for c, d in CITES if d == pubmed
    }


# --- institutions-citing-retracted ------------------------------------------------------


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("rollup", [False, True])
def test_institutions_citing_retracted(
    sources: dict[str, list[str]], where: str, rollup: bool
) -> None:
    works: dict[str, set[str]] = defaultdict(set)
    after: dict[str, set[str]] = defaultdict(set)
    cited_by: dict[str, set[str]] = defaultdict(set)
    for citing, cited in CITES:
        if cited not in RETRACTED:
            continue
        for org in FACTS.institutions(citing, rollup):
            works[org].add(citing)
            cited_by[org].add(cited)
            if when(FACTS.citing_date(citing, cited), RETRACTED[cited]) == "after":
                after[org].add(citing)
    expected = {o: (len(works[o]), len(after[o]), len(cited_by[o])) for o in works}
    params = ["rollup=parent"] if rollup else []
    found = query(sources, where, "institutions-citing-retracted", *params)
    got = {
        r["institution"]: (int(r["citingWorks"]), int(r["citingAfter"]), int(r["retractedCited"]))
        for r in found
    }
    assert got == expected
    assert len(found) == len(got)
    for r in found:
        assert r["name"] == FACTS.first(r["institution"], FOAF + "name")
        rors = {
            FACTS.first(i, LITERAL + "hasLiteralValue")
            for i in FACTS.values(r["institution"], DATACITE + "hasIdentifier")
        }
        assert r.get("ror", "") == min(rors, default="")


# --- end to end: a Crossref reference list and a Retraction Watch row -------------------

RW_COLUMNS = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,"
    "RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,"
    "OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes"
)
BAD_DOI = "10.7777/bad.1"
RETRACTED_ON = (2019, 3, 15)
# citing works: DOI -> the date parts Crossref gives as "issued"
CITING = {
    "10.7777/early.1": [2017, 5, 2],
    "10.7777/late.1": [2021, 2, 10],
    "10.7777/sameyear.1": [2019],
}


def crossref_work(doi: str, issued: list[int], n: int) -> dict:
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [f"Citing work {n}"],
        "container-title": ["Journal of Citing"],
        "ISSN": ["2049-3630"],
        "issued": {"date-parts": [issued]},
        "author": [{"given": "Ann", "family": f"Author{n}", "sequence": "first"}],
        "reference": [
            {"key": f"r{n}-1", "DOI": BAD_DOI, "doi-asserted-by": "publisher",
             "unstructured": "Doe J. A bad study. J Bad Results. 2017."},
            {"key": f"r{n}-2", "unstructured": "Roe R. A book without DOI. 1999."},
            {"key": f"r{n}-3", "DOI": "10.7777/fine.1", "doi-asserted-by": "crossref"},
        ],
    }  # fmt: skip


def test_build_finds_citations_before_and_after_a_retraction(tmp_path: Path) -> None:
    works = [crossref_work(doi, d, n) for n, (doi, d) in enumerate(CITING.items())]
    (tmp_path / "crossref.jsonl").write_text(
        "".join(json.dumps(w) + "\n" for w in works), encoding="utf-8"
    )
    y, m, d = RETRACTED_ON
    row = (
        f"5001,A bad study,(BLS) Biology;,Bad University,Journal of Bad Results,Bad Press,"
        f"Nowhere,Jane Doe,,Research Article;,{m}/{d}/{y} 0:00,10.7777/retraction.1,,"
        f"6/1/2017 0:00,{BAD_DOI},,Retraction,+Concerns/Issues About Data;,No,"
    )
    (tmp_path / "rw.csv").write_text(RW_COLUMNS + "\n" + row + "\n", encoding="utf-8")
    out = tmp_path / "out.nq"
    build([tmp_path / "crossref.jsonl", tmp_path / "rw.csv"], out, base=BASE, validate=False)

    retracted = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(RETRACTED_ON))
    expected = {
        (f"{BASE}doi/{doi}", when("-".join(f"{p:02d}" for p in parts), retracted))
        for doi, parts in CITING.items()
    }
    assert {w for _, w in expected} == {"before", "after", "same year"}
    found = kg("query", "citing-retracted", "--data", str(out))
    assert {(r["citing"], r["when"]) for r in found} == expected
    assert {(r["cited"], r["citedDoi"], r["retracted"]) for r in found} == {
        (f"{BASE}doi/{BAD_DOI}", BAD_DOI, retracted)
    }
    top = kg("query", "most-cited-retracted", "--data", str(out))
    assert [(r["doi"], r["citingWorks"], r["citingAfter"]) for r in top] == [
        (BAD_DOI, str(len(CITING)), str(sum(w == "after" for _, w in expected)))
    ]
    # the reference list, in order, with the entry that names no work
    early = kg("query", "work-citations", "--param", "doi=10.7777/early.1", "--data", str(out))
    assert [(r.get("position"), r.get("otherDoi"), r.get("text")) for r in early] == [
        (str(n + 1), ref.get("DOI"), ref.get("unstructured"))
        for n, ref in enumerate(works[0]["reference"])
    ]


def test_a_notice_citing_the_work_it_retracts_is_not_a_citing_work(tmp_path: Path) -> None:
    """Publishers' retraction notices list the work they retract in their references (the
    real Crossref notices of tests/data/samples do): that is no citation of retracted work."""
    work = crossref_work("10.7777/later.1", [2021, 2, 10], 1)
    notice = {
        "DOI": "10.7777/retraction.1",
        "type": "journal-article",
        "title": ["Retraction: A bad study"],
        "issued": {"date-parts": [[2019, 3, 15]]},
        "update-to": [
            {"DOI": BAD_DOI, "type": "retraction", "updated": {"date-parts": [[2019, 3, 15]]}}
        ],
        "reference": [{"key": "n1", "DOI": BAD_DOI, "unstructured": "Doe J. A bad study."}],
    }
    path = tmp_path / "crossref.jsonl"
    path.write_text("".join(json.dumps(w) + "\n" for w in (work, notice)), encoding="utf-8")
    out = tmp_path / "out.nq"
    build([path], out, base=BASE, validate=False)
    found = kg("query", "citing-retracted", "--data", str(out))
    assert {r["citing"] for r in found} == {f"{BASE}doi/10.7777/later.1"}
    top = kg("query", "most-cited-retracted", "--data", str(out))
    assert [(r["doi"], r["citingWorks"]) for r in top] == [(BAD_DOI, "1")]
    # the notice's reference is still in the graph: only the query leaves it out
    both = kg("query", "work-citations", "--param", f"doi={BAD_DOI}", "--data", str(out))
    assert f"{BASE}doi/10.7777/retraction.1" in {r.get("other") for r in both}
