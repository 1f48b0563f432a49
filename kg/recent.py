"""A window of the most recently used keys, in bounded memory: what a build remembers of the
nodes it wrote (kg/build/) and of what records stated about them (kg/validation/books.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Recent:
    """A mapping that keeps about its ``size`` most recently used keys (at most 2x).

    Two plain dicts, the newer and the older generation: a key found in the
    older one moves to the newer one, and when the newer one is full the older
    one is dropped (and handed to ``on_drop``, if given). Cheaper in time and
    memory than an ordered LRU, and as deterministic: what is forgotten depends
    only on the order of the records.
    """

    __slots__ = ("new", "old", "on_drop", "size")

    def __init__(self, size: int, on_drop: Callable[[dict[int, Any]], None] | None = None) -> None:
        self.size = size
        self.new: dict[int, Any] = {}
        self.old: dict[int, Any] = {}
        self.on_drop = on_drop

    def get(self, key: int) -> Any:
        value = self.new.get(key)
        if value is None:
            value = self.old.pop(key, None)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: int, value: Any) -> None:
        new = self.new
        new[key] = value
        if len(new) >= self.size:
            if self.on_drop is not None:
                self.on_drop(self.old)
            self.old = new
            self.new = {}

    __setitem__ = put

    def pop(self, key: int) -> Any:
        value = self.new.pop(key, None)
        return self.old.pop(key, None) if value is None else value

    def items(self) -> Iterator[tuple[int, Any]]:
        """Every key still held, with its value (the older generation first)."""
        yield from self.old.items()
        yield from self.new.items()
