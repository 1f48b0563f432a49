"""Readers: find the input files, tell each one's format, and read records from them.

Exports the registry (:func:`find_sources`, :func:`detect_reader`, :func:`read_source`,
:data:`READERS`) and what a reader yields (:class:`Reject`, :class:`Skipped`); one module
a format (crossref, jats, native, opencitations, ris, bibtex, pages, retraction_watch).
"""

from kg.readers.base import ReadResult, Reject, Skipped, SourceFile
from kg.readers.registry import READERS, detect_reader, find_sources, read_source

__all__ = [
    "READERS",
    "ReadResult",
    "Reject",
    "Skipped",
    "SourceFile",
    "detect_reader",
    "find_sources",
    "read_source",
]
