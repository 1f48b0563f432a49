"""Finding input files, telling their format, and reading records from them.

The readers: ``native`` (kg's own records, kg/readers/native.py), ``crossref``
(Crossref REST API works, kg/readers/crossref.py), ``jats`` (JATS XML,
kg/readers/jats/), ``opencitations`` (OpenCitations Meta CSV, and the
OpenCitations Index's and Meta's citation CSVs, kg/readers/opencitations.py),
``ris`` and ``bibtex`` (reference-manager exports, kg/readers/ris.py,
kg/readers/bibtex.py), ``page`` (journal landing pages, HTML or their text,
kg/readers/pages/) and ``retraction-watch`` (the Retraction Watch
CSV, kg/readers/retraction_watch.py). A file's reader is chosen with ``--from``
or told from its content, and from its extension where the content does not tell
(kg/readers/detect.py); the build summary says which reader read each file, and
which files met in folders it passed over (not records, or not read yet). The
readers of whole files are imported when a file needs one; the others parse one
record at a time from the JSON, JSON Lines, YAML or CSV that kg/readers/syntax.py
reads.

Each reader yields, for every record in a file, a :class:`Record`, a
:class:`Reject` (the error and the raw record, so it can be saved and fixed)
or a :class:`Skipped` (a kind of work kg does not map). A file that breaks
part-way (a truncated JSON array, a bad line, a cut gzip stream) still gives
the records before the break, and one reject that says where it broke.
"""

from __future__ import annotations

import gzip
import importlib
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, Location, RecordError, UsageError
from kg.readers.base import (
    Parser,
    ReadResult,
    Reject,
    SourceFile,
    is_compressed,
    open_binary,
    syntax_of,
)
from kg.readers.detect import (
    EMPTY,
    EXTENSION_READERS,
    SYNTAXES,
    UNREADABLE,
    Format,
    detect,
    is_empty,
    syntax_for,
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
    "pubmed",
    "medline",
    "csl",
    "retraction-watch",
)
# readers that read a whole file themselves: module.read(path, name) -> ReadResults
_FILE_READERS = {
    "jats": "kg.readers.jats",
    "ris": "kg.readers.ris",
    "bibtex": "kg.readers.bibtex",
    "page": "kg.readers.pages",
    "pubmed": "kg.readers.pubmed",
    "medline": "kg.readers.medline",
    "csl": "kg.readers.csl",
}
_READABLE = (
    "kg's own records (JSON, JSON Lines, YAML, CSV), Crossref works, JATS XML, "
    "OpenCitations Meta and citation CSVs, RIS, BibTeX, journal landing pages and the "
    "Retraction Watch CSV"
)


def detect_reader(path: Path) -> str:
    """The reader for a file, from its content (and its extension where the content does
    not tell); for a file that holds no records kg reads, the reader of its extension."""
    found = detect(path)
    if found.reader is not None and not found.later:
        return found.reader
    return EXTENSION_READERS.get(syntax_of(path)[0] or "", "native")


