"""Broken copies of a real file, for the tests that check that no mutation of a sample
ends in a traceback or a hang: every record is read, rejected (naming file and record)
or skipped."""

from __future__ import annotations

import random


def mutations(data: bytes, seed: int, rounds: int = 12) -> list[bytes]:
    """``4 * rounds`` copies of ``data``: truncated, bytes changed (encodings broken), a
    chunk deleted, random bytes inserted; the same for the same seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(rounds):
        cut = rng.randrange(1, len(data))
        out.append(data[:cut])  # truncated
        flipped = bytearray(data)
        for _ in range(rng.randrange(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        out.append(bytes(flipped))  # bytes changed, encodings broken
        start = rng.randrange(len(data))
        out.append(data[:start] + data[start + rng.randrange(1, 200) :])  # a chunk deleted
        out.append(data[:start] + bytes(rng.randrange(256) for _ in range(20)) + data[start:])
    return out
