"""64-bit digests of text: the same in every process and on every run.

A build compares what it maps in worker processes with what the main process
has seen (kg/build/, kg/validation/), so it cannot use Python's ``hash``,
which each process salts differently.
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import blake2b


def digest(text: str) -> int:
    """A 64-bit digest of ``text``."""
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")


@lru_cache(maxsize=8192)
def node_digest(term: str) -> int:
    """The digest of a node's N-Triples form (classes, journals, ... come again and again)."""
    return digest(term)
