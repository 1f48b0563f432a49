"""Finding input files, telling their format, and reading records from them.

The readers: ``native`` (kg's own records, kg/native.py), ``crossref``
(Crossref REST API works, kg/crossref.py), ``jats`` (JATS XML, kg/jats.py),
``opencitations`` (OpenCitations Meta CSV, kg/opencitations.py), ``ris`` and
``bibtex`` (reference-manager exports, kg/ris.py, kg/bibtex.py), ``page``
(journal landing pages, HTML or their text, kg/pages.py) and
``retraction-watch`` (the Retraction Watch CSV, kg/retraction_watch.py). A
file's reader is chosen with ``--from`` or told from its extension and first
bytes; the build summary says which reader read each file.

Each reader yields, for every record in a file, a :class:`Record`, a
:class:`Reject` (the error and the raw record, so it can be saved and fixed)
or a :class:`Skipped` (a kind of work kg does not map). A file that breaks
part-way (a truncated JSON array, a bad line, a cut gzip stream) still gives
the records before the break, and one reject that says where it broke.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import json
import os
import re
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from kg.errors import InputError, Location, RecordError, UsageError
from kg.readers.base import (
    EXTENSIONS,
    Parser,
    ReadResult,
    Reject,
    SourceFile,
    open_binary,
    syntax_of,
)
from kg.records import Record

# readers in the order their files are built: the first source to describe a
# work gives its description, so curated records come first and Retraction
# Watch, whose rows carry the least bibliographic detail, last.
READERS = (
    "native",
    "crossref",
    "jats",
    "opencitations",
    "ris",
    "bibtex",
    "page",
    "retraction-watch",
)
_SYNTAXES = {
    "native": {"json", "jsonl", "yaml", "csv"},
    "crossref": {"json", "jsonl"},
    "jats": {"xml"},
    "opencitations": {"csv"},
    "ris": {"ris"},
    "bibtex": {"bibtex"},
    "page": {"html", "text"},
    "retraction-watch": {"csv"},
}
# readers that read a whole file themselves: module.read(path, name) -> ReadResults
_FILE_READERS = {
    "jats": "kg.readers.jats",
    "ris": "kg.readers.ris",
    "bibtex": "kg.readers.bibtex",
    "page": "kg.readers.pages",
}
# keys only Crossref works have (kg's own records spell their fields in lower case)
_CROSSREF_KEYS = re.compile(
    rb'"(?:DOI|message-type|issn-type|container-title|published-print|published-online|'
    rb'is-referenced-by-count|update-to|updated-by|reference-count)"\s*:'
)
_RW_COLUMNS = {
    "Record ID",
    "OriginalPaperDOI",
    "OriginalPaperDate",
    "RetractionDOI",
    "RetractionDate",
    "RetractionNature",
    "Reason",
}


def _head(path: Path, size: int = 65536) -> bytes:
    """Up to ``size`` bytes from the start of a file (decompressed), as far as they can be read."""
    chunks: list[bytes] = []
    got = 0
    try:
        with open_binary(path) as f:
            while got < size:
                chunk = f.read1(size - got)  # type: ignore[attr-defined]
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
    except (OSError, EOFError, zlib.error):
        pass  # the reader will say what is wrong with the file
    return b"".join(chunks)


def detect_reader(path: Path) -> str:
    """The reader for a file, from its extension and first bytes."""
    syntax, _ = syntax_of(path)
    if syntax in ("json", "jsonl"):
        return "crossref" if _CROSSREF_KEYS.search(_head(path)) else "native"
    if syntax == "csv":
        first = _head(path, 8192).decode("utf-8-sig", "replace").splitlines()[:1]
        columns = next(csv.reader(first), []) if first else []
        names = {c.strip() for c in columns}
        if len(_RW_COLUMNS & names) >= 2:
            return "retraction-watch"
        if {"author", "pub_date", "venue"} <= names or {"citing_id", "cited_id"} <= names:
            return "opencitations"
        return "native"
    return {"ris": "ris", "bibtex": "bibtex", "xml": "jats", "html": "page", "text": "page"}.get(
        syntax or "", "native"
    )


_PROJECT_FILES = re.compile(
    r"^(?:LICEN[CS]E|COPYING|NOTICE|README|SOURCES|CHANGELOG|CHANGES|AUTHORS)(?![a-z])",
    re.IGNORECASE,
)


def _not_records(filename: str) -> bool:
    """A licence or readme text met in a folder (given by name, it is read)."""
    return filename.lower().endswith((".txt", ".txt.gz")) and bool(_PROJECT_FILES.match(filename))


def find_sources(args: list[Path], fmt: str = "auto") -> list[SourceFile]:
    """Expand files and folders into the list of record files, in build order.

    Folders are searched recursively for the extensions kg reads (also
    gzipped); hidden files are skipped. Files are ordered by reader (native,
    crossref, retraction-watch), then by name, whatever the order of ``args``.

    :raises UsageError: if an argument does not exist or ``fmt`` is unknown.
    """
    if fmt != "auto" and fmt not in READERS:
        raise UsageError(f"unknown input format {fmt!r} (known: auto, {', '.join(READERS)})")
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
                    path = Path(dirpath) / fn
                    if fn.startswith(".") or syntax_of(path)[0] is None or _not_records(fn):
                        continue
                    rel = path.relative_to(arg).as_posix()
                    found.setdefault(str(path.resolve()), SourceFile(path, f"{root_name}/{rel}"))
        else:
            found.setdefault(str(arg.resolve()), SourceFile(arg, arg.name))
    for source in found.values():
        if syntax_of(source.path)[0] is not None:
            source.reader = fmt if fmt != "auto" else detect_reader(source.path)
    return sorted(found.values(), key=lambda s: (READERS.index(s.reader), s.name, str(s.path)))


def read_source(source: SourceFile) -> Iterator[ReadResult]:
    """Read the records of one file with its reader.

    :raises InputError: if the file cannot be opened or its format is unknown.
    """
    syntax, _ = syntax_of(source.path)
    if syntax is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise InputError(
            f"{source.name}: cannot tell the format from the extension (kg reads {known}, "
            "also gzipped as .gz)"
        )
    if syntax not in _SYNTAXES[source.reader]:
        raise UsageError(f"{source.name}: the {source.reader} reader does not read {syntax} files")
    try:
        if source.reader in _FILE_READERS:
            module = importlib.import_module(_FILE_READERS[source.reader])
            yield from _guard(module.read(source.path, source.name), source.name)
            return
        parser = _parser(source.reader)
        if syntax == "jsonl":  # streamed line by line: JSON Lines files can be huge
            yield from _guard(_read_jsonl(source.path, source.name, parser), source.name)
        elif syntax == "csv":  # streamed row by row
            rows = _read_csv_rows(source.path, source.name)
            if source.reader in ("retraction-watch", "opencitations"):
                yield from _guard(_parse_rows(rows, parser), source.name)
            else:
                yield from _guard(_parse_rows(_unflattened(rows), parser), source.name)
        else:
            text = yield from _read_text(source)
            if text is None:
                return
            if syntax == "yaml":
                yield from _read_yaml(text, source.name, parser)
            elif source.reader == "crossref":
                yield from _read_crossref_json(text, source.name, parser)
            else:
                yield from _read_native_json(text, source.name, parser)
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None


def _parser(reader: str) -> Parser:
    if reader == "crossref":
        from kg.readers.crossref import parse_work

        return parse_work
    if reader == "retraction-watch":
        from kg.readers.retraction_watch import parse_row

        return parse_row
    if reader == "opencitations":
        from kg.readers.opencitations import parse_row as parse_oc_row

        return parse_oc_row
    from kg.readers.native import parse_record

    return parse_record


def _guard(results: Iterable[ReadResult], name: str) -> Iterator[ReadResult]:
    """A gzip stream that is cut off or corrupt ends the file with one reject."""
    try:
        yield from results
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        yield Reject(
            RecordError(Location(name), f"the compressed file is cut off or corrupt ({e})")
        )


def _read_text(source: SourceFile) -> Generator[ReadResult, None, str | None]:
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


def _parse(parser: Parser, data: Any, origin: Location) -> ReadResult:
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
        yield _parse(parser, value, Location(name, where))
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


def _read_native_json(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
    pos = len(text) - len(text.lstrip(_WS))
    if pos >= len(text):
        yield Reject(RecordError(Location(name), "the file is empty"))
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
            yield _parse(parser, item, Location(name, f"record {i}"))
    else:
        yield _parse(parser, value, Location(name, "record 1"))


_ITEMS = re.compile(r'"items"\s*:\s*\[')


def _read_crossref_json(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
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
            yield _parse(parser, item, Location(name, f"item {i}"))
    else:
        yield _parse(parser, value, Location(name, "item 1"))


def _read_jsonl(path: Path, name: str, parser: Parser) -> Iterator[ReadResult]:
    with open_binary(path) as f:
        yield from _parse_lines(f, 1, name, parser)


def _parse_lines(
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
        yield _parse(parser, value, origin)


# --- units of work for parallel builds ------------------------------------------------


@dataclass(slots=True)
class Unit:
    """A piece of a source that one process reads: a whole file, or lines of a JSON Lines file.

    ``kg build --workers N`` reads and maps units in N processes; the main
    process cuts JSON Lines files into units (cheap: it only splits lines) and
    writes the results in unit order, so the output is that of one process.
    """

    source: SourceFile
    lines: list[bytes] | None = None  # None: the whole file
    first_line: int = 1
    error: Reject | None = None  # the file broke off here (a cut gzip stream)
    size: int = 0  # bytes of the file on disk this unit covers (for progress)


UNIT_LINES = 200  # lines of a JSON Lines file per unit: about 0.5 MB of Crossref works


def units(source: SourceFile, lines_per_unit: int | None = None) -> Iterator[Unit]:
    """The units of one source, in order.

    :raises InputError: if the file cannot be opened or its format is unknown.
    """
    syntax, _ = syntax_of(source.path)
    splittable = syntax == "jsonl" and "jsonl" in _SYNTAXES[source.reader]
    if not splittable or source.reader in _FILE_READERS:
        yield Unit(source, size=file_size(source.path))  # read whole (or refused) by read_source
        return
    size = lines_per_unit or UNIT_LINES
    first = 1
    batch: list[bytes] = []
    done = 0  # bytes on disk up to the end of the last unit
    try:
        with open_binary(source.path) as f:
            raw = f.fileobj if isinstance(f, gzip.GzipFile) else f
            for line in f:
                batch.append(line)
                if len(batch) >= size:
                    here = raw.tell()
                    yield Unit(source, batch, first, size=here - done)
                    done = here
                    first += len(batch)
                    batch = []
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        problem = f"the compressed file is cut off or corrupt ({e})"
        rest = max(0, file_size(source.path) - done)
        error = Reject(RecordError(Location(source.name), problem))
        yield Unit(source, batch, first, error, size=rest)
        return
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None
    if batch:
        yield Unit(source, batch, first, size=max(0, file_size(source.path) - done))


def file_size(path: Path) -> int:
    """The size of a file on disk, or 0 if it cannot be told."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_unit(unit: Unit) -> Iterator[ReadResult]:
    """The records of one unit, as :func:`read_source` gives them for its lines."""
    if unit.lines is None:
        yield from read_source(unit.source)
        return
    source = unit.source
    yield from _parse_lines(unit.lines, unit.first_line, source.name, _parser(source.reader))
    if unit.error is not None:
        yield unit.error


def _read_yaml(text: str, name: str, parser: Parser) -> Iterator[ReadResult]:
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
                yield _parse(parser, value, Location(name, where))
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


def _parse_rows(rows: Iterable[CsvRow], parser: Parser) -> Iterator[ReadResult]:
    for row in rows:
        yield row if isinstance(row, Reject) else _parse(parser, row[0], row[1])


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
