"""Finding input files and reading records from them.

Each reader yields, for every record in a file, either a :class:`Record` or a
:class:`Reject` (the error and the raw record, so it can be saved and fixed).
A file that breaks part-way (a truncated JSON array, a bad line) still gives
the records before the break, and one reject that says where it broke.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from kg.errors import InputError, Location, RecordError, UsageError
from kg.native import parse_record
from kg.records import Record

NATIVE_EXTENSIONS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
}
READERS = ("native",)


@dataclass(slots=True)
class Reject:
    """A record (or the rest of a file) that could not be used."""

    error: RecordError
    raw: Any = None  # the record as read (dict, or the text of a line), when there is one


@dataclass(slots=True)
class SourceFile:
    """One input file and the name it has in outputs (never a machine-specific path)."""

    path: Path
    name: str  # e.g. "data/seed.json": the folder given + the path inside it


ReadResult = Record | Reject


def find_sources(args: list[Path]) -> list[SourceFile]:
    """Expand files and folders into a sorted list of record files.

    Folders are searched recursively for the extensions kg reads; hidden files
    are skipped. The order does not depend on the order of ``args``.

    :raises UsageError: if an argument does not exist.
    """
    found: dict[str, SourceFile] = {}
    for arg in args:
        if not arg.exists():
            raise UsageError(f"{arg}: no such file or folder")
    # Folders first, each list sorted, so that a file reachable in two ways gets
    # the same name whatever the order of the arguments.
    for arg in sorted(args, key=lambda a: (not a.is_dir(), str(a))):
        if arg.is_dir():
            root_name = arg.resolve().name
            for dirpath, dirnames, filenames in os.walk(arg):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for fn in sorted(filenames):
                    if fn.startswith(".") or Path(fn).suffix.lower() not in NATIVE_EXTENSIONS:
                        continue
                    path = Path(dirpath) / fn
                    rel = path.relative_to(arg).as_posix()
                    found.setdefault(str(path.resolve()), SourceFile(path, f"{root_name}/{rel}"))
        else:
            found.setdefault(str(arg.resolve()), SourceFile(arg, arg.name))
    return sorted(found.values(), key=lambda s: (s.name, str(s.path)))


def read_source(source: SourceFile, fmt: str = "auto") -> Iterator[ReadResult]:
    """Read the records of one file.

    :raises InputError: if the file cannot be opened or its format is unknown.
    """
    kind = NATIVE_EXTENSIONS.get(source.path.suffix.lower())
    if fmt not in ("auto", "native"):
        raise UsageError(f"unknown input format {fmt!r} (known: {', '.join(READERS)})")
    if kind is None:
        raise InputError(
            f"{source.name}: cannot tell the format from the extension "
            f"(kg reads {', '.join(sorted(NATIVE_EXTENSIONS))})"
        )
    try:
        if kind == "jsonl":  # streamed line by line: JSON Lines files can be huge
            yield from _read_jsonl(source.path, source.name)
        elif kind == "csv":  # streamed row by row
            yield from _read_csv(source.path, source.name)
        else:
            yield from _read_document(source, kind)
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None


def _read_document(source: SourceFile, kind: str) -> Iterator[ReadResult]:
    """JSON and YAML are read whole (their parsers need the whole text)."""
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        yield Reject(
            RecordError(Location(source.name, f"line {line}"), f"not UTF-8 text (byte {e.start})")
        )
        return
    del data
    reader = _read_json if kind == "json" else _read_yaml
    yield from reader(text, source.name)


def _parse(data: Any, origin: Location) -> ReadResult:
    try:
        rec = parse_record(data, origin)
    except RecordError as e:
        return Reject(e, data)
    rec.raw = data
    return rec


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _read_json(text: str, name: str) -> Iterator[ReadResult]:
    # Records of a JSON array are decoded one at a time with the standard
    # library's raw_decode, so the records before a break are kept.
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    pos = len(text) - len(text.lstrip(ws))
    if pos >= len(text):
        yield Reject(RecordError(Location(name), "the file is empty"))
        return
    if text[pos] != "[":
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            yield Reject(RecordError(Location(name, f"line {e.lineno}"), f"broken JSON: {e.msg}"))
            return
        if text[end:].strip():
            line = _line_of(text, end)
            yield Reject(
                RecordError(Location(name, f"line {line}"), "unexpected text after the JSON value")
            )
        if isinstance(value, dict) and isinstance(value.get("records"), list):
            for i, item in enumerate(value["records"], start=1):
                yield _parse(item, Location(name, f"record {i}"))
        else:
            yield _parse(value, Location(name, "record 1"))
        return
    pos += 1
    index = 0
    while True:
        while pos < len(text) and text[pos] in ws:
            pos += 1
        if pos < len(text) and text[pos] == "]":
            if text[pos + 1 :].strip():
                line = _line_of(text, pos + 1)
                yield Reject(
                    RecordError(
                        Location(name, f"line {line}"), "unexpected text after the JSON array"
                    )
                )
            return
        index += 1
        line = _line_of(text, pos)
        where = f"record {index} (line {line})"
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            truncated = not text.rstrip().endswith("]")
            problem = (
                "the file ends in the middle of this record (truncated?)"
                if truncated
                else f"broken JSON at line {e.lineno}: {e.msg}"
            )
            yield Reject(RecordError(Location(name, where), problem))
            return
        yield _parse(value, Location(name, where))
        while pos < len(text) and text[pos] in ws:
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
            return


def _read_jsonl(path: Path, name: str) -> Iterator[ReadResult]:
    with path.open("rb") as f:
        for n, line in enumerate(f, start=1):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            origin = Location(name, f"line {n}")
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                yield Reject(
                    RecordError(origin, f"broken JSON: {e}"),
                    line.decode("utf-8", "replace").rstrip("\n"),
                )
                continue
            yield _parse(value, origin)


def _read_yaml(text: str, name: str) -> Iterator[ReadResult]:
    loader = yaml.SafeLoader(text)
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
                yield _parse(value, Location(name, where))
    finally:
        loader.dispose()


_CSV_LISTS = ("authors", "affiliations")


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


def _read_csv(path: Path, name: str) -> Iterator[ReadResult]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, strict=True)
        row_no = 0
        try:
            for row in reader:
                row_no += 1
                origin = Location(name, f"row {row_no} (line {reader.line_num})")
                if None in row:
                    yield Reject(RecordError(origin, "more cells than there are columns"), row)
                    continue
                try:
                    data = _unflatten(row)
                except ValueError as e:
                    yield Reject(RecordError(origin, str(e)), row)
                    continue
                yield _parse(data, origin)
        except csv.Error as e:
            where = Location(name, f"line {reader.line_num}")
            yield Reject(RecordError(where, f"broken CSV: {e}"))
        except UnicodeDecodeError as e:
            where = Location(name, f"after line {reader.line_num}")
            yield Reject(RecordError(where, f"not UTF-8 text ({e.reason})"))
