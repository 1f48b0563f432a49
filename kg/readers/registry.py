"""Finding input files, telling their format, and reading records from them.

The readers: ``native`` (kg's own records, kg/readers/native.py), ``crossref``
(Crossref REST API works, kg/readers/crossref.py), ``jats`` (JATS XML,
kg/readers/jats/), ``opencitations`` (OpenCitations Meta CSV,
kg/readers/opencitations.py), ``ris`` and ``bibtex`` (reference-manager exports,
kg/readers/ris.py, kg/readers/bibtex.py), ``page`` (journal landing pages, HTML
or their text, kg/readers/pages/) and ``retraction-watch`` (the Retraction Watch
CSV, kg/readers/retraction_watch.py). A file's reader is chosen with ``--from``
or told from its extension and first bytes; the build summary says which reader
read each file. The readers of whole files are imported when a file needs one;
the others parse one record at a time from the JSON, JSON Lines, YAML or CSV
that kg/readers/syntax.py reads.

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
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
from kg.readers.syntax import (
    guard,
    parse_lines,
    read_crossref_json,
    read_csv,
    read_jsonl,
    read_native_json,
    read_text,
    read_yaml,
)

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
            yield from guard(module.read(source.path, source.name), source.name)
            return
        parser = _parser(source.reader)
        if syntax == "jsonl":  # streamed line by line: JSON Lines files can be huge
            yield from guard(read_jsonl(source.path, source.name, parser), source.name)
        elif syntax == "csv":  # streamed row by row; kg's own records nest their columns
            nested = source.reader not in ("retraction-watch", "opencitations")
            yield from guard(read_csv(source.path, source.name, parser, nested=nested), source.name)
        else:
            text = yield from read_text(source)
            if text is None:
                return
            if syntax == "yaml":
                yield from read_yaml(text, source.name, parser)
            elif source.reader == "crossref":
                yield from read_crossref_json(text, source.name, parser)
            else:
                yield from read_native_json(text, source.name, parser)
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
    yield from parse_lines(unit.lines, unit.first_line, source.name, _parser(source.reader))
    if unit.error is not None:
        yield unit.error
