"""The compiled core constraints (kg/validation/compiled.py) give pySHACL's results: on every
shape fixture, on the custom shapes, on random graphs of the shapes' vocabulary; shapes
they cannot follow are left to the engine, and the build's batches
(``validate_ntriples``) give what ``validate_graph`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, SH, XSD, Graph, Literal, URIRef

from kg.rdf.files import read_graph
from kg.validation.batched import split_shapes
from kg.validation.compiled import compile_shapes, why_not
from kg.validation.shacl import ValidationReport, load_shapes, validate_graph, validate_ntriples
from kg.validation.terms import datatype_ok, rdflib_term, split_lines

pytest.importorskip("pyshacl_turbo")

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
SHAPES = ROOT / "shapes"
CUSTOM = TESTS / "shapes" / "custom"
FIXTURES = sorted((TESTS / "shapes" / "valid").glob("*.ttl")) + sorted(
    (TESTS / "shapes" / "invalid").glob("*.ttl")
)

Key = tuple[str | None, ...]


def keys(report: ValidationReport, component: bool = True) -> set[Key]:
    return {
        (r.severity, r.shape, r.focus, r.path, r.value, r.message)
        + ((r.component,) if component else ())
        for r in report.results
    }


def test_every_shape_of_kg_compiles() -> None:
    core, _ = split_shapes(load_shapes(SHAPES))
    program = compile_shapes(core)
    assert program.skipped == {}
    assert program.rest is None  # the engine has nothing left to do
    assert len(program.tops) == 22


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_compiled_results_are_pyshacls_and_turbos(fixture: Path) -> None:
    shapes = load_shapes(SHAPES)
    graph = read_graph([fixture])
    compiled = validate_graph(graph, shapes, engine="turbo")
    turbo = validate_graph(graph, shapes, engine="turbo", compiled=False)
    reference = validate_graph(graph, shapes, engine="pyshacl")
    assert keys(compiled) == keys(turbo)
    assert keys(compiled, component=False) == keys(reference, component=False)
    # a build's batch: the N-Triples text, parsed once
    batch = validate_ntriples(graph.serialize(format="nt", encoding="utf-8"), shapes)
    assert keys(batch) == keys(compiled)
    assert batch.triples == compiled.triples == len(graph)


@pytest.mark.parametrize("folder", ["record", "whole", "literal", "node"])
def test_custom_shapes_compile_where_they_can_and_the_engine_does_the_rest(folder: str) -> None:
    shapes = load_shapes(CUSTOM / folder)
    core, _ = split_shapes(shapes)
    program = compile_shapes(core)
    data = read_graph([CUSTOM / "data.ttl"])
    reference = validate_graph(data, shapes, engine="pyshacl")
    kg = validate_graph(data, shapes)
    assert keys(kg, component=False) == keys(reference, component=False)
    text = data.serialize(format="nt", encoding="utf-8")
    assert keys(validate_ntriples(text, shapes)) == keys(kg)
    names = {str(t.shape.node).rpartition("/")[2] for t in program.tops}
    skipped = {str(s).rpartition("/")[2]: why for s, why in program.skipped.items()}
    expected = {
        "record": ({"NoAbstract", "NoYear", "ShortTitle", "TitledArticle"}, {"Creators"}),
        "whole": (set(), {"RetractedOrUntitled"}),
        "literal": (set(), {"UniqueTitle", "TitleUsedOnce"}),
        "node": ({"OneWork"}, set()),
    }[folder]
    assert expected[1] <= set(skipped), skipped
    assert not names & set(skipped)
    assert (program.rest is None) == (not skipped)


OWN = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/shapes/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .

ex:Short a sh:NodeShape ;
    sh:targetClass fabio:JournalArticle ;
    sh:property [ sh:path dcterms:title ; sh:minLength 10 ; sh:message "A title of 10" ] .

ex:Titled a sh:NodeShape ;
    sh:targetClass fabio:JournalArticle ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ; sh:message "A title" ] ,
        [ sh:path dcterms:title ; sh:pattern "^[A-Z]" ; sh:flags "i" ; sh:message "Capital" ] .

ex:Dated a sh:NodeShape ;
    sh:targetSubjectsOf dcterms:title ;
    sh:property [ sh:path dcterms:date ; sh:maxCount 1 ; sh:datatype xsd:date ;
        sh:message "One date" ] ;
    sh:not [ sh:class fabio:Book ] ;
    sh:message "Not a book" .
"""
OWN_DATA = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/a> a fabio:JournalArticle ; dcterms:title "short"@en , "a long title"@en .
<https://example.org/b> a fabio:JournalArticle , fabio:Book ; dcterms:title "x" ;
    dcterms:date "2020-02-30"^^xsd:date , "2020-01-01"^^xsd:date .
