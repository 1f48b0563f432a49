"""The build's validation is `kg validate` of what it wrote, whatever the size, order,
batches, windows and workers (kg/validation/settle.py, books.py, reach.py)."""

from __future__ import annotations

import importlib.util
import io
import json
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.emitter import Emitter as _Emitter
from kg.build.pipeline import build, build_stream
from kg.cli import cli
from kg.rdf.files import read_store
from kg.readers import find_sources
from kg.validation.books import Plan, Registry, node_key
from kg.validation.reach import reads
from kg.validation.shacl import load_shapes, validate_dataset

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
SAMPLES = TESTS / "data" / "samples"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kg_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kg_generate"] = module
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def generated(
    path: Path, n: int, people: int, *, crossref: bool = False, seed: int = 7, first: int = 0
) -> Path:
    """``n`` generated works (kg records or Crossref works) by a pool of ``people``
    recurring authors, with name variants and shared ORCID iDs (bench/generate.py)."""
    rng = random.Random(seed)
    orgs, journals = GEN.pools(rng)
    orgs, journals = orgs[:40], journals[:25]  # few journals and institutions: they recur
    pool = GEN.people_pool(random.Random(seed + 1), people, orgs)
    with path.open("w", encoding="utf-8") as f:
        for i in range(first, first + n):
            rec = GEN.record(rng, i, orgs, journals, pool)
            for out in GEN.to_crossref(rec) if crossref else [rec]:
                f.write(json.dumps(out, ensure_ascii=False) + "\n")
    return path


def key(r: dict[str, object]) -> tuple[object, ...]:
    return (r["severity"], r["shape"], r["focus"], r["path"], r["message"], r["value"])


def validate_cli(out: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["validate", str(out), "--format", "json", *extra])
    return result.exit_code, json.loads(result.output)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated works with recurring people (kg records and Crossref works with
    retraction notices), and the real samples of every source, built together."""
    d = tmp_path_factory.mktemp("mixed")
    return [
        generated(d / "works.jsonl", 300, 60),
        generated(d / "crossref.jsonl", 120, 40, crossref=True, seed=11, first=1000),
        ROOT / "data",
        SAMPLES,
        TESTS / "cases",
    ]


@pytest.mark.parametrize("fmt", ["nt", "nq"])
@pytest.mark.parametrize("workers", [1, 2])
def test_the_build_reports_what_kg_validate_finds_in_its_output(
    tmp_path: Path, mixed: list[Path], workers: int, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    report_file = tmp_path / "report.json"
    args = ["build", *map(str, mixed), "-o", str(out), "--report", str(report_file)]
    built = CliRunner().invoke(cli, ["-q", *args, "--workers", str(workers)])
    assert built.exit_code == 3, built.output  # the samples hold records kg rejects
    report = json.loads(report_file.read_text(encoding="utf-8"))
    code, found = validate_cli(out)
    assert {key(r) for r in report["validation"]["results"]} == {key(r) for r in found["results"]}
    assert report["validation"]["counts"] == found["counts"]
    assert report["validation"]["conforms"] == found["conforms"]
    assert code == (0 if found["conforms"] else 1)
    # what this is about: people merged across records, journals and works that
    # several records describe (the build used to find hundreds of violations here)
    assert report["settled"]["unsettled_nodes"] > 50
    assert report["merges"]
    assert found["counts"]["Violation"] >= 1


def test_without_rejects_the_exit_codes_are_the_same(tmp_path: Path) -> None:
    works = generated(tmp_path / "works.jsonl", 200, 40)
    bad = {"title": {"en": "Bad"}, "year": 2020, "journal": {"issn_print": "2305-8421"}}
    with works.open("a", encoding="utf-8") as f:
        f.write(json.dumps(bad) + "\n")  # an ISSN with a wrong check digit
    for resolve in ([], ["--no-resolve"]):
        out = tmp_path / "out.nt"
        built = CliRunner().invoke(cli, ["-q", "build", str(works), "-o", str(out), *resolve])
        code, found = validate_cli(out)
        assert built.exit_code == code == 1
        assert found["counts"]["Violation"] >= 1


def _whole(out: Path) -> set[tuple[object, ...]]:
    report = validate_dataset(read_store([out]), load_shapes())
    return {key(r.to_json()) for r in report.results}


def _built(sources: list[Path], out: Path, **options: object) -> set[tuple[object, ...]]:
    with out.open("w", encoding="utf-8") as f:
        report = build_stream(find_sources(sources), f, fmt=out.suffix[1:], **options)  # type: ignore[arg-type]
    assert report.validation is not None
    return {key(r.to_json()) for r in report.validation.results}


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One set of generated works with recurring people, cut into four files (and a
    Crossref file with notices, and the seed): the order of the files changes what
    each batch and window holds."""
    d = tmp_path_factory.mktemp("parts")
    whole = generated(d / "all.jsonl", 120, 25, seed=3).read_text(encoding="utf-8")
    lines = whole.splitlines(keepends=True)
    # one journal given two online ISSNs by records in two files: a defect that only
    # the two records together show; and an author with a bad ORCID iD check digit
    j = {"title": {"en": "Journal of Both"}, "issn_print": "2305-8420"}
    lines[0] += (
        json.dumps(
            {"title": {"en": "One"}, "year": 2020, "journal": {**j, "issn_online": "2312-6442"}}
        )
        + "\n"
    )
    lines[2] += (
        json.dumps(
            {
                "title": {"en": "Two"},
                "year": 2021,
                "journal": {**j, "issn_online": "1234-5679"},
                "authors": [{"name": "Kartashova A. A.", "orcid": "0000-0002-1825-0098"}],
            }
        )
        + "\n"
    )
    out = []
    for i in range(4):
        p = d / f"part{i}.jsonl"
        p.write_text("".join(lines[i::4]), encoding="utf-8")
        out.append(p)
    out.append(generated(d / "crossref.jsonl", 40, 25, crossref=True, seed=5, first=500))
    out.append(ROOT / "data" / "libartrus-2015-seed.json")
    return out


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.integers(1, 60),
    seen=st.integers(2, 60),
    cache=st.integers(2, 60),
    window=st.integers(2, 60),
    order=st.permutations(range(6)),
    resolve=st.booleans(),
    fmt=st.sampled_from(["nt", "nq"]),
)
def test_any_batch_size_window_and_input_order(
    tmp_path: Path,
    parts: list[Path],
    batch: int,
    seen: int,
    cache: int,
    window: int,
    order: list[int],
    resolve: bool,
    fmt: str,
) -> None:
    sources = [parts[i] for i in order]
    out = tmp_path / f"out.{fmt}"
    saved = _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE
    _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE = seen, cache  # down to windows of 2 nodes
    try:
        found = _built(sources, out, batch_size=batch, settle_window=window, resolve=resolve)
    finally:
        _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE = saved
    assert found == _whole(out)
    # in one graph the two records' journal has two online ISSNs; with a graph per
    # source, each file's graph is validated alone
    assert any("one online ISSN" in str(r[4]) for r in found) == (fmt == "nt")


