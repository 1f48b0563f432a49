"""The root of a union-find forest, shared by the journals' ISSN groups and the people."""

from __future__ import annotations

from typing import Protocol, TypeVar

K = TypeVar("K")


class Parents(Protocol[K]):
    """Each element's parent (a root is its own): a dict, or an ``array`` of dense ids."""

    def __getitem__(self, key: K, /) -> K: ...

    def __setitem__(self, key: K, value: K, /) -> None: ...


def find_root(parent: Parents[K], x: K) -> K:
    """The root of ``x``, every element on the way made to point at it."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


class UnionFind:
    """Union-find over strings; a union keeps the smaller root."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        return find_root(self.parent, x)

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
        return ra
