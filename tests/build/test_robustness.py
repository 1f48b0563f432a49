"""Broken and mutated files never end in a traceback or a hang: every record is read,
rejected (with file and record named) or skipped; a file told by its content alone too.
Empty and header-only files are one "no records" reject, and a build still uses the
good files besides them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutations import mutations

from kg.cli import cli
from kg.errors import KgError
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, Skipped, SourceFile, detect_reader, find_sources, read_source
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/build/)
FILES = [
    *sorted((TESTS / "data" / "samples").rglob("*.json")),
    *sorted((TESTS / "data" / "samples").rglob("*.csv")),
    *sorted(p for p in (TESTS.parent / "data").iterdir() if p.suffix != ".tsv"),
    # the readers of issue 16: PubMed XML, MEDLINE, CSL-JSON
    *sorted((TESTS / "data" / "pubmed").glob("*.xml")),
    *sorted((TESTS / "data" / "detect" / "pubmed").glob("*.nbib")),
    *sorted((TESTS / "data" / "detect" / "pubmed").glob("*.medline")),
    *sorted((TESTS / "data" / "detect" / "csl").glob("*.json")),
]


MAPPER = Mapper(IriMinter())


def read_all(path: Path) -> list[object]:
    source = SourceFile(path, path.name, detect_reader(path))
    try:
        return list(read_source(source))
    except KgError:  # a whole-file error, reported as one line
        return []


@pytest.mark.parametrize("original", FILES, ids=lambda p: p.name)
def test_mutated_files_are_read_or_rejected(tmp_path: Path, original: Path) -> None:
    data = original.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}{original.suffix}"
        path.write_bytes(mutated)
        for item in read_all(path):
            assert isinstance(item, Record | Reject | Skipped)
            if isinstance(item, Reject):
                assert str(item.error).startswith(path.name), item.error
            if isinstance(item, Record):
                MAPPER.map_record(item)  # what was read maps without error


def test_mutated_gzip_streams(tmp_path: Path) -> None:
    original = TESTS / "data" / "samples" / "crossref_api" / "crossref_dump_items"
    data = gzip.compress((original / "oc_ds_converter_40228.json").read_bytes())
    for i, mutated in enumerate(mutations(data, seed=7)):
        path = tmp_path / f"m{i}.json.gz"
        path.write_bytes(mutated)
        for item in read_all(path):
            assert isinstance(item, Record | Reject | Skipped)


# one file of every kind kg tells by content, records or not
BY_CONTENT = [
    TESTS / "data" / "samples" / "ris" / "litsearchr" / "scopus_92.ris",
    TESTS / "data" / "samples" / "jats_xml" / "elife" / "elife00005.xml",
    TESTS / "cases" / "formats" / "bibtex" / "wos_style.bib",
    TESTS / "cases" / "formats" / "pages" / "ojs-article.html",
    *sorted(p for p in (TESTS / "data" / "detect").rglob("*") if p.is_file() and p.suffix != ".md"),
]


@pytest.mark.parametrize("original", BY_CONTENT, ids=lambda p: p.name)
def test_mutated_files_without_extension_are_read_or_rejected(
    tmp_path: Path, original: Path
) -> None:
    data = original.read_bytes()[:20000]
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}"
        path.write_bytes(mutated)
        try:
            items = [item for s in find_sources([path]) for item in read_source(s)]
        except KgError:  # a whole-file error, reported as one line
            continue
        for item in items:
            assert isinstance(item, Record | Reject | Skipped)
            if isinstance(item, Reject):
                assert str(item.error).startswith(path.name), item.error


def _kg(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.csv", "", "no records: the file is empty"),
        ("empty.json", "  \n", "no records: the file is empty"),
        ("export", "", "no records: the file is empty"),
        ("header.csv", "title,doi,journal.title\n", "no records: only a header line"),
        ("rw.csv", "Record ID,Title,RetractionDOI\n", "no records: only a header line"),
    ],
)
def test_a_file_with_no_records_exits_3_naming_it(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    # found: an empty or header-only CSV exited 0 with 0 triples
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = _kg("build", str(path), "-o", str(tmp_path / "out.nt"), "--no-validate")
    assert result.exit_code == 3  # type: ignore[attr-defined]
    assert f"Rejected: {name}: {problem}" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_empty_file_among_good_ones_is_reported_and_the_good_ones_built(
    tmp_path: Path, workers: str
) -> None:
    folder = tmp_path / "recs"
    folder.mkdir()
    seed = TESTS.parent / "data" / "libartrus-2015-seed.json"
    (folder / "seed.json").write_bytes(seed.read_bytes())
    (folder / "empty.jsonl").write_text("", encoding="utf-8")
    (folder / "header.csv").write_text("title,doi\n", encoding="utf-8")
    out = tmp_path / "out.nt"
    result = _kg("build", str(folder), "-o", str(out), "--no-validate", "--workers", workers)
    err = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 3, err  # type: ignore[attr-defined]
    assert "Read 3 record(s) from 3 file(s): 1 built, 2 rejected" in err
    assert "Rejected: recs/empty.jsonl: no records: the file is empty" in err
    assert "Rejected: recs/header.csv: no records: only a header line" in err
    assert "libartrus" in out.read_text(encoding="utf-8")