def test_the_fallback_validates_everything_again(
    tmp_path: Path, parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # If the log of statements cannot tell which records to check again, the end
    # pass validates every record again; it must give the same answer.
    out = tmp_path / "out.nt"
    monkeypatch.setattr(Registry, "plan", lambda self: Plan(fallback=True))
    found = _built(parts, out, batch_size=7)
    assert found == _whole(out)
    assert any(severity == "Violation" for severity, *_ in found)


def test_the_registry_knows_when_its_log_does_not_suffice() -> None:
    registry = Registry(window=4)
    try:
        registry.note(1, 0, full=10, far=20)
        registry.note(1, 1, full=10, far=20)  # the same again: counted, not logged
        registry.note(1, 2, full=11, far=21)  # its far part differs: record 1 is lost
        assert registry.fallback
        plan = registry.plan()
        assert plan.fallback
    finally:
        registry.close()
    registry = Registry(window=4)
    try:
        registry.note(1, 0, full=10, far=20)
        registry.note(1, 1, full=11, far=20)  # only what other nodes do not read differs
        registry.note(2, 1, full=30, far=40)
        registry.note(2, 3, full=30, far=40)
        plan = registry.plan()
        assert not plan.fallback
        assert plan.unsettled == {1}
        assert [g.records for g in plan.groups] == [[0, 1]]
    finally:
        registry.close()


def test_nodes_in_two_graphs_are_two_nodes() -> None:
    assert node_key(5, 0) != node_key(5, 1) != node_key(5, 2)
    assert node_key(5, 0) == 5


CUSTOM = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix ex: <https://example.org/shapes/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:ArticleShape a sh:NodeShape ;
    sh:targetClass fabio:JournalArticle ;
    sh:sparql [
        sh:message "Some journal in the graph has no print ISSN" ;
        sh:prefixes ex:decl ;
        sh:select \"\"\"
            SELECT $this WHERE {
                $this a fabio:JournalArticle .
                ?j a fabio:Journal .
                FILTER NOT EXISTS { ?j prism:issn ?issn }
            }\"\"\" ;
    ] .

ex:decl sh:declare
    [ sh:prefix "fabio" ; sh:namespace "http://purl.org/spar/fabio/"^^xsd:anyURI ] ,
    [ sh:prefix "prism" ;
      sh:namespace "http://prismstandard.org/namespaces/basic/2.0/"^^xsd:anyURI ] .
"""


def test_shapes_that_read_the_whole_graph_are_checked_on_the_whole_output(
    tmp_path: Path,
) -> None:
    # A constraint whose pattern is not tied to $this reads every journal of the
    # graph: no batch can answer it, so the build validates its output whole.
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "custom.ttl").write_text(CUSTOM, encoding="utf-8")
    from kg.validation.shacl import load_shapes as load

    assert not reads(load(shapes)).bounded
    no_print = tmp_path / "records.yaml"
    no_print.write_text(
        "- {title: A, year: 2020, journal: {title: J, issn_online: 2312-6442}}\n"
        "- {title: B, year: 2021, journal: {title: K, issn_print: 2305-8420}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.nt"
    report = build([ROOT / "data", no_print], out, shapes_dir=shapes)
    assert report.validation is not None
    code, found = validate_cli(out, "--shapes", str(shapes))
    assert {key(r.to_json()) for r in report.validation.results} == {
        key(r) for r in found["results"]
    }
    assert len(found["results"]) >= 5  # every article, batches or not
    assert report.settled["whole"] == 1


def test_what_kgs_own_shapes_read_beyond_the_focus_node() -> None:
    r = reads(load_shapes())
    assert r.bounded, r.why

    def nt(prefix: str, local: str) -> str:
        ns = {
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "frbr": "http://purl.org/vocab/frbr/core#",
            "pso": "http://purl.org/spar/pso/",
            "pro": "http://purl.org/spar/pro/",
            "cito": "http://purl.org/spar/cito/",
            "oco": "https://w3id.org/oc/ontology/",
            "dcterms": "http://purl.org/dc/terms/",
            "prism": "http://prismstandard.org/namespaces/basic/2.0/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        }[prefix]
        return f"<{ns}{local}>"

    assert r.focus_in is not None and r.far_out is not None and r.far_in is not None
    # sh:class reads a value's type; the journal chain, statuses and roles are followed
    for far in [("rdf", "type"), ("frbr", "partOf"), ("pso", "withStatus"), ("pro", "isHeldBy")]:
        assert nt(*far) in r.far_out, far
    # inverse paths and `?x cito:retracts $this` read triples that point at the focus
    for incoming in [("oco", "hasNext"), ("pro", "isDocumentContextFor"), ("cito", "retracts")]:
        assert nt(*incoming) in r.focus_in, incoming
    assert nt("oco", "hasNext") in r.far_in  # two first authors: ?p1 oco:hasNext ?value
    # what only the focus node's own description holds is not read from elsewhere
    for own in [("dcterms", "title"), ("prism", "eIssn"), ("foaf", "name")]:
        assert nt(*own) not in r.far_out, own


@pytest.mark.parametrize(
    "select, bounded",
    [
        ("SELECT $this WHERE { $this <p> ?x . ?x <q> ?y }", True),
        ("SELECT $this WHERE { ?x <p> ?y }", False),  # not tied to $this
        ("SELECT $this WHERE { $this <p> ?x . { SELECT ?x WHERE { ?x <q> ?z } } }", False),
        ("SELECT $this WHERE { GRAPH ?g { $this <p> ?x } }", False),
        ("SELECT $this WHERE { $this ?p ?x . ?x <q> ?y }", True),
        ("SELECT $this WHERE { { $this <p> ?x } UNION { ?x <q> $this } }", True),
    ],
)
def test_the_analysis_of_sparql_constraints(tmp_path: Path, select: str, bounded: bool) -> None:
    from rdflib import Graph

    expanded = select.replace("<p>", "<https://example.org/p>").replace(
        "<q>", "<https://example.org/q>"
    )
    g = Graph()
    g.parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <s> a sh:NodeShape ; sh:targetClass <C> ; sh:sparql [ sh:select "{expanded}" ] .
        """,
        format="turtle",
        publicID="https://example.org/",
    )
    r = reads(g)
    assert r.bounded == bounded, r.why
    if "$this ?p ?x" in select:
        assert r.far_out is not None and "<https://example.org/q>" in r.far_out
        assert r.entry is None  # a variable predicate: anything may lead on
    if "UNION" in select:
        assert r.focus_in is not None and "<https://example.org/q>" in r.focus_in
        assert r.far_out is not None and "<https://example.org/q>" not in r.far_out


