"""Files are told by their content, whatever their name: each real sample is recognised
as what it is with its extension removed or changed; ``--from`` reads any file; folder
builds pass over what is not records and list it, by kind, in the summary."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.cli import cli
from kg.readers import Reject, Skipped, SourceFile, detect_reader, find_sources, read_source
from kg.readers.detect import detect
from kg.readers.registry import scan_sources
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/readers/)
SAMPLES = TESTS / "data" / "samples"
DETECT = TESTS / "data" / "detect"  # formats kg does not read (yet), and files of no records
DATA = TESTS.parent / "data"

# every real sample: the reader of its records (None: kg reads none) and what it is
KNOWN = [
    (SAMPLES / "ris/litsearchr/scopus_92.ris", "ris", "RIS"),
    (SAMPLES / "bibtex/litsearchr/scopus_final_first200.bib", "bibtex", "BibTeX"),
    (SAMPLES / "jats_xml/elife/elife00005.xml", "jats", "JATS XML"),
    (SAMPLES / "jats_xml/pmc_oa/pone.0000217.nxml", "jats", "JATS XML"),
    *(
        (p, "crossref", "Crossref works (JSON)")
        for p in [
            *sorted((SAMPLES / "crossref_api").rglob("*.json")),
            *sorted((DETECT / "citations").glob("*.json")),
        ]
    ),
    *(
        (p, "opencitations", "OpenCitations Meta CSV")
        for p in sorted((SAMPLES / "opencitations_meta").rglob("*.csv"))
    ),
    *(
        (p, "retraction-watch", "Retraction Watch CSV")
        for p in [
            SAMPLES / "retraction_watch/rw_official_columns_radiology_6rows.csv",
            DETECT / "retraction_watch/rw_lifesci_subset_cyrillic_mojibake_authors_3rows.csv",
        ]
    ),
    (DATA / "libartrus-2015-seed.json", "native", "kg records (JSON)"),
    (DATA / "scientometrics-2022.csv", "native", "kg records (CSV)"),
    (TESTS / "cases/formats/pages/ojs-article.html", "page", "HTML (a landing page)"),
    (DETECT / "pubmed/limo_citations.nbib", "medline", "MEDLINE (PubMed)"),
    (
        DETECT / "pubmed/neilfws_retractions_first60.medline",
        "medline",
        "MEDLINE (PubMed)",
    ),
    (DETECT / "pubmed/biopython_pubmed2_2articles.xml", "pubmed", "PubMed XML"),
    (DETECT / "pubmed/neilfws_example_retracted_pmid993.xml", "pubmed", "PubMed XML"),
    *((p, "csl", "CSL-JSON") for p in sorted((DETECT / "csl").glob("*.json"))),
    (
        DETECT / "citations/opencitations_coci_6rows.csv",
        "opencitations",
        "OpenCitations Index citations (CSV)",
    ),
    (DETECT / "scholarly_rdf/scigraph/sgcontext.json", None, "JSON-LD context"),
    (DETECT / "scholarly_rdf/scigraph/article.jsonld", None, "JSON-LD (linked data)"),
    (DETECT / "scholarly_rdf/scigraph/sg--fabio.ttl", None, "RDF (Turtle)"),
    (
        DETECT / "opencitations_meta/rdf_output/massari_publications.nt",
        None,
        "RDF (N-Triples or N-Quads)",
    ),
    (DATA / "organisations.tsv", None, "organisation names table (kg build --organisations)"),
]


def _id(p: Path) -> str:
    return p.name


@pytest.mark.parametrize(("path", "reader", "kind"), KNOWN, ids=[_id(k[0]) for k in KNOWN])
def test_each_sample_is_told_by_its_content_whatever_its_name(
    tmp_path: Path, path: Path, reader: str | None, kind: str
) -> None:
    data = path.read_bytes()
    names = {
        path.name: data,  # as published
        "export": data,  # no extension
        "export.txt": data,  # a misleading one
        "export.json": data,
        "export.csv": data,
        "export.dat": gzip.compress(data),  # gzipped, and the name does not say so
    }
    for name, content in names.items():
        copy = tmp_path / name
        copy.write_bytes(content)
        found = detect(copy)
        assert (found.reader, found.label) == (reader, kind), name


def _results(path: Path) -> list[tuple[str, str | None]]:
    (source,) = find_sources([path])
    out: list[tuple[str, str | None]] = []
    for item in read_source(source):
        if isinstance(item, Record):
            out.append(("record", item.doi or item.titles[0][0]))
        elif isinstance(item, Reject):
            out.append(("reject", item.error.problem))
        else:
            out.append(("skipped", item.kind))
    return out


@pytest.mark.parametrize(
    "path",
    [
        SAMPLES / "ris/litsearchr/scopus_92.ris",
        SAMPLES / "bibtex/litsearchr/scopus_final_first200.bib",
        SAMPLES / "jats_xml/pmc_oa/pone.0000217.nxml",
        SAMPLES / "crossref_api/crossref_dump_items/oc_ds_converter_40228.json",
        SAMPLES / "opencitations_meta/input_csv/example_metadata.csv",
        SAMPLES / "retraction_watch/rw_official_columns_radiology_6rows.csv",
        TESTS / "cases/formats/pages/ojs-article.html",
    ],
    ids=_id,
)
def test_records_read_without_the_extension_are_the_same(tmp_path: Path, path: Path) -> None:
    renamed = tmp_path / "export"
    shutil.copy(path, renamed)
    expected = _results(path)
    assert any(kind == "record" for kind, _ in expected)
    assert _results(renamed) == expected


def test_the_cyrillic_retraction_watch_excerpt_is_read_as_retraction_watch() -> None:
    # found: its two columns ("Record ID", "Author") made it native CSV, and every
    # row was rejected with "unknown field 'Author'"
    path = DETECT / "retraction_watch/rw_lifesci_subset_cyrillic_mojibake_authors_3rows.csv"
    assert detect_reader(path) == "retraction-watch"
    report = build([path], None, validate=False, stdout=io.StringIO())
    assert [f.reader for f in report.files] == ["retraction-watch"]
    assert report.records == 3
    assert not [r for r in report.rejects if "unknown field" in r.error.problem]


def _kg(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_from_reads_any_file_whatever_its_extension(tmp_path: Path) -> None:
    # found: "--from ris scopus.txt" said "the ris reader does not read text files"
    ris = SAMPLES / "ris/litsearchr/scopus_92.ris"
    cases = {
        "scopus.txt": ("ris", ris, 92),
        "scopus": ("ris", ris, 92),
        "works.dat": ("crossref", SAMPLES / "crossref_api/oc_meta_fixtures/qss_a_00292.json", 1),
        "rows.txt": (
            "retraction-watch",
            SAMPLES / "retraction_watch/rw_official_columns_radiology_6rows.csv",
            6,
        ),
        "records.txt": ("native", DATA / "libartrus-2015-seed.json", 1),
        "examples.txt": ("native", DATA / "examples.yaml", 2),
    }
    for name, (reader, original, records) in cases.items():
        path = tmp_path / name
        shutil.copy(original, path)
        out = tmp_path / "out.nt"
        result = _kg("build", "--from", reader, str(path), "-o", str(out), "--no-validate")
        assert result.exit_code == 0, (name, result.stderr)  # type: ignore[attr-defined]
        line = f"{name}: {records} record(s) read by the {reader} reader"
        assert line in result.stderr, result.stderr  # type: ignore[attr-defined]


def test_without_from_a_ris_export_without_extension_is_read(tmp_path: Path) -> None:
    # found: "cannot tell the format from the extension"
    path = tmp_path / "scopus-export"
    shutil.copy(SAMPLES / "ris/litsearchr/scopus_92.ris", path)
    result = _kg("build", str(path), "-o", str(tmp_path / "out.nt"), "--no-validate")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "scopus-export: 92 record(s) read by the ris reader" in result.stderr  # type: ignore[attr-defined]


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    (folder / "pubmed").mkdir(parents=True)
    shutil.copy(SAMPLES / "crossref_api/oc_meta_fixtures/qss_a_00292.json", folder / "works.json")
    shutil.copy(SAMPLES / "ris/litsearchr/scopus_92.ris", folder / "scopus.txt")
    shutil.copy(DETECT / "scholarly_rdf/scigraph/sgcontext.json", folder / "context.json")
    shutil.copy(DETECT / "scholarly_rdf/scigraph/sg--fabio.ttl", folder / "mapping.ttl")
    shutil.copy(DETECT / "opencitations_meta/rdf_output/massari_publications.nt", folder)
    shutil.copy(SAMPLES / "opencitations_meta/FORMAT_csv-format.md", folder / "notes.md")
    shutil.copy(SAMPLES / "opencitations_meta/LICENSE_oc_meta.txt", folder / "LICENSE.txt")
    shutil.copy(DETECT / "pubmed/limo_citations.nbib", folder / "pubmed")
    shutil.copy(DETECT / "pubmed/biopython_pubmed2_2articles.xml", folder / "pubmed")
    shutil.copy(DETECT / "csl/manubot_pubmed-scihub-study-csl_raw.json", folder / "zotero.json")
    return folder


def test_a_folder_build_passes_over_what_is_not_records_and_lists_it(tmp_path: Path) -> None:
    # found: "kg build folder/" rejected a JSON-LD context as a broken record (exit 3) and
    # said nothing of the .ttl and .md files it passed over
    folder = _mixed_folder(tmp_path)
    report_file = tmp_path / "report.json"
    result = _kg(
        "build", str(folder), "-o", str(tmp_path / "out.nt"), "--no-validate",
        "--report", str(report_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert "Read 98 record(s) from 5 file(s): 98 built, 0 rejected" in err
    assert "exports/scopus.txt: 92 record(s) read by the ris reader" in err
    assert "exports/works.json: 1 record(s) read by the crossref reader" in err
    assert "exports/zotero.json: 1 record(s) read by the csl reader" in err
    assert "exports/pubmed/limo_citations.nbib: 2 record(s) read by the medline reader" in err
    assert "exports/pubmed/biopython_pubmed2_2articles.xml: 2 record(s) read by the pubmed" in err
    expected = [
        "Passed over 5 file(s) that hold no records kg reads:",
        "  JSON-LD context: 1 (exports/context.json)",
        "  Markdown text: 1 (exports/notes.md)",
        "  RDF (N-Triples or N-Quads): 1 (exports/massari_publications.nt)",
        "  RDF (Turtle): 1 (exports/mapping.ttl)",
        "  licence or readme: 1 (exports/LICENSE.txt)",
    ]
    assert "\n".join(expected) in err
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert {p["file"]: p["kind"] for p in report["passed_over"]}["exports/mapping.ttl"] == (
        "RDF (Turtle)"
    )
    assert report["exit_code"] == 0


def test_many_files_of_one_kind_are_counted_with_a_few_names(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(DATA / "libartrus-2015-seed.json", folder / "seed.json")
    for i in range(5):
        shutil.copy(DETECT / "scholarly_rdf/scigraph/sg--fabio.ttl", folder / f"m{i}.ttl")
    report = build([folder], None, validate=False, stdout=io.StringIO())
    assert "  RDF (Turtle): 5 (f/m0.ttl, f/m1.ttl, f/m2.ttl and 2 more)" in report.summary()


def test_from_in_a_folder_takes_the_files_of_its_syntax(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    sources = scan_sources([folder], "ris")
    assert [(s.name, s.reader) for s in sources.files] == [("exports/scopus.txt", "ris")]
    kinds = {p.name: p.kind for p in sources.passed_over}
    assert kinds["exports/works.json"] == "Crossref works (JSON), not read by --from ris"
    assert kinds["exports/mapping.ttl"] == "RDF (Turtle)"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        (
            DETECT / "scholarly_rdf/scigraph/sgcontext.json",
            "JSON-LD context, not records kg reads; --from READER reads it with that reader",
        ),
        (
            DETECT / "ror/answer_key.csv",
            "CSV of other columns (columns affiliation, ror_id, source_dataset), not records "
            "kg reads; --from READER reads it with that reader",
        ),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_a_file_given_by_name_that_holds_no_records_is_one_reject(
    tmp_path: Path, path: Path, problem: str
) -> None:
    good = DATA / "libartrus-2015-seed.json"
    out = tmp_path / "out.nt"
    result = _kg("build", str(path), str(good), "-o", str(out), "--no-validate")
    assert result.exit_code == 3  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert f"Rejected: {path.name}: {problem}" in err
    assert f"  {path.name}: not read: {problem}" in err
    assert "libartrus-2015-seed.json: 1 record(s) read by the native reader" in err
    assert out.stat().st_size > 0  # the good records are built


def test_text_of_no_known_format_given_by_name(tmp_path: Path) -> None:
    path = tmp_path / "notes"
    path.write_text("Some notes about the exports.\nNothing else.\n", encoding="utf-8")
    [reject] = [r for s in find_sources([path]) for r in read_source(s)]
    assert isinstance(reject, Reject)
    assert str(reject.error) == (
        "notes: cannot tell the format from the content or the extension; "
        "--from READER reads it with that reader"
    )


def test_detect_reader_still_names_a_reader_for_any_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    shutil.copy(DETECT / "scholarly_rdf/scigraph/sgcontext.json", path)
    assert detect_reader(path) == "native"  # the extension's, for callers that must read it
    assert isinstance(next(read_source(SourceFile(path, path.name, "native"))), Reject | Skipped)
