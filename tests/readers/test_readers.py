from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.readers import Reject, SourceFile, find_sources, read_source
from kg.readers.registry import scan_sources
from kg.records import Record


def read(path: Path) -> list[Record | Reject]:
    return list(read_source(SourceFile(path, path.name)))


def titles(items: list[Record | Reject]) -> list[str]:
    return [i.titles[0][0] for i in items if isinstance(i, Record)]


def rejects(items: list[Record | Reject]) -> list[str]:
    return [str(i.error) for i in items if isinstance(i, Reject)]


def test_json_array_truncated_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text('[\n{"title": "A"},\n{"title": "B"},\n{"title": "C", "year": 20', encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A", "B"]
    assert rejects(items) == [
        "r.json: record 3 (line 4): the file ends in the middle of this record (truncated?)"
    ]


def test_json_array_without_closing_bracket(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text('[{"title": "A"}', encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A"]
    assert "truncated" in rejects(items)[0]


def test_json_object_and_records_wrapper(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text('{"title": "A"}', encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text('{"records": [{"title": "A"}, {"title": "B"}]}', encoding="utf-8")
    assert titles(read(one)) == ["A"]
    assert titles(read(many)) == ["A", "B"]


def test_a_bad_record_in_an_array_does_not_stop_the_others(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_text('[{"title": "A"}, {"year": 2015}, {"title": "C"}]', encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A", "C"]
    assert rejects(items) == [
        "r.json: record 2 (line 1): field 'title': every record needs a title or a DOI"
    ]
    reject = items[1]
    assert isinstance(reject, Reject) and reject.raw == {"year": 2015}


def test_json_lines_bad_line(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    p.write_text('{"title": "A"}\n{"title": \n\n{"title": "C"}\n', encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A", "C"]
    assert len(rejects(items)) == 1 and rejects(items)[0].startswith("r.jsonl: line 2: broken JSON")


def test_yaml_list_and_documents(tmp_path: Path) -> None:
    p = tmp_path / "r.yaml"
    p.write_text("- title: A\n- title: B\n---\ntitle: C\n", encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A", "B", "C"]
    assert [i.origin.record for i in items if isinstance(i, Record)] == [
        "record 1 (line 1)",
        "record 2 (line 2)",
        "record 3 (line 4)",
    ]


def test_yaml_broken(tmp_path: Path) -> None:
    p = tmp_path / "r.yaml"
    p.write_text("- title: A\n- title: [B\n", encoding="utf-8")
    items = read(p)
    assert rejects(items) and rejects(items)[0].startswith("r.yaml: line ")


def test_csv_dotted_columns_and_lists(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text(
        "title,journal.title,journal.issn_print,authors,keywords,authors.0.orcid\n"
        "A,J,2305-8420,Kartashova A. A.; Ivanov I. I.,x; y,\n"
        "B,J,2305-8420,,,\n",
        encoding="utf-8",
    )
    items = read(p)
    a, b = items
    assert isinstance(a, Record) and isinstance(b, Record)
    assert [x.name for x in a.authors] == ["Kartashova A. A.", "Ivanov I. I."]
    assert [k for k, _ in a.keywords] == ["x", "y"]
    assert a.journal is not None and a.journal.issn_print == "2305-8420"
    assert b.authors == []


def test_csv_row_with_too_many_cells(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("title\nA\nB,extra\n", encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A"]
    assert rejects(items) == ["r.csv: row 2 (line 3): more cells than there are columns"]


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    p.write_bytes('{"title": "Caf\u00e9"}'.encode("latin-1"))
    assert rejects(read(p)) == ["r.json: line 1: not UTF-8 text (byte 14)"]


def test_find_sources_is_sorted_and_independent_of_argument_order(tmp_path: Path) -> None:
    d = tmp_path / "recs"
    (d / "sub").mkdir(parents=True)
    # not records: a hidden file, other extensions, a licence or readme text in a folder
    for name in (
        "b.json",
        "a.yaml",
        "sub/c.csv",
        ".hidden.json",
        "notes.md",
        "LICENSE.txt",
        "README.txt",
    ):
        (d / name).write_text("", encoding="utf-8")
    one = find_sources([d, d / "a.yaml"])
    two = find_sources([d / "a.yaml", d])
    assert [s.name for s in one] == ["recs/a.yaml", "recs/b.json", "recs/sub/c.csv"]
    assert [s.name for s in two] == [s.name for s in one]
    # what the folder holds besides is listed, by kind; hidden files are not
    passed = {(p.name, p.kind) for p in scan_sources([d]).passed_over}
    assert passed == {
        ("recs/notes.md", "Markdown text"),
        ("recs/LICENSE.txt", "licence or readme"),
        ("recs/README.txt", "licence or readme"),
    }


def test_find_sources_missing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        find_sources([tmp_path / "nope"])


def test_csv_column_that_clashes_with_nested_columns(tmp_path: Path) -> None:
    for header in ("journal,journal.issn_print", "journal.issn_print,journal"):
        p = tmp_path / "r.csv"
        p.write_text(f"title,{header}\nA,J,2305-8420\n", encoding="utf-8")
        [item] = read(p)
        assert isinstance(item, Reject)
        assert "clashes with the column" in str(item.error)


def test_yaml_trailing_empty_document_is_skipped(tmp_path: Path) -> None:
    p = tmp_path / "r.yaml"
    p.write_text("title: A\n---\n", encoding="utf-8")
    assert [type(i).__name__ for i in read(p)] == ["Record"]


@pytest.mark.parametrize(
    "name", ["r.json", "r.jsonl", "r.yaml", "r.csv", "r.ris", "r.bib", "r.xml", "r.html", "r.txt"]
)
@pytest.mark.parametrize("content", [b"", b"\n  \n", b"\xef\xbb\xbf\n"], ids=["0", "ws", "bom"])
def test_an_empty_file_is_one_reject_no_records(tmp_path: Path, name: str, content: bytes) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    (source,) = find_sources([p])
    assert rejects(list(read_source(source))) == [f"{name}: no records: the file is empty"]


@pytest.mark.parametrize(
    "header",
    [
        "title,doi,journal.title",  # kg's own columns
        "Record ID,Title,Journal,RetractionDOI,OriginalPaperDOI",  # Retraction Watch
        '"id","title","author","pub_date","venue","volume","issue","page","type"',  # OC Meta
    ],
    ids=["native", "retraction-watch", "opencitations"],
)
def test_a_csv_with_only_its_header_is_one_reject_no_records(tmp_path: Path, header: str) -> None:
    p = tmp_path / "h.csv"
    p.write_text(header + "\n", encoding="utf-8")
    (source,) = find_sources([p])
    assert rejects(list(read_source(source))) == ["h.csv: no records: only a header line"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("r.json", "[]"),
        ("r.json", '{"records": []}'),
        ("works.json", '{"status": "ok", "message-type": "work-list", "message": {"items": []}}'),
        ("r.yaml", "# only a comment\n"),
    ],
)
def test_a_file_that_holds_no_record_is_one_reject(tmp_path: Path, name: str, text: str) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    (source,) = find_sources([p])
    assert rejects(list(read_source(source))) == [f"{name}: no records"]


def test_an_empty_json_lines_file_in_units(tmp_path: Path) -> None:
    from kg.readers.registry import read_unit, units

    p = tmp_path / "r.jsonl"
    p.write_text("\n\n", encoding="utf-8")
    (source,) = find_sources([p])
    got = [item for unit in units(source) for item in read_unit(unit)]
    assert rejects(got) == ["r.jsonl: no records: the file is empty"]
