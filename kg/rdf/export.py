"""Export: re-serialise RDF files in another format, streaming through pyoxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.rdf.files import FORMATS, QUAD_FORMATS, atomic_output, format_of, read_quads
from kg.vocab import PREFIXES


def write_quads(quads: Iterable[ox.Quad], output: Path, target: str) -> int:
    """Write ``quads`` to ``output`` (atomically) in the format ``target``: named graphs
    kept in N-Quads and TriG, merged into one graph otherwise. Returns how many."""
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for q in quads:
            count += 1
            yield q

    def triples() -> Iterator[ox.Triple]:
        for q in counted():
            yield ox.Triple(q.subject, q.predicate, q.object)

    with atomic_output(output, binary=True) as f:
        statements = counted() if target in QUAD_FORMATS else triples()
        ox.serialize(statements, f, FORMATS[target][1], prefixes=dict(PREFIXES))
    return count


def export_files(paths: Sequence[Path], output: Path, *, fmt: str | None = None) -> int:
    """Write the statements of ``paths`` to ``output`` in ``fmt`` (default: from its extension).

    Named graphs are kept in N-Quads and TriG and merged into one graph
    otherwise. The output is written atomically. Returns the number of statements.

    :raises UsageError: if a format cannot be told from an extension.
    :raises RdfSyntaxError: if an input does not parse (the output is then not written).
    """
    target = format_of(output, fmt)
    for p in paths:
        format_of(p)
    return write_quads(read_quads(paths), output, target)
