"""PubMed XML records: not read yet (issue 16 adds this reader).

Wired into kg/readers/registry.py and kg/readers/detect.py; until it is built,
:func:`read` gives one reject for the file, so ``--from pubmed`` says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import Location, RecordError
from kg.readers.base import Reject, Skipped
from kg.records import Record


def read(path: Path, name: str) -> Iterator[Record | Reject | Skipped]:
    """The records of one file (none yet: one reject)."""
    yield Reject(RecordError(Location(name), "PubMed XML files are not read yet"))
