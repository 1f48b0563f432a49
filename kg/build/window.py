"""What a build remembers in bounded memory: windows of recent keys, and an int -> int map.

:class:`Segmented` keeps the nodes the emitter wrote (kg/build/emitter.py)
in two windows of the most recently used ones (:class:`kg.recent.Recent`);
:class:`WorkIndex` holds every work the build described, in 32 bytes a work.
"""

from __future__ import annotations

from array import array
from typing import Any

from kg.recent import Recent


class Segmented:
    """A :class:`Recent` window in two parts: a key used a second time is kept longer.

    Most tracked nodes come once (a person with an ORCID iD in one article);
    journals and organisations come again and again. New keys go to the
    probation part; a key asked for again moves to the protected part, which
    only such keys fill, so a stream of one-off nodes cannot push out a journal
    that comes every few thousand records.
    """

    __slots__ = ("probation", "protected")

    def __init__(self, size: int) -> None:
        self.probation = Recent(size)
        self.protected = Recent(size)

    def get(self, key: int) -> Any:
        value = self.protected.get(key)
        if value is None:
            value = self.probation.pop(key)
            if value is not None:
                self.protected[key] = value
        return value

    def __setitem__(self, key: int, value: Any) -> None:
        if self.protected.get(key) is not None:
            self.protected[key] = value
        else:
            self.probation[key] = value


class WorkIndex:
    """A map of 64-bit keys to 64-bit values in two flat arrays: 32 bytes a work at most.

    Written here rather than taken from a library because a dict of Python
    ints costs about 110 bytes an entry (two int objects and the table), which
    was a third of the build's memory at a million works; without numpy no
    well-kept library offers an int -> int map. Open addressing with linear
    probing; the table doubles at half full. Key 0 marks an empty slot, so a
    key of 0 is stored as 1 (two works are then confused only if their 64-bit
    hashes are 0 and 1).
    """

    __slots__ = ("keys", "mask", "size", "values")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity))
        self.mask = capacity - 1
        self.size = 0

    def _slot(self, key: int) -> int:
        keys, mask = self.keys, self.mask
        i = key & mask
        while True:
            found = keys[i]
            if found == key or found == 0:
                return i
            i = (i + 1) & mask

    def get(self, key: int) -> int | None:
        key = (key & _U64) or 1
        i = self._slot(key)
        return self.values[i] if self.keys[i] == key else None

    def __contains__(self, key: int) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: int, value: int) -> None:
        key = (key & _U64) or 1
        i = self._slot(key)
        if self.keys[i] == 0:
            self.keys[i] = key
            self.size += 1
        self.values[i] = value
        if 2 * self.size > self.mask:
            self._grow()

    def _grow(self) -> None:
        old_keys, old_values = self.keys, self.values
        capacity = 2 * (self.mask + 1)
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity))
        self.mask = capacity - 1
        for key, value in zip(old_keys, old_values, strict=True):
            if key:
                i = self._slot(key)
                self.keys[i] = key
                self.values[i] = value


_U64 = (1 << 64) - 1
