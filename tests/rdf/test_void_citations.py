"""kg/rdf/void.py on a graph with citations: a void:Linkset for cito:cites whose counts
match the citation links, citing and cited works counted here from the parsed quads."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import build
from kg.rdf.void import VOID, describe_dataset, load_files
from kg.resources import ontology_dir

TESTS = Path(__file__).resolve().parents[1]
CITATIONS = TESTS / "data" / "citations-graph" / "citations.trig"
BASE = "https://example.org/kg/"
DATASET = BASE + "dataset"
LINKSET = BASE + "dataset/citations"
CITES = "http://purl.org/spar/cito/cites"
CITATION = "http://purl.org/spar/cito/Citation"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def described(text: str) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE):
        s = t.subject.value  # type: ignore[union-attr]
        out.setdefault(s, {}).setdefault(t.predicate.value, set()).add(t.object.value)  # type: ignore[union-attr]
    return out


def links(path: Path) -> set[tuple[str, str]]:
    """The distinct cito:cites links of a file, whatever graph states them."""
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.N_QUADS
    return {
        (q.subject.value, q.object.value)  # type: ignore[union-attr]
        for q in ox.parse(path=str(path), format=fmt)
        if q.predicate.value == CITES
    }


@pytest.fixture(scope="module")
def all_features(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("void-citations") / "all.nq"
    build([TESTS / "cases" / "all-features"], out, validate=False)
    return out


@pytest.mark.parametrize("which", ["fixture", "build"])
def test_the_citations_linkset_counts_links_citing_and_cited_works(
    which: str, all_features: Path
) -> None:
    path = CITATIONS if which == "fixture" else all_features
    expected = links(path)
    assert expected  # both graphs have citations (some stated in two graphs)
    d = described(describe_dataset([path], base=BASE))
    assert LINKSET in d[DATASET][VOID + "subset"]
    ls = d[LINKSET]
    assert ls[RDF_TYPE] == {VOID + "Linkset"}
    assert ls[VOID + "linkPredicate"] == {CITES}
    assert ls[VOID + "subjectsTarget"] == ls[VOID + "objectsTarget"] == {DATASET}
    assert ls[VOID + "triples"] == {str(len(expected))}
    assert ls[VOID + "distinctSubjects"] == {str(len({s for s, _ in expected}))}
    assert ls[VOID + "distinctObjects"] == {str(len({o for _, o in expected}))}
    # the property partition of cito:cites says the same number of links
    parts = d[DATASET][VOID + "propertyPartition"]
    (part,) = [p for p in parts if CITES in d[p][VOID + "property"]]
    assert d[part][VOID + "triples"] == {str(len(expected))}


def test_citation_nodes_have_their_class_partition() -> None:
    fmt = ox.RdfFormat.TRIG
    quads = list(ox.parse(path=str(CITATIONS), format=fmt))
    nodes = {
        q.subject.value  # type: ignore[union-attr]
        for q in quads
        if q.predicate.value == RDF_TYPE and q.object.value == CITATION  # type: ignore[union-attr]
    }
    d = described(describe_dataset([CITATIONS], base=BASE))
    (part,) = [p for p in d[DATASET][VOID + "classPartition"] if CITATION in d[p][VOID + "class"]]
    assert d[part][VOID + "entities"] == {str(len(nodes))}


def test_no_linkset_without_citations(tmp_path: Path) -> None:
    f = tmp_path / "g.nq"
    f.write_text(
        '<http://example.com/a> <http://purl.org/dc/terms/title> "x" <http://example.com/g> .\n',
        encoding="utf-8",
    )
    d = described(describe_dataset([f], base=BASE))
    assert LINKSET not in d
    assert VOID + "Linkset" not in {o for po in d.values() for o in po.get(RDF_TYPE, set())}


def test_deterministic_and_the_same_from_a_store() -> None:
    text = describe_dataset([CITATIONS], base=BASE)
    assert text == describe_dataset([CITATIONS], base=BASE)
    assert text == describe_dataset(store=load_files([CITATIONS]), base=BASE)


def test_linkset_terms_are_defined_in_ontology() -> None:
    defined = set()
    for f in sorted(ontology_dir().glob("*.ttl")):
        for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
                defined.add(t.subject.value)
    ls = described(describe_dataset([CITATIONS], base=BASE))[LINKSET]
    assert set(ls) <= defined | {RDF_TYPE}
    assert ls[RDF_TYPE] <= defined