<https://example.org/c> a fabio:JournalArticle .
"""


def test_a_shape_with_a_constraint_kg_does_not_compile_is_the_engines(tmp_path: Path) -> None:
    (tmp_path / "own.ttl").write_text(OWN, encoding="utf-8")
    shapes = load_shapes(tmp_path)
    core, _ = split_shapes(shapes)
    program = compile_shapes(core)
    ex = "https://example.org/shapes/"
    assert why_not(core, URIRef(ex + "Short")) == "sh:minLength (not compiled)"
    assert why_not(core, URIRef(ex + "Titled")) == "sh:flags (not compiled)"
    assert why_not(core, URIRef(ex + "Dated")) is None
    assert [str(t.shape.node) for t in program.tops] == [ex + "Dated"]
    assert program.rest is not None
    # the engine no longer finds the compiled shape's focus nodes; it still has the others
    assert (URIRef(ex + "Dated"), SH.targetSubjectsOf, None) not in program.rest
    assert (URIRef(ex + "Short"), SH.targetClass, None) in program.rest
    data = Graph().parse(data=OWN_DATA, format="turtle")
    kg = validate_graph(data, shapes)
    reference = validate_graph(data, shapes, engine="pyshacl")
    assert keys(kg, component=False) == keys(reference, component=False)
    shapes_of = {(r.shape, r.message) for r in kg.results}
    assert {("ex:Short", "A title of 10"), ("ex:Titled", "A title")} <= {
        (s.replace(ex, "ex:"), m) for s, m in shapes_of
    }
    assert any(r.message == "Not a book" for r in kg.results)  # compiled: sh:not
    assert any(r.message == "One date" for r in kg.results)  # compiled: ill-typed, two


def test_split_lines_reads_nt_as_written_and_declines_other_spacing() -> None:
    text = b'<a> <p> "x y"@en .\n<a> <p> "x y"@en .\n# c\n\n<a> <q> _:b .\n'
    assert split_lines(text) == {("<a>", "<p>", '"x y"@en'), ("<a>", "<q>", "_:b")}
    assert split_lines(b"<a>  <p> <o> .\n") is None
    assert split_lines(b"<a>\t<p> <o> .\n") is None


def test_literals_are_compared_as_rdflib_holds_them() -> None:
    assert rdflib_term('"a\\tb\\u00e9"') == Literal("a\tb\u00e9")
    assert rdflib_term('"x"@en') == Literal("x", lang="en")
    assert datatype_ok('"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date>', str(XSD.date))
    assert not datatype_ok('"2020-02-30"^^<http://www.w3.org/2001/XMLSchema#date>', str(XSD.date))
    assert not datatype_ok('"x"@en', str(XSD.string))
    assert datatype_ok('"x"@en', str(RDF.langString))
    assert datatype_ok('"x"', str(XSD.string))
    assert not datatype_ok("<x>", str(XSD.string))


# --- random graphs of the shapes' vocabulary ----------------------------------------------

_SHAPES_GRAPH = load_shapes(SHAPES)
_CORE = Graph()
for _t in _SHAPES_GRAPH:
    if _t[1] != SH.sparql:
        _CORE.add(_t)
_CLASSES = sorted({c for c in _CORE.objects(None, SH.targetClass) if isinstance(c, URIRef)})
_CLASSES += sorted({c for c in _CORE.objects(None, SH["class"]) if isinstance(c, URIRef)})
_PREDICATES = sorted({p for p in _CORE.objects(None, SH.path) if isinstance(p, URIRef)})
_PREDICATES += sorted({p for p in _CORE.objects(None, SH.inversePath) if isinstance(p, URIRef)})
_NODES = [URIRef(f"https://example.org/kg/n{i}") for i in range(6)]
_LITERALS = [
    Literal("A title", lang="en"),
    Literal("Un titre", lang="en"),
    Literal("plain"),
    Literal("10.1234/abc"),
    Literal("10.1234/ABC "),
    Literal("1234-5678"),
    Literal("2020", datatype=XSD.gYear),
    Literal("20x0", datatype=XSD.gYear),
    Literal("2020-01-31", datatype=XSD.date),
    Literal("2020-02-31", datatype=XSD.date),
    Literal("2020-01-31T10:00:00", datatype=XSD.dateTime),
    Literal("P2Y", datatype=XSD.duration),
    Literal("https://example.org", datatype=XSD.anyURI),
    Literal("5", datatype=XSD.integer),
]
_OBJECTS = _NODES + _CLASSES + _LITERALS + [URIRef(str(SH) + "IRI")]


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    g = Graph()
    for node in _NODES:
        for cls in draw(st.lists(st.sampled_from(_CLASSES), max_size=2)):
            g.add((node, RDF.type, cls))
    for _ in range(draw(st.integers(0, 30))):
        s = draw(st.sampled_from(_NODES))
        p = draw(st.sampled_from(_PREDICATES))
        o = draw(st.sampled_from(_OBJECTS))
        g.add((s, p, o))
    return g


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(graphs())
def test_compiled_equals_pyshacl_on_random_graphs(graph: Graph) -> None:
    compiled = validate_graph(graph, _CORE, engine="turbo")
    reference = validate_graph(graph, _CORE, engine="pyshacl")
    assert keys(compiled, component=False) == keys(reference, component=False)


def test_a_batch_written_another_way_is_parsed_by_oxigraph_with_the_same_results() -> None:
    shapes = load_shapes(SHAPES)
    graph = read_graph([TESTS / "shapes" / "invalid" / "journal-issn-check-digit.ttl"])
    text = graph.serialize(format="nt", encoding="utf-8")
    tabbed = text.replace(b"> <", b">\t<")
    assert split_lines(tabbed) is None
    assert keys(validate_ntriples(tabbed, shapes)) == keys(validate_ntriples(text, shapes))
    assert validate_ntriples(text, shapes).results  # the check digit


def test_the_sparql_store_holds_the_predicates_the_patterns_name() -> None:
    from kg.validation.batched import predicates_read

    query = "SELECT $this WHERE { $this <http://ex/p>/^<http://ex/q> ?x . ?x a ?t }"
    assert predicates_read(query) == {
        "<http://ex/p>",
        "<http://ex/q>",
        f"<{RDF.type}>",
    }
    assert predicates_read("SELECT $this WHERE { $this ?p ?x }") is None
