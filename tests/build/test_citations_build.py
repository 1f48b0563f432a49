"""Citations through a whole build: in any input order and with any workers, a work cited
before, after or without its own record keeps its description, citation-index rows
describe no work, and the build's validation equals ``kg validate`` of its output."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.build.pipeline import build
from kg.iris import IriMinter
from kg.rdf.files import read_store
from kg.validation.shacl import ValidationResult, load_shapes, validate_dataset

BASE = "https://example.org/kg/"
CITO = rdflib.Namespace("http://purl.org/spar/cito/")
FABIO = rdflib.Namespace("http://purl.org/spar/fabio/")
PRISM = rdflib.Namespace("http://prismstandard.org/namespaces/basic/2.0/")


def crossref(doi: str, title: str, year: int, refs: list[dict[str, str]]) -> dict[str, object]:
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "language": "en",
        "issued": {"date-parts": [[year, 5, 1]]},
        "container-title": ["Example Letters"],
        "ISSN": ["2305-8420"],
        "issn-type": [{"type": "print", "value": "2305-8420"}],
        "author": [{"family": "Doe", "given": "J."}],
        "reference": refs,
    }


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """A cited work's own record, a work citing it (and a work only cited, and a book
    without DOI), and a citation index's rows: one for that citation, one from a work
    that no record describes."""
    cited = tmp_path / "cited.json"
    cited.write_text(json.dumps(crossref("10.5555/b", "The cited work", 2015, [])))
    citing = tmp_path / "citing.json"
    refs = [
        {"key": "r1", "DOI": "10.5555/b", "unstructured": "Doe J (2015) The cited work"},
        {"key": "r2", "DOI": "10.5555/c"},
        {"key": "r3", "unstructured": "Porter M. The competitive advantage of nations. 1990"},
    ]
    citing.write_text(json.dumps(crossref("10.5555/a", "The citing work", 2018, refs)))
    index = tmp_path / "index.csv"
    index.write_text(
        "oci,citing,cited,creation,timespan,journal_sc,author_sc\n"
        "1-2,10.5555/a,10.5555/b,2018-05-01,P3Y,yes,no\n"
        "3-2,10.5555/d,10.5555/b,2019,P4Y,no,no\n",
        encoding="utf-8",
    )
    return [cited, citing, index]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_order_gives_one_graph_and_keeps_every_description(
    tmp_path: Path, inputs: list[Path], order: tuple[int, int, int]
) -> None:
    paths = [inputs[i] for i in order]
    out = tmp_path / "out.nt"
    report = build(paths, out, base=BASE)
    assert (report.built, report.citation_rows, len(report.rejects)) == (2, 2, 0)
    assert (report.references, report.cited) == (5, 4)  # 3 listed + 2 indexed; 4 name a work
    assert report.validation is not None and report.validation.conforms, report.summary()
    g = rdflib.Graph().parse(out, format="nt")
    a, b, c, d = (URIRef(f"{BASE}doi/10.5555/{x}") for x in "abcd")
    # the cited work keeps its own description, whichever came first
    assert (b, DCTERMS.title, Literal("The cited work", lang="en")) in g
    assert set(g.objects(b, RDF.type)) == {FABIO.JournalArticle}
    assert (a, DCTERMS.title, Literal("The citing work", lang="en")) in g
    assert set(g.objects(a, CITO.cites)) == {b, c}
    assert set(g.objects(d, CITO.cites)) == {b}
    assert (d, PRISM.doi, Literal("10.5555/d")) in g  # named by the index only
    assert not list(g.objects(d, RDF.type))
    assert (c, PRISM.doi, Literal("10.5555/c")) in g  # known only as cited: named at the end
    assert not list(g.objects(c, RDF.type))
    assert report.named_only == 2  # c and d
    citations = {
        (g.value(n, CITO.hasCitingEntity), g.value(n, CITO.hasCitationCreationDate))
        for n in g.subjects(RDF.type, CITO.Citation)
    }
    assert citations == {
        (a, Literal("2018-05-01", datatype=XSD.date)),
        (d, Literal("2019", datatype=XSD.gYear)),
    }
    assert len(list(g.subjects(RDF.type, CITO.JournalSelfCitation))) == 1
    # what the build found is what validating its output finds
    whole = validate_dataset(read_store([out]), load_shapes())

    def key(results: list[ValidationResult]) -> list[str]:  # where it came from: the build's
        return sorted(json.dumps(r.to_json() | {"source": None}, sort_keys=True) for r in results)

    assert key(whole.results) == key(report.validation.results)
    assert whole.results  # warnings (no abstracts): the comparison compares something


def test_workers_and_orders_give_the_same_triples(tmp_path: Path, inputs: list[Path]) -> None:
    graphs = []
    for workers, order in ((1, inputs), (2, inputs[::-1])):
        out = tmp_path / f"out{workers}.nt"
        build(order, out, base=BASE, workers=workers)
        graphs.append(set(out.read_text(encoding="utf-8").splitlines()))
    assert graphs[0] == graphs[1]
    # and the same input gives the same bytes
    again = tmp_path / "again.nt"
    build(inputs, again, base=BASE, workers=2)
    assert again.read_bytes() == (tmp_path / "out1.nt").read_bytes()


def test_a_reference_to_the_work_itself_loses_its_doi_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "self.json"
    refs = [{"key": "r1", "DOI": "10.5555/a", "unstructured": "The work itself"}]
    path.write_text(json.dumps(crossref("10.5555/a", "Cites itself", 2018, refs)))
    out = tmp_path / "out.nt"
    report = build([path], out, base=BASE)
    assert report.validation is not None and report.validation.conforms
    assert any("names the work itself" in i.message for _, i in report.issues)
    g = rdflib.Graph().parse(out, format="nt")
    a = URIRef(f"{BASE}doi/10.5555/a")
    assert not list(g.objects(a, CITO.cites))
    assert len(list(g.objects(a, rdflib.URIRef("http://purl.org/vocab/frbr/core#part")))) == 1


def test_the_real_samples_every_doi_reference_a_citation(tmp_path: Path) -> None:
    """The real Crossref works, CSL-JSON and COCI rows (tests/data/citations): each DOI that a
    reference list gives, counted here from the raw JSON, is a cito:cites of its work."""
    samples = Path(__file__).resolve().parents[1] / "data" / "citations"
    expected: dict[str, set[str]] = {}
    entries = 0  # reference entries with a DOI, repeats included
    for path in sorted(samples.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        work = raw.get("message", raw) if isinstance(raw, dict) else raw[0]
        doi = str(work.get("DOI")).lower()
        given = [str(r["DOI"]).lower() for r in work.get("reference", []) if r.get("DOI")]
        entries += sum(1 for r in given if r != doi)
        expected[doi] = set(given) - {doi}
    out = tmp_path / "out.nt"
    report = build([samples], out, base=BASE)
    assert report.validation is not None and report.validation.conforms
    g = rdflib.Graph().parse(out, format="nt")
    minter = IriMinter(BASE)
    for doi, refs in expected.items():
        cited = {str(o) for o in g.objects(URIRef(minter.doi(doi)), CITO.cites)}
        assert cited == {minter.doi(r) for r in refs}, doi
    rows = (samples / "opencitations_coci_6rows.csv").read_text(encoding="utf-8").splitlines()
    assert report.citation_rows == len(rows) - 1
    assert report.cited == entries + report.citation_rows
    assert entries == 68 + 27 + 352  # as tests/data/citations/SOURCES.md describes the files
