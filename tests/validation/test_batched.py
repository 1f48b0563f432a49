"""Validation is right for any shapes: the SPARQL constraints that kg runs once over the
whole data (kg/validation/batched.py) are kg's own, and any other shapes give the
results pySHACL gives, in `kg validate --shapes` and in `kg build --shapes`.

The custom shapes and their graph are in tests/shapes/custom/ (see its README).
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, SH, Graph, Literal, URIRef

from kg.build.pipeline import build_stream
from kg.cli import cli
from kg.rdf.files import read_graph
from kg.readers import find_sources
from kg.validation.batched import prefixes, split_shapes, why_not_batched, why_not_shape
from kg.validation.reach import reads
from kg.validation.shacl import (
    ValidationReport,
    graph_to_store,
    load_shapes,
    validate_graph,
)

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
SHAPES = TESTS / "shapes"
CUSTOM = SHAPES / "custom"
FIXTURES = sorted((SHAPES / "valid").glob("*.ttl")) + sorted((SHAPES / "invalid").glob("*.ttl"))
SAMPLES = TESTS / "data" / "samples"

Key = tuple[str | None, ...]


def key(r: dict[str, str | None]) -> Key:
    return (r["severity"], r["shape"], r["focus"], r["path"], r["value"], r["message"])


def keys(report: ValidationReport) -> set[Key]:
    return {key(r.to_json()) for r in report.results}


def pyshacl_results(data: Graph, shapes_dir: Path) -> ValidationReport:
    """The reference: pySHACL's own validation of the same data with the same shapes."""
    report = validate_graph(data, load_shapes(shapes_dir), engine="pyshacl")
    assert report.engine == "pyshacl"
    return report


# --- kg's own shapes keep the shortcut, and it holds for them ---------------------------


def test_every_constraint_of_kgs_own_shapes_runs_once() -> None:
    shapes = load_shapes(ROOT / "shapes")
    constraints = sorted(shapes.subject_objects(SH.sparql))
    reasons = {str(c): why_not_shape(shapes, s, c) for s, c in constraints}
    assert all(r is None for r in reasons.values()), reasons
    core, checks = split_shapes(shapes)
    assert len(checks) == len(constraints) == 15
    assert not list(core.subject_objects(SH.sparql))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_the_shortcut_gives_what_a_run_per_focus_node_gives(fixture: Path) -> None:
    # For each of kg's constraints and each fixture graph: the solutions of one run with
    # $this free, kept for the focus nodes, are those of one run per focus node with
    # $this pre-bound (Oxigraph's substitutions, the SHACL pre-binding).
    store = graph_to_store(read_graph([fixture]))
    _, checks = split_shapes(load_shapes(ROOT / "shapes"))
    for check in checks:
        once = {(f, tuple(sorted((k, v) for k, v in b.items()))) for f, b in check.rows(store)}
        each = set()
        for focus in check.focus_nodes(store):
            found = store.query(check.query, substitutions={ox.Variable("this"): focus})
            assert isinstance(found, ox.QuerySolutions)
            names = [v.value for v in found.variables]
            for row in found:
                bound = {n: row[n] for n in names if row[n] is not None} | {"this": focus}
                each.add((focus, tuple(sorted(bound.items()))))
        assert once == each, check.shape


@pytest.mark.parametrize(
    "select, why",
    [
        ("SELECT $this WHERE { $this ex:p ?x . FILTER NOT EXISTS { ?x ex:q $this } }", None),
        ("SELECT $this ?v WHERE { $this ex:p ?v OPTIONAL { $this ex:q ?w } }", None),
        ("SELECT $this WHERE { { $this ex:p ?x } UNION { ?x ex:q $this } }", None),
        ("SELECT DISTINCT $this WHERE { $this ex:p+ ?x } ORDER BY ?x", None),
        ("SELECT * WHERE { $this ex:p ?x . BIND(STR(?x) AS ?s) FILTER(?s != '') }", None),
        ("SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?x } }", "FILTER"),
        ("SELECT $this WHERE { OPTIONAL { $this ex:p ?x } FILTER(!BOUND(?x)) }", "OPTIONAL"),
        ("SELECT $this WHERE { { $this ex:p ?x } UNION { ?x ex:q ?y } }", "UNION"),
        ("SELECT $this WHERE { ?x ex:p ?y . BIND($this AS ?z) }", "BIND"),
        ("SELECT $this WHERE { ?x ex:p ?y }", "not bound"),
        ("SELECT ?x WHERE { $this ex:p ?x }", "not projected"),
        ("SELECT $this WHERE { $this ex:p ?x } LIMIT 1", "LIMIT"),
        ("SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } GROUP BY $this", "GROUP BY"),
        ("SELECT $this WHERE { $this ex:p ?x MINUS { ?x ex:q $this } }", "MINUS"),
        ("SELECT $this WHERE { $this ex:p ?x { SELECT ?x WHERE { ?x ex:q ?y } } }", "sub-"),
        ("SELECT $this WHERE { $this ex:p ?x VALUES ?x { ex:a } }", "VALUES"),
        ("SELECT $this WHERE { GRAPH ?g { $this ex:p ?x } }", "GRAPH"),
        ("SELECT $this WHERE { $this ex:p ?x FILTER(?x != $currentShape) }", "currentShape"),
        ("SELECT $this ?message WHERE { $this ex:p ?message }", "message"),
        ("SELECT $this WHERE { $this ex:p ?x", "does not parse"),
    ],
)
def test_which_queries_may_run_once(select: str, why: str | None) -> None:
    found = why_not_batched(select, {"ex": "https://example.org/"})
    if why is None:
        assert found is None
    else:
        assert found is not None and why in found, found


