"""The record a reader is reading: where it came from, and the warnings found on the way.

Every format's reader keeps one :class:`ReaderContext` (or a subclass that adds
how that format's values are got at) while it turns one raw record into a
:class:`~kg.records.Record`. A problem that makes the record unusable is a
:class:`~kg.errors.RecordError` from :meth:`ReaderContext.fail`, naming the
field; one that only leaves a value out is an :class:`~kg.records.Issue` from
:meth:`ReaderContext.warn`.

Texts read through a context (:meth:`ReaderContext.read`, :meth:`~ReaderContext.lenient`,
:meth:`~ReaderContext.plain`, :meth:`RowContext.cell`) with
:func:`~kg.readers.normalize.clean_text` have a broken encoding repaired; each field
repaired is a ``repaired`` issue on the record (the build counts them per file),
and a text that could not be repaired whole is a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from kg.errors import Location, RecordError
from kg.readers.normalize import REPAIRS, clean_text, markup_to_text
from kg.records import REPAIRED, Issue

T = TypeVar("T")


class ReaderContext:
    """The origin of the record being read (for messages) and its warnings."""

    def __init__(self, origin: Location) -> None:
        self.origin = origin
        self.issues: list[Issue] = []
        if REPAIRS:  # repaired by a reader before it made its context: this record's
            self.note_repairs(None)

    def fail(self, field: str | None, problem: str) -> RecordError:
        """The error that rejects the record, naming ``field`` (raise it)."""
        return RecordError(Location(self.origin.path, self.origin.record, field), problem)

    def warn(self, field: str, message: str) -> None:
        """A problem that does not stop the record being used."""
        self.issues.append(Issue(field, message))

    def read(self, field: str | None, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)``; a ``ValueError`` it raises rejects the record, naming ``field``."""
        try:
            return fn(*args)
        except ValueError as e:
            raise self.fail(field, str(e)) from None
        finally:
            if REPAIRS:
                self.note_repairs(field)

    def lenient(self, field: str, fn: Callable[..., T], *args: object) -> T | None:
        """``fn(*args)``; a ``ValueError`` it raises is a warning (``...; left out``) and None."""
        try:
            return fn(*args)
        except ValueError as e:
            self.warn(field, f"{e}; left out")
            return None
        finally:
            if REPAIRS:
                self.note_repairs(field)

    def plain(self, field: str, text: str, *, single_line: bool = True) -> str:
        """A text that may hold HTML, JATS or MathML markup, as plain text."""
        if (  # most names and titles: what markup_to_text and clean_text leave as it is
            single_line
            and text.isascii()
            and text.isprintable()
            and "<" not in text
            and "&" not in text
            and "  " not in text
            and text.strip() == text
        ):
            return text
        try:
            return markup_to_text(text, single_line=single_line)
        except ValueError as e:
            raise self.fail(field, str(e)) from None
        finally:
            if REPAIRS:
                self.note_repairs(field)

    def note_repairs(self, field: str | None) -> None:
        """The texts :func:`~kg.readers.normalize.clean_text` repaired since it was last
        asked, as issues of ``field``: ``repaired`` ones (counted, not listed), and a
        warning for each that could not be repaired whole (kept as given where not)."""
        name = field or ""
        for given, fixed, whole in REPAIRS:
            if fixed != given:
                self.issues.append(
                    Issue(name, f"repaired {_short(given)} to {_short(fixed)}", REPAIRED)
                )
            if not whole:
                warning = Issue(
                    name,
                    f"{_short(given)} is in a broken encoding (mojibake) that lost bytes: "
                    "what could not be repaired whole is kept as given",
                )
                if warning not in self.issues:  # a text read twice (a cell, then its markup)
                    self.issues.append(warning)
        REPAIRS.clear()


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class RowContext(ReaderContext):
    """A CSV row being read (OpenCitations Meta, Retraction Watch): column -> text."""

    def __init__(self, row: Mapping[str, Any], origin: Location) -> None:
        super().__init__(origin)
        self.row = row

    def cell(self, column: str) -> str | None:
        """The cell as one line of text ('' if blank), or None when the row has no such cell."""
        value = self.row.get(column)
        if value is None:
            return None
        return self.read(column, clean_text, str(value))
