"""What entity resolution decided, and why: :class:`Merge`, kept in order in a :class:`MergeLog`."""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, overload


@dataclass(slots=True)
class Merge:
    """A decision of the resolver: what became one thing, and why."""

    kind: str  # journal, organisation, person
    into: str  # the IRI
    members: list[str]  # what was merged, as the sources give it
    evidence: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "into": self.into,
            "members": self.members,
            "evidence": self.evidence,
        }


class MergeLog(Sequence[Merge]):
    """Merges or near-misses in the order they were decided, in bounded memory.

    A large build decides hundreds of thousands of them. The latest ``CHUNK`` are
    kept as objects; older ones are pickled a chunk at a time to an anonymous
    temporary file (gone when the log is), and read back a chunk at a time. A
    read-only sequence: ``len``, indexing, iteration, ``==`` with a list.
    """

    CHUNK = 4096

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = directory
        self._tail: list[Merge] = []
        self._file: IO[bytes] | None = None
        self._offsets = array("q")
        self._cached: tuple[int, list[Merge]] = (-1, [])

    def append(self, merge: Merge) -> None:
        """Add the next decision."""
        self._tail.append(merge)
        if len(self._tail) >= self.CHUNK:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._dir)
            weakref.finalize(self, self._file.close)
        f = self._file
        f.seek(0, os.SEEK_END)
        self._offsets.append(f.tell())
        rows = [(m.kind, m.into, m.members, m.evidence) for m in self._tail]
        pickle.dump(rows, f, pickle.HIGHEST_PROTOCOL)
        self._tail = []

    def _chunk(self, i: int) -> list[Merge]:
        if self._cached[0] != i:
            assert self._file is not None
            self._file.seek(self._offsets[i])
            self._cached = (i, [Merge(*row) for row in pickle.load(self._file)])
        return self._cached[1]

    def __len__(self) -> int:
        return len(self._offsets) * self.CHUNK + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> Merge: ...

    @overload
    def __getitem__(self, index: slice) -> list[Merge]: ...

    def __getitem__(self, index: int | slice) -> Merge | list[Merge]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("MergeLog index out of range")
        chunk, at = divmod(index, self.CHUNK)
        if chunk < len(self._offsets):
            return self._chunk(chunk)[at]
        return self._tail[at]

    def __iter__(self) -> Iterator[Merge]:
        for i in range(len(self._offsets)):
            yield from self._chunk(i)
        yield from list(self._tail)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MergeLog | list | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<MergeLog of {len(self)} decision(s)>"
