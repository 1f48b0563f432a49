"""How the records of JSON, JSON Lines, YAML and CSV files are read, for the readers
that parse one record at a time (native, crossref, opencitations, retraction-watch).

Each function yields, for every record, what the reader's parser makes of it (a
Record or a Skipped) or a Reject; a file that breaks part-way (a truncated JSON
array, a bad line, a cut gzip stream) still gives the records before the break,
and one reject that says where it broke. kg/readers/registry.py picks the
function by the file's syntax and the parser by its reader.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

from kg.errors import Location, RecordError
from kg.readers.base import Parser, ReadResult, Reject, SourceFile, open_binary
from kg.records import Record


def guard(results: Iterable[ReadResult], name: str) -> Iterator[ReadResult]:
    """A gzip stream that is cut off or corrupt ends the file with one reject."""
    try:
        yield from results
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        yield Reject(
            RecordError(Location(name), f"the compressed file is cut off or corrupt ({e})")
        )


def read_text(source: SourceFile) -> Generator[ReadResult, None, str | None]:
    """The whole text of a JSON or YAML file (their parsers need it whole), or None."""
    try:
        with open_binary(source.path) as f:
            data = f.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        yield Reject(
            RecordError(Location(source.name), f"the compressed file is cut off or corrupt ({e})")
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        where = Location(source.name, f"line {line}")
        yield Reject(RecordError(where, f"not UTF-8 text (byte {e.start})"))
        return None


def parse_one(parser: Parser, data: Any, origin: Location) -> ReadResult:
    try:
        result = parser(data, origin)
    except RecordError as e:
        return Reject(e, data)
    if isinstance(result, Record):
        result.raw = data
    return result


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


_WS = " \t\r\n"


def _json_array(
    text: str, pos: int, name: str, parser: Parser, label: str
) -> Generator[ReadResult, None, int | None]:
    """The items of the JSON array whose ``[`` is at ``pos``, decoded one at a time.

    The standard library's raw_decode reads one item at a time, so the items
    before a break are kept and the break is named. Returns the position after
    the closing ``]``, or None after a break.
    """
    decoder = json.JSONDecoder()
    pos += 1
    index = 0
    while True:
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if pos < len(text) and text[pos] == "]":
            return pos + 1
        index += 1
        where = f"{label} {index} (line {_line_of(text, pos)})"
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            truncated = not text.rstrip().endswith(("]", "}"))
            problem = (
                "the file ends in the middle of this record (truncated?)"
                if truncated
                else f"broken JSON at line {e.lineno}: {e.msg}"
            )
            yield Reject(RecordError(Location(name, where), problem))
            return None
        yield parse_one(parser, value, Location(name, where))
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] == "]":
            continue
        else:
            problem = (
                "the file ends before the closing ']' (truncated?)"
                if pos >= len(text)
                else f"expected ',' or ']' at line {_line_of(text, pos)}"
            )
            yield Reject(RecordError(Location(name, where), problem))
            return None


def read_native_json(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
    pos = len(text) - len(text.lstrip(_WS))
    if pos >= len(text):
        yield Reject(RecordError(Location(name), "no records: the file is empty"))
        return
    if text[pos] == "[":
        end = yield from _json_array(text, pos, name, parser, "record")
        if end is not None and text[end:].strip():
            where = Location(name, f"line {_line_of(text, end)}")
            yield Reject(RecordError(where, "unexpected text after the JSON array"))
        return
    try:
        value, end = json.JSONDecoder().raw_decode(text, pos)
    except json.JSONDecodeError as e:
        yield Reject(RecordError(Location(name, f"line {e.lineno}"), f"broken JSON: {e.msg}"))
        return
    if text[end:].strip():
        where = Location(name, f"line {_line_of(text, end)}")
        yield Reject(RecordError(where, "unexpected text after the JSON value"))
    if isinstance(value, dict) and isinstance(value.get("records"), list):
        for i, item in enumerate(value["records"], start=1):
            yield parse_one(parser, item, Location(name, f"record {i}"))
    else:
        yield parse_one(parser, value, Location(name, "record 1"))


_ITEMS = re.compile(r'"items"\s*:\s*\[')


def read_crossref_json(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
    """A /works/{doi} response, a works list, a data-file chunk ``{"items": [...]}``
    or a bare array of works."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        # keep the works before the break
        stripped = text.lstrip(_WS)
        m = _ITEMS.search(text)
        if stripped.startswith("["):
            yield from _json_array(text, len(text) - len(stripped), name, parser, "item")
        elif m is not None:
            yield from _json_array(text, m.end() - 1, name, parser, "item")
        else:
            yield Reject(RecordError(Location(name), f"broken JSON: {e}"))
        return
    message = value.get("message") if isinstance(value, dict) else None
    if isinstance(message, dict):
        value = message
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        value = value["items"]
    if isinstance(value, list):
        for i, item in enumerate(value, start=1):
            yield parse_one(parser, item, Location(name, f"item {i}"))
    else:
        yield parse_one(parser, value, Location(name, "item 1"))


