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

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/build/)
GOLDEN = TESTS / "cases" / "seed" / "expected.ttl"
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
    cases = TESTS / "cases" / "all-features"
    out, _ = built(tmp_path, data_dir, cases, name="out.nq", validate=False)
    for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS):
        assert not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)), q


def test_no_triple_is_written_twice_when_sources_overlap(tmp_path: Path, data_dir: Path) -> None:
    sources = [data_dir, TESTS / "cases" / "all-features", TESTS / "data" / "samples"]
    out, report = built(tmp_path, *sources, name="out.nt", validate=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == report.triples


def test_the_report_file_streams_every_merge_as_json_dumps_would(tmp_path: Path) -> None:
    """--report writes entity resolution's merges one at a time (a build of millions has
    millions); the file is what json.dumps of the whole report, held in memory, gives."""
    works = tmp_path / "works.jsonl"
    subprocess.run(
        [sys.executable, str(TESTS.parent / "bench" / "generate.py"), "300", "--people", "60"]
        + ["-o", str(works)],
        check=True,
    )
    report_path = tmp_path / "report.json"
    report = build([works], tmp_path / "out.nt", validate=False, report_path=report_path)
    assert len(report.merges) > 10 and len(report.near_misses) > 0
    whole = json.loads(report_path.read_text(encoding="utf-8"))
    assert whole["merges"] == [m.as_dict() for m in report.merges]
    assert whole["near_misses"] == [m.as_dict() for m in report.near_misses]
    assert (
        report_path.read_text(encoding="utf-8")
        == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    )
    # and with nothing to stream
    empty = build([works], tmp_path / "plain.nt", validate=False, resolve=False)
    assert json.loads(empty.to_json())["merges"] == [] and '"merges": []' in empty.to_json()


def test_the_summary_names_no_engine_when_none_ran() -> None:
    from kg.build.report import BuildReport
    from kg.validation.shacl import ValidationReport

    summary = BuildReport(validation=ValidationReport()).summary()
    assert "Validation: " in summary and "()" not in summary
    summary = BuildReport(validation=ValidationReport(engine="turbo")).summary()
    assert "Validation (turbo): " in summary
