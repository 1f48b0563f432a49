"""What every reader shares: the results it yields (a Record, a Reject, a Skipped),
the input file it reads, and how a file's syntax and compression are told from its name
(kg/readers/detect.py tells them from its content)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kg.errors import Location, RecordError
from kg.records import Record

# file extension (without .gz) -> syntax
EXTENSIONS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".xml": "xml",
    ".nxml": "xml",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}


@dataclass(slots=True)
class Reject:
    """A record (or the rest of a file) that could not be used."""

    error: RecordError
    raw: Any = None  # the record as read (dict, or the text of a line), when there is one


@dataclass(slots=True)
class Skipped:
    """A work of a kind kg does not map (a peer review, a journal issue, ...)."""

    kind: str
    origin: Location


@dataclass(slots=True)
class SourceFile:
    """One input file, its reader, and the name it has in outputs (never a machine path)."""

    path: Path
    name: str  # e.g. "data/seed.json": the folder given + the path inside it
    reader: str = "native"
    syntax: str | None = None  # json, jsonl, yaml, csv, ris, ...; None: told when read
    refused: str | None = None  # why kg reads no records from it (given by name): one reject


ReadResult = Record | Reject | Skipped
# A reader's parser: one raw record -> Record or Skipped; raises RecordError.
Parser = Callable[[Any, Location], Record | Skipped]


def syntax_of(path: Path) -> tuple[str | None, bool]:
    """(``json``, ``jsonl``, ``yaml`` or ``csv``, or None; whether it is gzipped)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2] if gz and len(suffixes) == 2 else (suffixes[-1] if suffixes else "")
    return EXTENSIONS.get(ext), gz


def is_compressed(path: Path) -> bool:
    """Whether the file's name ends in ``.gz`` or its bytes start as gzip's do."""
    if syntax_of(path)[1]:
        return True
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed if its name ends in ``.gz`` or its bytes start as
    gzip's do."""
    if not is_compressed(path):
        return path.open("rb")
    return gzip.open(path, "rb")  # type: ignore[return-value]