def test_the_answers_are_kept_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.validation.batched as batched

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(batched, "_PROOFS_LOADED", [])
    monkeypatch.setattr(batched, "_PROOFS", {})
    ns = {"ex": "https://example.org/"}
    unsafe = "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?x } }"
    safe = "SELECT $this WHERE { $this ex:p ?x }"
    first = why_not_batched(unsafe, ns), why_not_batched(safe, ns)
    assert first[0] is not None and first[1] is None
    (cache,) = (tmp_path / "kg").glob("batched-*.json")
    assert len(json.loads(cache.read_text(encoding="utf-8"))) == 2

    def fail(select: str, prefixes: dict[str, str]) -> str | None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(batched, "_PROOFS", {})  # a new process: only the file
    monkeypatch.setattr(batched, "_prove", fail)
    assert (why_not_batched(unsafe, ns), why_not_batched(safe, ns)) == first
    # another namespace for the same prefix is another query
    with pytest.raises(AssertionError, match="parsed again"):
        why_not_batched(safe, {"ex": "https://example.com/"})


def test_which_shapes_may_run_once() -> None:
    g = Graph().parse(CUSTOM / "record" / "custom.ttl")
    ex = "https://example.org/shapes/"
    found = {
        str(s).removeprefix(ex): why_not_shape(g, s, c) for s, c in g.subject_objects(SH.sparql)
    }
    assert found["ShortTitle"] is None  # a superclass target is fine: its focus nodes are
    assert "targetClass" in str(found["Creators"])  # sh:targetSubjectsOf
    assert "targetClass" in str(found["Containers"])  # sh:targetObjectsOf
    assert "used by another shape" in str(found["TitledArticle"])
    assert "FILTER" in str(found["NoAbstract"])
    assert "OPTIONAL" in str(found["NoYear"])
    assert prefixes(g, next(g.objects(URIRef(ex + "NoAbstract"), SH.sparql)))["fabio"] == (
        "http://purl.org/spar/fabio/"
    )


# --- custom shapes give pySHACL's results ------------------------------------------


