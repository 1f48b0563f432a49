"""kg's exceptions: one tree, one exit code per branch.

    KgError                      exit 1   base class; has .message and an optional .hint
    +-- ValidationFailed         exit 1   a graph does not conform to the shapes
    +-- UsageError               exit 2   a bad option value or a missing default folder
    +-- InputError               exit 3   something a user gave cannot be read
    |   +-- RecordError                   one record (file, record, field) is unusable
    |   +-- RdfSyntaxError                an RDF file does not parse
    |   +-- ShapesError                   the SHACL shapes do not parse
    +-- StoreError               exit 4   a triple store or endpoint failed
    +-- OutputError              exit 5   an output file cannot be written (no folder, no
                                          permission, a full disk)

Library code raises only these; the command line turns them into one message on
standard error and the exit code, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class KgError(Exception):
    """Base of every error kg raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ValidationFailed(KgError):
    """The graph does not conform to the shapes (exit 1)."""

    exit_code = 1


class UsageError(KgError):
    """A command was called wrongly (exit 2)."""

    exit_code = 2


class InputError(KgError):
    """An input file or value cannot be read (exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Location:
    """Where a record came from: the file, the record within it, and a field."""

    path: str
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.record:  # an empty record or field names nothing: left out
            parts.append(self.record)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts)


class RecordError(InputError):
    """One record cannot be used; the others still are."""

    def __init__(self, location: Location, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{location}: {problem}", hint=hint)
        self.location = location
        self.problem = problem

    def __reduce__(self) -> tuple[object, ...]:  # travels between build worker processes
        return (self.__class__, (self.location, self.problem), self.__dict__)


class RdfSyntaxError(InputError):
    """An RDF file (Turtle, N-Triples, ...) does not parse."""


class ShapesError(InputError):
    """The SHACL shapes cannot be read."""


class StoreError(KgError):
    """A triple store or SPARQL endpoint failed (exit 4)."""

    exit_code = 4


class OutputError(KgError):
    """An output file cannot be written: no such folder, no permission, a full disk (exit 5)."""

    exit_code = 5