def test_only_what_several_records_describe_is_checked_again(tmp_path: Path) -> None:
    # data/: two people with ORCID iDs are named differently in two records
    report = build([ROOT / "data"], tmp_path / "out.ttl")
    assert report.validation is not None and report.validation.conforms
    assert report.settled["unsettled_nodes"] == 2
    assert report.settled["revalidated_records"] == 2
    report = build([ROOT / "data" / "libartrus-2015-seed.json"], tmp_path / "seed.ttl")
    assert report.settled["unsettled_nodes"] == report.settled["revalidated_records"] == 0


def test_build_stream_to_a_string(tmp_path: Path) -> None:
    works = generated(tmp_path / "w.jsonl", 30, 10)
    buf = io.StringIO()
    report = build_stream(find_sources([works]), buf, fmt="nt", batch_size=3)
    assert report.validation is not None
    out = tmp_path / "o.nt"
    out.write_text(buf.getvalue(), encoding="utf-8")
    assert {key(r.to_json()) for r in report.validation.results} == _whole(out)


def test_what_the_shapes_read_is_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.validation.reach
    import kg.validation.shacl

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kg.validation.reach.cached_reads.cache_clear()
    kg.validation.shacl.parse_shapes.cache_clear()
    try:
        fresh = reads(load_shapes())
        cached = list((tmp_path / "cache" / "kg").glob("reach-*.json"))
        assert len(cached) == 1
        kg.validation.reach.cached_reads.cache_clear()
        calls: list[object] = []
        monkeypatch.setattr(kg.validation.reach.Analysis, "run", lambda self: calls.append(self))
        assert reads(load_shapes()) == fresh  # read back from the file, not worked out
        assert not calls
        cached[0].write_text("{not json", encoding="utf-8")  # a broken cache is ignored
        kg.validation.reach.cached_reads.cache_clear()
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        assert reads(load_shapes()) == fresh
    finally:
        kg.validation.reach.cached_reads.cache_clear()
        kg.validation.shacl.parse_shapes.cache_clear()


