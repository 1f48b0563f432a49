from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.readers import Reject, SourceFile, find_sources, read_source
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
    p.write_text('[{"title": "A"}, {"doi": "10.1000/x"}, {"title": "C"}]', encoding="utf-8")
    items = read(p)
    assert titles(items) == ["A", "C"]
    assert rejects(items) == [
        "r.json: record 2 (line 1): field 'title': every record needs a title"
    ]
    reject = items[1]
    assert isinstance(reject, Reject) and reject.raw == {"doi": "10.1000/x"}


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
