from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph

from kg.build.pipeline import build
from kg.errors import UsageError

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "cases" / "seed" / "expected.ttl"
BASE = "https://example.org/kg/"
PREFIXES = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX oco: <https://w3id.org/oc/ontology/>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def built(
    tmp_path: Path, *sources: Path, name: str = "out.ttl", **kw: object
) -> tuple[Path, object]:
    out = tmp_path / name
    report = build(list(sources), out, **kw)  # type: ignore[arg-type]
    return out, report


def graph(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def test_seed_article_has_every_field_in_the_vocabulary(tmp_path: Path, seed_path: Path) -> None:
    out, report = built(tmp_path, seed_path)
    assert report.exit_code == 0 and report.validation.conforms
    g = graph(out)
    rows = list(
        g.query(
            PREFIXES
            + """
        SELECT * WHERE {
            ?a a fabio:JournalArticle ;
               dcterms:title ?title ; prism:alternateTitle ?shown ; dcterms:abstract ?abstract ;
               dcterms:language <http://id.loc.gov/vocabulary/iso639-1/ru> ;
               fabio:hasPublicationYear "2015"^^xsd:gYear ;
               fabio:hasURL "http://libartrus.com/en/archive/2015/6/10/"^^xsd:anyURI ;
               prism:startingPage "513" ; prism:endingPage "523" ; prism:pageRange "513-523" ;
               frbr:partOf ?issue ; dcterms:creator ?person ;
               pro:isDocumentContextFor ?role ; pso:holdsStatusInTime ?status .
            ?issue a fabio:JournalIssue ; prism:issueIdentifier "6" ; frbr:partOf ?volume .
            ?volume a fabio:JournalVolume ; prism:volume "4" ; frbr:partOf ?journal .
            ?journal a fabio:Journal ; dcterms:title "Liberal Arts in Russia"@en ;
               prism:issn "2305-8420" ; prism:eIssn "2312-6442" .
            ?person a foaf:Person ; foaf:name "Kartashova A. A." ;
               foaf:familyName "Kartashova" ; foaf:givenName "A. A." .
            ?role a pro:RoleInTime ; pro:withRole pro:author ; pro:isHeldBy ?person ;
               pro:relatesToOrganization ?org .
            ?org a foaf:Organization ; foaf:name "Tomsk Polytechnic University"@en ;
               datacite:hasIdentifier ?rorid ; org:hasPrimarySite ?site .
            ?rorid a datacite:Identifier ; datacite:usesIdentifierScheme datacite:ror ;
               literal:hasLiteralValue "00a45v709" .
            ?site a org:Site ; org:siteAddress ?addr .
            ?addr a vcard:Address ; vcard:street-address "30 Lenin Ave." ;
               vcard:postal-code "634050" ; vcard:locality "Tomsk" ; vcard:country-name "Russia" .
            ?status a pso:StatusInTime ; pso:withStatus pso:retracted-from-publication ;
               prov:wasDerivedFrom <http://libartrus.com/en/archive/2015/6/10/> .
        }"""
        )
    )
    assert len(rows) == 1
    row = rows[0]
    assert row.title.language == "en" and str(row.title).startswith("Cluster management model")
    assert str(row.shown).startswith("RETRACTED: Cluster management model")
    assert row.abstract.language == "en" and str(row.abstract).startswith("The aim of the article")
    keywords = sorted(
        str(k) for k in g.objects(row.a, g.namespace_manager.expand_curie("prism:keyword"))
    )
    assert keywords == sorted(
        [
            "regional clusters",
            "integration",
            "regional development",
            "strategic planning",
            "science",
            "education",
            "production",
        ]
    )
    assert str(row.journal) == BASE + "journal/issn/2305-8420"
    assert str(row.org) == BASE + "org/ror/00a45v709"
    assert not any(isinstance(t, BNode) for triple in g for t in triple)
    # nothing that MAPPING.md lists as non-existent, and no retraction date or notice invented
    text = out.read_text(encoding="utf-8")
    for absent in (
        "pso:retracted ",
        "hasEIssn",
        "hasPrintIssn",
        "prism:number",
        "isRetractionOf",
        "RetractedArticle",
        "pro:affiliate",
        "datacite:eIssn",
        "hasRetractionDate",
        "RetractionNotice",
    ):
        assert absent not in text


def test_seed_turtle_matches_the_golden_file(tmp_path: Path, seed_path: Path) -> None:
    out, _ = built(tmp_path, seed_path)
    if os.environ.get("KG_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, GOLDEN)
    expected, got = GOLDEN.read_bytes(), out.read_bytes()
    if got != expected:
        from rdflib.compare import graph_diff, to_isomorphic

        a, b = to_isomorphic(graph(GOLDEN)), to_isomorphic(graph(out))
        _, only_golden, only_new = graph_diff(a, b)
        pytest.fail(
            "output differs from tests/cases/seed/expected.ttl "
            "(KG_UPDATE_GOLDEN=1 pytest regenerates it):\n"
            f"only in golden: {sorted(only_golden)}\nonly in new: {sorted(only_new)}"
        )


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig"])
def test_same_bytes_whatever_the_order_of_inputs_and_hash_seed(
    tmp_path: Path, data_dir: Path, fmt: str
) -> None:
    files = sorted(p for p in data_dir.iterdir() if p.suffix != ".tsv")  # not the org table
    outputs = []
    for i, (order, seed) in enumerate(
        [(files, "0"), (files[::-1], "1"), (files[1:] + files[:1], "2")]
    ):
        out = tmp_path / f"out{i}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-m", "kg", "-q", "build", *map(str, order), "-o", str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def quads(path: Path) -> set[tuple[str, str, str]]:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in ox.parse(path=str(path), format=fmt)
    }


@pytest.mark.parametrize("ext", ["nt", "nq", "trig", "jsonld", "rdf"])
def test_every_output_format_holds_the_same_triples(
    tmp_path: Path, data_dir: Path, ext: str
) -> None:
    ttl, _ = built(tmp_path, data_dir, validate=False)
    other, report = built(tmp_path, data_dir, name=f"out.{ext}", validate=False)
    assert report.format == ext
    found = quads(other)
    # a graph per source also says where each graph came from
    about_graphs = {t for t in found if t[0].startswith(tuple(f"<{BASE}{k}/" for k in PROV_NODES))}
    assert bool(about_graphs) is (ext in ("nq", "trig"))
    assert found - about_graphs == quads(ttl)


PROV_NODES = ("graph", "file", "build")


def test_each_source_graph_says_where_it_came_from(tmp_path: Path, data_dir: Path) -> None:
    out, _ = built(tmp_path, data_dir, name="out.nq", validate=False)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?g ?name ?build WHERE { GRAPH ?g { ?g a prov:Entity ; prov:wasDerivedFrom ?f ;
            prov:wasGeneratedBy ?build . ?f dcterms:title ?name . ?build a prov:Activity ;
            prov:used ?f } }"""
    )
    found = sorted((r[0].value, r[1].value) for r in rows)  # type: ignore[index]
    assert found == [
        (f"{BASE}graph/{name}", name)
        for name in (
            "data/examples.yaml",
            "data/libartrus-2015-seed.json",
            "data/scientometrics-2022.csv",
        )
    ]


def test_nquads_put_each_source_in_its_own_graph(tmp_path: Path, data_dir: Path) -> None:
    out, _ = built(tmp_path, data_dir, name="out.nq", validate=False)
    graphs = {str(q.graph_name) for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {
        f"<{BASE}graph/data/examples.yaml>",
        f"<{BASE}graph/data/libartrus-2015-seed.json>",
        f"<{BASE}graph/data/scientometrics-2022.csv>",
    }


def test_shared_nodes_are_written_once(tmp_path: Path, seed_path: Path) -> None:
    record = json.loads(seed_path.read_text(encoding="utf-8"))
    second = {**record, "title": {"en": "Another article"}, "pages": "524-530", "status": []}
    src = tmp_path / "two.json"
    src.write_text(json.dumps([record, second]), encoding="utf-8")
    out, report = built(tmp_path, src, name="out.nt")
    assert report.built == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)), "a triple was written twice"
    journal_types = [
        ln for ln in lines if ln.startswith(f"<{BASE}journal/issn/2305-8420> ") and "#type>" in ln
    ]
    assert len(journal_types) == 1
    assert report.entities["fabio:Journal"] == 1 and report.entities["fabio:JournalArticle"] == 2
    assert report.entities["foaf:Organization"] == 1


def test_author_order_is_a_chain(tmp_path: Path, data_dir: Path) -> None:
    out, _ = built(tmp_path, data_dir / "examples.yaml", validate=False)
    g = graph(out)
    names = [
        str(r.name)
        for r in g.query(
            PREFIXES
            + """
        SELECT ?name (COUNT(?before) AS ?pos) WHERE {
            <https://example.org/kg/doi/10.1162/qss_a_00292> pro:isDocumentContextFor ?role .
            ?role pro:isHeldBy/foaf:name ?name .
            OPTIONAL { ?before oco:hasNext+ ?role }
        } GROUP BY ?name ORDER BY ?pos"""
        )
    ]
    assert names == [
        "Arcangelo Massari",
        "Fabio Mariani",
        "Ivan Heibi",
        "Silvio Peroni",
        "David Shotton",
    ]


def test_duplicates_are_skipped_and_later_descriptions_only_add(tmp_path: Path) -> None:
    a = {"title": "T", "doi": "10.1000/x", "journal": {"title": "J"}}
    other = {**a, "title": "Other", "status": {"type": "retracted", "source": "publisher"}}
    src = tmp_path / "r.json"
    src.write_text(json.dumps([a, a, other]), encoding="utf-8")
    out, report = built(tmp_path, src, name="out.nt", validate=False)
    assert (report.built, report.duplicates, report.merged, len(report.rejects)) == (1, 1, 1, 0)
    assert report.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert '"T"@und' in text and '"Other"' not in text  # the first description is kept
    assert "status/retracted>" in text  # the later record's status is added
    assert any("was described by r.json: record 1" in i.message for _, i in report.issues)


def test_base_iri(tmp_path: Path, seed_path: Path) -> None:
    out, _ = built(
        tmp_path, seed_path, name="out.nt", base="https://data.example.net/id/", validate=False
    )
    subjects = {line.split(" ", 1)[0] for line in out.read_text(encoding="utf-8").splitlines()}
    external = {"<http://libartrus.com/en/archive/2015/6/10/>"}
    assert all(s.startswith("<https://data.example.net/id/") for s in subjects - external)
    with pytest.raises(UsageError):
        build([seed_path], tmp_path / "x.ttl", base="not an iri")


def test_output_is_atomic(tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.ttl"
    out.write_text("previous", encoding="utf-8")

    def boom(self: object, rec: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kg.mapping.mapper.Mapper.map_record", boom)
    with pytest.raises(RuntimeError):
        build([seed_path], out)
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_rejects_file(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text('{"title": "Good"}\n{"title": "Bad", "doi": "12.3/x"}\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    _, report = built(tmp_path, src, rejects=rejects, validate=False)
    assert report.built == 1 and report.exit_code == 3
    [line] = rejects.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry == {
        "file": "r.jsonl",
        "record": "line 2",
        "field": "doi",
        "error": "'12.3/x' is not a DOI (expected a value like 10.1234/abc)",
        "data": {"title": "Bad", "doi": "12.3/x"},
    }


def test_two_statuses_of_one_kind_make_one_node(tmp_path: Path) -> None:
    src = tmp_path / "r.json"
    src.write_text(
        json.dumps(
            {
                "title": {"en": "T"},
                "doi": "10.1000/x",
                "journal": {"title": {"en": "J"}},
                "status": [
                    {
                        "type": "retracted",
                        "date": "2023-06-28",
                        "source": "publisher",
                        "notice_doi": "10.1000/n",
                    },
                    {
                        "type": "retracted",
                        "date": "2023-06-28",
                        "reasons": ["+Paper Mill"],
                        "source": "Retraction Watch",
                        "record_id": "56626",
                        "notice_doi": "10.1000/n",
                    },
                    {"type": "expression-of-concern", "notice_doi": "10.1000/eoc"},
                ],
            }
        ),
        encoding="utf-8",
    )
    out, report = built(tmp_path, src, name="out.nt", validate=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    assert report.entities["pso:StatusInTime"] == 2
    assert report.entities["fabio:RetractionNotice"] == 1
    status = f"<{BASE}doi/10.1000/x/status/retracted>"
    assert len([ln for ln in lines if ln.startswith(status) and "wasDerivedFrom" in ln]) == 2
    assert [i.message for _, i in report.issues] == [
        "the notice of the expression-of-concern status is left out: FaBiO has no class "
        "for it (the status itself is kept)"
    ]


def test_no_blank_nodes_in_any_output(tmp_path: Path, data_dir: Path) -> None:
    cases = HERE / "cases" / "all-features"
    out, _ = built(tmp_path, data_dir, cases, name="out.nq", validate=False)
    for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS):
        assert not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)), q


def test_no_triple_is_written_twice_when_sources_overlap(tmp_path: Path, data_dir: Path) -> None:
    sources = [data_dir, HERE / "cases" / "all-features", HERE / "data" / "samples"]
    out, report = built(tmp_path, *sources, name="out.nt", validate=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == report.triples


def test_validation_workers_give_the_same_report(tmp_path: Path, data_dir: Path) -> None:
    # 1,051 OpenCitations rows make six batches of 200 for the two workers; a bad
    # ISSN check digit makes sure there is a violation to report
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {title: Bad ISSN, year: 2020, journal: {title: J, issn_print: 2305-8421}}\n",
        encoding="utf-8",
    )
    endgame = HERE / "data" / "samples" / "opencitations_meta" / "input_csv" / "endgame_4.csv"
    sources = [data_dir, endgame, bad]
    reports = []
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.nt"
        report = build(sources, out, workers=workers)
        reports.append(report.validation.to_json())  # type: ignore[union-attr]
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert reports[0] == reports[1]
    assert '"conforms": false' in reports[0] and "2305-8421" in reports[0]


def test_the_shapes_are_record_local(tmp_path: Path, data_dir: Path) -> None:
    """Validating records one at a time finds what validating them together finds.

    This is what lets kg validate in batches (and in parallel workers): no shape
    needs nodes from another record. Records with defects are included, so that
    the comparison covers results, not only their absence.
    """
    import pyoxigraph as ox

    from kg.iris import IriMinter
    from kg.mapping.mapper import Mapper
    from kg.readers import find_sources, read_source
    from kg.records import Record
    from kg.validation.shacl import load_shapes, validate_graph

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {title: Bad ISSN, year: 2020, journal: {title: J, issn_print: 2305-8421}}\n"
        "- {title: Bad ORCID, year: 2020, authors: [{name: A B, orcid: 0000-0002-1825-0098}]}\n",
        encoding="utf-8",
    )
    samples = HERE / "data" / "samples"
    inputs = [data_dir, HERE / "cases" / "all-features", bad, samples / "jats_xml", samples / "ris"]
    mapper = Mapper(IriMinter())
    records = [
        item for s in find_sources(inputs) for item in read_source(s) if isinstance(item, Record)
    ]
    shapes = load_shapes()

    def results(blocks_of: list[list[object]]) -> set[tuple[str, str, str, str | None]]:
        lines = [
            f"{b.subject} {p} {o} .\n" for blocks in blocks_of for b in blocks for p, o in b.pairs
        ]  # type: ignore[attr-defined]
        store = ox.Store()
        store.bulk_load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        report = validate_graph(store, shapes)
        return {(r.severity, r.focus, r.message, r.path) for r in report.results}

    # one record per work: two records of one work are not independent (in one graph
    # the build keeps the first description; with a graph per source, each graph is
    # validated on its own)
    mapped, seen = [], set()
    for rec in records:
        m = mapper.map_record(rec)
        if m.subject not in seen:
            seen.add(m.subject)
            mapped.append(m.blocks)
    together = results(mapped)
    alone: set[tuple[str, str, str, str | None]] = set()
    for blocks in mapped:
        alone |= results([blocks])
    assert len(records) > 100
    assert any(severity == "Violation" for severity, *_ in together)
    assert alone == together


def _crossref_lines(tmp_path: Path) -> list[Path]:
    """Crossref works as JSON Lines (a repeated work, a broken line) and a cut-off .jsonl.gz."""
    import gzip

    dump = HERE / "data" / "samples" / "crossref_api" / "crossref_dump_items"
    items = json.loads((dump / "oc_ds_converter_40228.json").read_text(encoding="utf-8"))["items"]
    lines = [json.dumps(item) for item in items]
    lines[3:3] = [lines[0], "{broken", ""]  # the same work again, a broken line, a blank one
    works = tmp_path / "works.jsonl"
    works.write_text("\n".join(lines) + "\n", encoding="utf-8")
    packed = gzip.compress(("\n".join(lines[:8]) + "\n").encode("utf-8"))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    return [works, cut]


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl"])
def test_mapping_workers_write_what_one_process_writes(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # Three lines per unit cut the JSON Lines files into many units for two
    # worker processes; entity resolution needs each worker to know where its
    # unit starts among all records.
    import kg.readers.registry

    monkeypatch.setattr(kg.readers.registry, "UNIT_LINES", 3)
    sources = [data_dir, HERE / "data" / "samples", *_crossref_lines(tmp_path)]
    outputs, reports = [], []
    for workers in (1, 2):
        (tmp_path / str(workers)).mkdir()
        out = tmp_path / str(workers) / f"out.{fmt}"
        report = build(sources, out, workers=workers, validate=False)
        outputs.append(out.read_bytes())
        reports.append(json.loads(report.to_json()) | {"output": None})
    assert outputs[0] == outputs[1]
    assert reports[0] == reports[1]
    report_json = reports[0]
    assert report_json["records"] > 1000 and report_json["duplicates"] >= 1
    rejected = {r["file"] for r in report_json["rejects"]}
    assert {"works.jsonl", "cut.jsonl.gz"} <= rejected


def test_a_shared_node_is_validated_with_what_every_record_gave_it(tmp_path: Path) -> None:
    # Two records give one journal (the same print ISSN) two different online
    # ISSNs. Each record alone is valid; together they break "a journal has one
    # online ISSN", even when the records are validated in separate batches.
    import io

    from kg.build.pipeline import build_stream
    from kg.readers import find_sources

    records = tmp_path / "two.yaml"
    records.write_text(
        "- {title: One, year: 2020, journal: {title: J, issn_print: 2305-8420,"
        " issn_online: 2312-6442}}\n"
        "- {title: Two, year: 2021, journal: {title: J, issn_print: 2305-8420,"
        " issn_online: 1234-5679}}\n",
        encoding="utf-8",
    )
    for batch_size in (1, 2):
        report = build_stream(
            find_sources([records]), io.StringIO(), fmt="nt", batch_size=batch_size
        )
        assert report.validation is not None
        found = [
            r
            for r in report.validation.results
            if r.path == "prism:eIssn" and r.focus.endswith("journal/issn/2305-8420")
        ]
        assert [r.message for r in found] == ["A journal has one online ISSN"], batch_size


def test_the_work_index_holds_what_a_dict_holds() -> None:
    # the build remembers every work in this compact map (kg/build.py _WorkIndex)
    import random

    from kg.build.pipeline import _WorkIndex

    index, reference = _WorkIndex(4), {}
    rnd = random.Random(8)
    for _ in range(20_000):
        key = rnd.getrandbits(64) - (1 << 63)  # Python's hash() is signed
        value = rnd.getrandbits(64)
        index[key] = value
        reference[key] = value
        if rnd.random() < 0.1:  # an update of a key already there
            index[key] = reference[key] = rnd.getrandbits(64)
    assert index.size == len(reference)
    assert all(index.get(k) == v for k, v in reference.items())
    assert sum(rnd.getrandbits(64) in index for _ in range(1000)) == 0


class _Recorder:
    """A progress display that remembers what the build told it."""

    def __init__(self, on_phase: dict[str, object] | None = None) -> None:
        self.phases: list[tuple[str, int | None, str]] = []
        self.done: list[int] = []  # per phase
        self.records: list[int] = []
        self.on_phase = on_phase or {}

    def phase(self, name: str, total: int | None, unit: str = "B") -> None:
        self.phases.append((name, total, unit))
        self.done.append(0)
        self.records.append(0)
        action = self.on_phase.get(name)
        if callable(action):
            action()

    def advance(self, done: int = 0, records: int = 0) -> None:
        self.done[-1] += done
        self.records[-1] += records


def _works(tmp_path: Path, n: int = 30) -> Path:
    path = tmp_path / "works.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            name = ("Kartashova A. A.", "Anna A. Kartashova")[i % 2]  # one person, two names
            author = {"name": name, "orcid": "0000-0002-1825-0097"}
            f.write(
                json.dumps(
                    {
                        "title": {"en": f"Work {i}"},
                        "year": 2020,
                        "doi": f"10.1234/work.{i}",
                        "journal": {"title": {"en": "J"}, "issn_print": "2305-8420"},
                        "authors": [author],
                    }
                )
                + "\n"
            )
    return path


def test_progress_has_a_total_for_each_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.readers.registry

    monkeypatch.setattr(kg.readers.registry, "UNIT_LINES", 7)  # several units in one file
    works = _works(tmp_path)
    size = works.stat().st_size + (HERE.parent / "data" / "examples.yaml").stat().st_size
    bar = _Recorder()
    build([works, HERE.parent / "data" / "examples.yaml"], tmp_path / "out.nt", progress=bar)
    names = [name for name, _, _ in bar.phases]
    assert names == [
        "checking inputs",
        "resolving",
        "building",
        "checking again",
        "checking inputs",
    ]
    for i, (name, total, unit) in enumerate(bar.phases):
        if unit == "B":
            assert total == size and bar.done[i] == size, name
    assert bar.records[1] == bar.records[2] == 32  # the two passes over the records
    # the person is named two ways: one record for each way is read and checked again
    assert bar.phases[3][1] == bar.records[3] == 2


@pytest.mark.parametrize("when", ["building", "checking again"])
def test_an_input_that_changes_between_passes_stops_the_build(tmp_path: Path, when: str) -> None:
    # entity resolution reads the inputs before the build writes them, and the
    # end of validation reads some records again: each pass must see the same file
    works = _works(tmp_path)
    out = tmp_path / "out.nt"

    def change() -> None:
        text = works.read_text(encoding="utf-8").replace("Work 1", "Work one")
        works.write_text(text, encoding="utf-8")

    from kg.errors import InputError

    with pytest.raises(InputError, match="works.jsonl changed while kg was building it"):
        build([works], out, progress=_Recorder({when: change}))
    assert not out.exists()
    assert not list(tmp_path.glob(".out.nt*"))  # no half-written file either


def test_the_command_line_says_which_file_changed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.build import pipeline as build_module
    from kg.cli import cli

    works = _works(tmp_path)
    original = build_module._Inputs.check_quickly

    def touch_then_check(self: object) -> None:
        works.write_text(works.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        original(self)  # type: ignore[arg-type]

    build_module._Inputs.check_quickly = touch_then_check  # type: ignore[method-assign]
    try:
        result = CliRunner().invoke(cli, ["build", str(works), "-o", str(tmp_path / "o.nt")])
    finally:
        build_module._Inputs.check_quickly = original  # type: ignore[method-assign]
    assert result.exit_code == 3
    assert "works.jsonl changed while kg was building it" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.nt").exists()