@pytest.fixture(scope="module")
def citing(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated Crossref works whose reference lists cite earlier works (some retracted,
    some described in another file), works outside, and text; cut into three files; and
    an OpenCitations Index CSV whose rows cite between described and undescribed works."""
    d = tmp_path_factory.mktemp("citing")
    rng, cite = random.Random(3), random.Random(4)
    orgs, journals = GEN.pools(rng)
    pool = GEN.people_pool(random.Random(5), 30, orgs[:20])
    earlier: list[dict[str, object]] = []
    lines: list[str] = []
    for i in range(90):
        rec = GEN.record(rng, i, orgs[:20], journals[:10], pool)
        works = GEN.to_crossref(rec)
        works[0]["reference"] = GEN.references(cite, rec, 6, earlier, [], 90)
        earlier.append(rec)
        lines.extend(json.dumps(w, ensure_ascii=False) + "\n" for w in works)
    out = []
    for i in range(3):
        p = d / f"works{i}.jsonl"
        p.write_text("".join(lines[i::3]), encoding="utf-8")
        out.append(p)
    dois = [str(r["doi"]) for r in earlier] + [f"10.5555/elsewhere.{k}" for k in range(20)]
    rows = ["oci,citing,cited,creation,timespan,journal_sc,author_sc"]
    for k in range(60):
        a, b = cite.sample(dois, 2)
        rows.append(
            f"{k}-{k},{a},{b},2020-0{1 + k % 9},P{1 + k % 5}Y,{cite.choice(('yes', 'no'))},no"
        )
    index = d / "index.csv"
    index.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # a defect to find: a bad ORCID iD check digit, by an author of a work others cite
    bad = d / "bad.jsonl"
    author = {"name": "Kartashova A. A.", "orcid": "0000-0002-1825-0098"}
    work = {"doi": str(earlier[0]["doi"]), "title": {"en": "One"}, "authors": [author]}
    bad.write_text(json.dumps(work) + "\n", encoding="utf-8")
    return [*out, index, bad]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.integers(1, 40),
    seen=st.integers(2, 40),
    window=st.integers(2, 40),
    order=st.permutations(range(5)),
    fmt=st.sampled_from(["nt", "nq"]),
)
def test_citations_any_batch_size_window_and_input_order(
    tmp_path: Path,
    citing: list[Path],
    batch: int,
    seen: int,
    window: int,
    order: list[int],
    fmt: str,
) -> None:
    """Reference lists and citation-index rows keep the build's validation equal to
    validating its output, and leave nothing for the end pass to settle that citations
    alone would cause (a citing record states nothing of the works it cites)."""
    sources = [citing[i] for i in order]
    out = tmp_path / f"out.{fmt}"
    saved = _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE
    _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE = seen, seen
    try:
        found = _built(sources, out, batch_size=batch, settle_window=window)
    finally:
        _Emitter.SEEN_SIZE, _Emitter.CACHE_SIZE = saved
    assert found == _whole(out)
    assert any("0000-0002-1825-0098" in str(r) for r in found)
    text = out.read_text(encoding="utf-8")
    assert "<http://purl.org/spar/cito/cites>" in text and "cito/Citation>" in text