@pytest.mark.parametrize("shapes", ["record", "whole"])
def test_kg_validate_with_custom_shapes_gives_pyshacls_results(shapes: Path | str) -> None:
    shapes_dir = CUSTOM / str(shapes)
    data = CUSTOM / "data.ttl"
    args = ["validate", str(data), "--shapes", str(shapes_dir), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    found = json.loads(result.output)
    reference = pyshacl_results(read_graph([data]), shapes_dir)
    assert {key(r) for r in found["results"]} == keys(reference)
    assert found["counts"] == reference.counts()
    assert result.exit_code == (0 if reference.conforms else 1)
    # every custom shape finds something in the graph, so that a shape the shortcut
    # got wrong would show
    named = {str(s) for s in load_shapes(shapes_dir).subjects(RDF.type, SH.NodeShape)}
    assert named == {r["shape"] for r in found["results"]}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kg_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kg_generate"] = module
    spec.loader.exec_module(module)
    return module


def generated(path: Path, n: int, people: int, *, crossref: bool = False, seed: int = 7) -> Path:
    """``n`` generated works in few journals by a pool of recurring authors
    (bench/generate.py): journals, volumes and people that several records describe."""
    gen = _generator()
    rng = random.Random(seed)
    orgs, journals = gen.pools(rng)
    pool = gen.people_pool(random.Random(seed + 1), people, orgs[:40])
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            rec = gen.record(rng, i + seed * 1000, orgs[:40], journals[:10], pool)
            for out in gen.to_crossref(rec) if crossref else [rec]:
                f.write(json.dumps(out, ensure_ascii=False) + "\n")
    return path


EXTRA = """\
- title: A work without a year by someone known only by name
  journal: {title: Journal of Examples, issn_print: 2305-8420}
  volume: "3"
  authors:
    - name: Collective of Authors
- title: A work with a year and an abstract in the same journal
  year: 2021
  journal: {title: Journal of Examples, issn_print: 2305-8420}
  volume: "3"
  abstract: {en: An abstract.}
  authors:
    - {name: A. Ivanova, family: Ivanova, given: A.}
- {title: The Same Title, year: 2019, doi: 10.1234/kg-same-1}
- {title: A work that a node target names, year: 2020, doi: 10.1234/kg-target}
- {title: The Same Title, year: 2021, doi: 10.1234/kg-same-2}
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("sources")
    (d / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return [
        ROOT / "data",
        generated(d / "works.jsonl", 60, 15),
        generated(d / "crossref.jsonl", 30, 15, crossref=True, seed=11),
        d / "extra.yaml",
        SAMPLES / "retraction_watch",
        SAMPLES / "crossref_api" / "retraction_notices",
    ]


@pytest.mark.parametrize("shapes", ["record", "whole"])
def test_kg_build_with_custom_shapes_gives_pyshacls_results(
    tmp_path: Path, sources: list[Path], shapes: str
) -> None:
    shapes_dir = CUSTOM / shapes
    out, report_file = tmp_path / "out.nt", tmp_path / "report.json"
    args = ["-q", "build", *map(str, sources), "--shapes", str(shapes_dir), "-o", str(out)]
    built = CliRunner().invoke(cli, [*args, "--report", str(report_file)])
    assert report_file.exists(), built.output
    report = json.loads(report_file.read_text(encoding="utf-8"))
    reference = pyshacl_results(read_graph([out]), shapes_dir)
    assert {key(r) for r in report["validation"]["results"]} == keys(reference)
    assert report["validation"]["counts"] == reference.counts()
    assert built.exit_code == (0 if reference.conforms else 1), built.output
    if shapes == "record":
        # validated in batches, the nodes that several records describe settled at the end
        assert report["settled"]["whole"] == 0
        assert report["settled"]["unsettled_nodes"] > 0
        found = {r["shape"].rpartition("/")[2] for r in report["validation"]["results"]}
        assert {"NoAbstract", "NoYear", "Creators", "Containers"} <= found
    else:
        assert report["settled"]["whole"] == 1  # no batch can answer a pattern not tied to $this
        assert report["validation"]["counts"]["Info"] > 0


@pytest.mark.parametrize(
    "shapes, batched",
    [("record", True), ("whole", False), ("literal", False), ("node", False)],
)
def test_a_build_in_small_batches_gives_pyshacls_results(
    tmp_path: Path, sources: list[Path], shapes: str, batched: bool
) -> None:
    # batches of 3 records: most journals, people and works that several records
    # describe are in several batches, and are settled at the end
    shapes_dir = CUSTOM / shapes
    out = tmp_path / "out.nt"
    with out.open("w", encoding="utf-8") as f:
        built = build_stream(
            find_sources(sources), f, fmt="nt", shapes=load_shapes(shapes_dir), batch_size=3
        )
    assert built.validation is not None
    reference = pyshacl_results(read_graph([out]), shapes_dir)
    assert keys(built.validation) == keys(reference)
    assert built.validation.results
    # the shapes that kg cannot follow record by record make it validate the whole output:
    # a pattern not tied to $this, a node target, a literal read from its incoming triples
    assert built.settled["whole"] == (0 if batched else 1)
    assert reads(load_shapes(shapes_dir)).bounded == (shapes in ("record", "literal"))


# --- a property: any small graph ------------------------------------------------------

FABIO = "http://purl.org/spar/fabio/"
NODES = [URIRef(f"https://example.org/kg/n{i}") for i in range(6)]
CLASSES = [URIRef(FABIO + c) for c in ("JournalArticle", "Article", "Expression", "Journal")] + [
    URIRef("https://example.org/classes/Preprint")
]
LINKS = [
    URIRef(u)
    for u in (
        "http://purl.org/dc/terms/creator",
        "http://purl.org/vocab/frbr/core#partOf",
        "http://purl.org/spar/cito/isRetractedBy",
    )
]
TEXTS = [
    URIRef(u)
    for u in (
        "http://purl.org/dc/terms/title",
        "http://purl.org/dc/terms/abstract",
        "http://purl.org/spar/fabio/hasPublicationYear",
        "http://xmlns.com/foaf/0.1/familyName",
    )
]
SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")

triples = st.one_of(
    st.tuples(st.sampled_from(NODES), st.just(RDF.type), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(CLASSES), st.just(SUBCLASS), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(NODES), st.sampled_from(LINKS), st.sampled_from(NODES)),
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(TEXTS),
        st.sampled_from([Literal("Short"), Literal("A title long enough to pass the shape")]),
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=st.lists(triples, max_size=25))
def test_any_small_graph_gives_pyshacls_results(graph: list[tuple[URIRef, URIRef, object]]) -> None:
    data = Graph()
    for t in graph:
        data.add(t)  # type: ignore[arg-type]
    for shapes in ("record", "whole"):
        kg = validate_graph(data, load_shapes(CUSTOM / shapes))  # the default engine
        assert keys(kg) == keys(pyshacl_results(data, CUSTOM / shapes))