def read_jsonl(path: Path, name: str, parser: Parser) -> Iterator[ReadResult]:
    with open_binary(path) as f:
        yield from parse_lines(f, 1, name, parser)


def parse_lines(
    lines: Iterable[bytes], first: int, name: str, parser: Parser
) -> Iterator[ReadResult]:
    for n, line in enumerate(lines, start=first):
        if n == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        origin = Location(name, f"line {n}")
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            raw = line.decode("utf-8", "replace").rstrip("\n")
            yield Reject(RecordError(origin, f"broken JSON: {e}"), raw)
            continue
        yield parse_one(parser, value, origin)


def read_yaml(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        line = _line_of(text, e.position)
        problem = f"broken YAML: character U+{e.character:04X} is not allowed"
        yield Reject(RecordError(Location(name, f"line {line}"), problem))
        return
    index = 0
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                where = f"line {mark.line + 1}" if mark is not None else None
                problem = getattr(e, "problem", None) or str(e)
                yield Reject(RecordError(Location(name, where), f"broken YAML: {problem}"))
                return
            if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
                continue  # an empty document, e.g. after a trailing ---
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for item in items:
                index += 1
                where = f"record {index} (line {item.start_mark.line + 1})"
                try:
                    value = loader.construct_document(item)
                except yaml.YAMLError as e:
                    yield Reject(RecordError(Location(name, where), f"broken YAML: {e}"))
                    continue
                yield parse_one(parser, value, Location(name, where))
    finally:
        loader.dispose()


CsvRow = tuple[dict[str, Any], Location] | Reject


def _read_csv_rows(path: Path, name: str) -> Iterator[CsvRow]:
    with open_binary(path) as raw:
        f = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(f, strict=True)
        row_no = 0
        try:
            for row in reader:
                row_no += 1
                origin = Location(name, f"row {row_no} (line {reader.line_num})")
                if None in row:
                    yield Reject(RecordError(origin, "more cells than there are columns"), row)
                    continue
                yield row, origin
        except csv.Error as e:
            where = Location(name, f"line {reader.line_num}")
            yield Reject(RecordError(where, f"broken CSV: {e}"))
        except UnicodeDecodeError as e:
            where = Location(name, f"after line {reader.line_num}")
            yield Reject(RecordError(where, f"not UTF-8 text ({e.reason})"))


def read_csv(path: Path, name: str, parser: Parser, *, nested: bool) -> Iterator[ReadResult]:
    """The rows of a CSV file, streamed; with ``nested``, columns such as ``journal.title``
    and ``authors.0.name`` make nested objects and lists (kg's own records)."""
    rows = _read_csv_rows(path, name)
    yield from _parse_rows(_unflattened(rows) if nested else rows, parser)


def _parse_rows(rows: Iterable[CsvRow], parser: Parser) -> Iterator[ReadResult]:
    for row in rows:
        yield row if isinstance(row, Reject) else parse_one(parser, row[0], row[1])


_CSV_LISTS = ("authors", "affiliations")


def _unflattened(rows: Iterable[CsvRow]) -> Iterator[CsvRow]:
    for row in rows:
        if isinstance(row, Reject):
            yield row
            continue
        try:
            yield _unflatten(row[0]), row[1]
        except ValueError as e:
            yield Reject(RecordError(row[1], str(e)), row[0])


def _unflatten(row: dict[str, str]) -> dict[str, Any]:
    """``{"journal.title": "X", "authors.0.name": "Y"}`` -> nested dicts and lists.

    :raises ValueError: if a column is both a value and a group (``journal`` and
        ``journal.title``).
    """
    root: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or not str(value).strip():
            continue
        parts = key.strip().split(".")
        node: Any = root
        for i, part in enumerate(parts):
            here = ".".join(parts[: i + 1])
            if i == len(parts) - 1:
                if part in node:
                    raise ValueError(f"column {key!r} clashes with the columns under {here!r}")
                if part in _CSV_LISTS and isinstance(value, str):
                    node[part] = [v.strip() for v in value.split(";") if v.strip()]
                else:
                    node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ValueError(f"column {key!r} clashes with the column {here!r}")
    nested: dict[str, Any] = _lists(root)
    return nested


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node