_PROJECT_FILES = re.compile(
    r"^(?:LICEN[CS]E|COPYING|NOTICE|README|SOURCES|CHANGELOG|CHANGES|AUTHORS)(?![a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A file met in a folder that holds no records kg reads, and what it holds."""

    name: str
    kind: str


@dataclass(slots=True)
class Sources:
    """The record files of a build, in build order, and the files its folders held besides."""

    files: list[SourceFile] = field(default_factory=list)
    passed_over: list[PassedOver] = field(default_factory=list)


def scan_sources(args: list[Path], fmt: str = "auto") -> Sources:
    """Expand files and folders into the record files, in build order, and the files in
    the folders that hold no records kg reads (RDF, a JSON-LD context, a readme, a format
    kg does not read yet), each with what it holds.

    Each file's reader is told from its content (and from its extension where the
    content does not tell), or is ``fmt`` when that is not ``auto``. Folders are
    searched recursively; hidden files and folders are left out. Files are ordered
    by reader (native, crossref, ..., retraction-watch), then by name, whatever the
    order of ``args``.

    A file given by name that holds no records kg reads (with ``fmt`` ``auto``) is
    kept, with why (``refused``): reading it gives one reject that says so.

    :raises UsageError: if an argument does not exist or ``fmt`` is unknown.
    """
    if fmt != "auto" and fmt not in READERS:
        raise UsageError(f"unknown input format {fmt!r} (known: auto, {', '.join(READERS)})")
    for arg in args:
        if not arg.exists():
            raise UsageError(f"{arg}: no such file or folder")
    found: dict[str, tuple[SourceFile, bool]] = {}  # resolved path -> (file, met in a folder)
    # Folders first, each list sorted, so that a file reachable in two ways gets
    # the same name whatever the order of the arguments.
    for arg in sorted(args, key=lambda a: (not a.is_dir(), str(a))):
        if arg.is_dir():
            root_name = arg.resolve().name
            for dirpath, dirnames, filenames in os.walk(arg):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for fn in sorted(filenames):
                    if fn.startswith("."):
                        continue
                    path = Path(dirpath) / fn
                    rel = path.relative_to(arg).as_posix()
                    source = SourceFile(path, f"{root_name}/{rel}")
                    found.setdefault(str(path.resolve()), (source, True))
        else:
            found.setdefault(str(arg.resolve()), (SourceFile(arg, arg.name), False))
    out = Sources()
    for source, in_folder in found.values():
        what = detect(source.path)
        if in_folder and _PROJECT_FILES.match(source.path.name) and not what.sure:
            out.passed_over.append(PassedOver(source.name, "licence or readme"))
        elif fmt != "auto":
            if in_folder and (what.reader is None or what.syntax not in SYNTAXES[fmt]):
                kind = (
                    what.label if what.reader is None else f"{what.kind}, not read by --from {fmt}"
                )
                out.passed_over.append(PassedOver(source.name, kind))
                continue
            source.reader, source.syntax = fmt, syntax_for(fmt, source.path, what)
            out.files.append(source)
        elif what.reader is not None and not what.later:
            source.reader, source.syntax = what.reader, what.syntax
            out.files.append(source)
        elif in_folder:
            out.passed_over.append(PassedOver(source.name, what.label))
        elif what is EMPTY or what is UNREADABLE:  # by name: "no records", "cannot read"
            source.reader = "native"
            out.files.append(source)
        else:  # given by name: one reject says why it is not read
            source.reader = EXTENSION_READERS.get(syntax_of(source.path)[0] or "", "native")
            source.refused = refusal(what)
            out.files.append(source)
    out.files.sort(key=lambda s: (READERS.index(s.reader), s.name, str(s.path)))
    return out


def refusal(what: Format) -> str:
    """Why kg reads no records from a file that holds ``what``."""
    anyway = "--from READER reads it with that reader"
    detail = f" ({what.detail})" if what.detail else ""
    if what.later:
        return f"{what.kind} files are not read yet{detail}"
    if not what.sure:
        return f"cannot tell the format from the content or the extension{detail}; {anyway}"
    return f"{what.kind}{detail}, not records kg reads; {anyway}"


def find_sources(args: list[Path], fmt: str = "auto") -> list[SourceFile]:
    """The record files of :func:`scan_sources`, in build order."""
    return scan_sources(args, fmt).files


def read_source(source: SourceFile) -> Iterator[ReadResult]:
    """Read the records of one file with its reader.

    A file that holds no records (empty, or a CSV with only its header) gives one
    reject, "no records", naming the file; a file refused gives one that says why.

    :raises InputError: if the file cannot be opened.
    """
    if source.refused is not None:
        yield Reject(RecordError(Location(source.name), source.refused))
        return
    syntax = source.syntax or syntax_for(source.reader, source.path)
    if is_empty(source.path):
        yield Reject(RecordError(Location(source.name), "no records: the file is empty"))
        return
    count = 0
    try:
        for item in _read(source, syntax):
            count += 1
            yield item
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None
    if count == 0:
        problem = "no records: only a header line" if syntax == "csv" else "no records"
        yield Reject(RecordError(Location(source.name), problem))


def _read(source: SourceFile, syntax: str) -> Iterator[ReadResult]:
    if source.reader in _FILE_READERS:
        module = importlib.import_module(_FILE_READERS[source.reader])
        if source.reader == "page":
            results = module.read(source.path, source.name, html=syntax == "html")
        else:
            results = module.read(source.path, source.name)
        yield from guard(results, source.name)
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
    lines: list[bytes] | None = None  # None: the whole file (or its ``span``)
    first_line: int = 1
    error: Reject | None = None  # the file broke off here (a cut gzip stream)
    size: int = 0  # bytes of the file on disk this unit covers (for progress)
    span: int | None = None  # the lines are ``size`` bytes from this offset: read them there


UNIT_LINES = 200  # lines of a JSON Lines file per unit: about 0.5 MB of Crossref works


def units(
    source: SourceFile, lines_per_unit: int | None = None, spans: bool = False
) -> Iterator[Unit]:
    """The units of one source, in order.

    ``spans``: a JSON Lines file that is not compressed is cut into byte ranges,
    which the process that reads the unit reads itself (:func:`read_unit`), instead of
    lines the cutting process read and then sends it. With ``--workers`` the main
    process spent about a seventh of its time sending the lines to the workers
    (py-spy, 20,000 Crossref works).

    :raises InputError: if the file cannot be opened or its format is unknown.
    """
    if source.refused is not None:
        yield Unit(source, size=file_size(source.path))  # one reject, from read_source
        return
    syntax = source.syntax or syntax_for(source.reader, source.path)
    splittable = syntax == "jsonl" and source.reader not in _FILE_READERS
    if not splittable or is_empty(source.path):
        yield Unit(source, size=file_size(source.path))  # read whole (or refused) by read_source
        return
    size = lines_per_unit or UNIT_LINES
    if spans and not _compressed(source):
        yield from _spans(source, size)
        return
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


def _compressed(source: SourceFile) -> bool:
    try:
        return is_compressed(source.path)
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None


def _spans(source: SourceFile, size: int) -> Iterator[Unit]:
    """Units of ``size`` lines of an uncompressed file, as byte ranges: the lines a file
    object gives (cut after each ``\\n``), found by searching for ``\\n`` chunk by chunk."""
    start = 0  # where the unit being cut starts
    lines = 0  # lines of it found so far
    first = 1
    here = 0  # bytes of the file read so far
    try:
        with open(source.path, "rb") as f:
            while chunk := f.read(1 << 22):
                pos = 0
                while (nl := chunk.find(b"\n", pos)) >= 0:
                    pos = nl + 1
                    lines += 1
                    if lines == size:
                        end = here + pos
                        yield Unit(source, None, first, size=end - start, span=start)
                        first += lines
                        start, lines = end, 0
                here += len(chunk)
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None
    if here > start:  # the last lines, the very last perhaps without its "\\n"
        yield Unit(source, None, first, size=here - start, span=start)


def file_size(path: Path) -> int:
    """The size of a file on disk, or 0 if it cannot be told."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_unit(unit: Unit) -> Iterator[ReadResult]:
    """The records of one unit, as :func:`read_source` gives them for its lines."""
    source = unit.source
    lines: Iterable[bytes] | None = unit.lines
    if unit.span is not None:
        try:
            with open(source.path, "rb") as f:
                f.seek(unit.span)
                lines = io.BytesIO(f.read(unit.size))  # cut after each "\\n", as a file is
        except OSError as e:
            raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None
    if lines is None:
        yield from read_source(source)
        return
    yield from parse_lines(lines, unit.first_line, source.name, _parser(source.reader))
    if unit.error is not None:
        yield unit.error
