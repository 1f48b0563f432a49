"""Export: re-serialise RDF files in another format, streaming through pyoxigraph."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.rdfio import FORMATS, QUAD_FORMATS, atomic_output, format_of, read_quads
from kg.vocab import PREFIXES


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
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for q in read_quads(paths):
            count += 1
            yield q

    def triples() -> Iterator[ox.Triple]:
        for q in quads():
            yield ox.Triple(q.subject, q.predicate, q.object)

    with atomic_output(output, binary=True) as f:
        statements = quads() if target in QUAD_FORMATS else triples()
        ox.serialize(statements, f, FORMATS[target][1], prefixes=dict(PREFIXES))
    return count


def export_store(store: Path, output: Path, *, fmt: str | None = None) -> int:
    """Write kg's embedded store at ``store`` to ``output``: every graph in N-Quads and
    TriG, all merged (the union of the graphs) in the triple formats.

    :raises StoreError: if there is no store there.
    """
    from kg.store import open_store

    target = format_of(output, fmt)
    st = open_store(store, create=False, read_only=True)
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for q in st.quads_for_pattern(None, None, None, None):
            count += 1
            yield q

    def triples() -> Iterator[ox.Triple]:
        for q in quads():
            yield ox.Triple(q.subject, q.predicate, q.object)

    with atomic_output(output, binary=True) as f:
        statements = quads() if target in QUAD_FORMATS else triples()
        ox.serialize(statements, f, FORMATS[target][1], prefixes=dict(PREFIXES))
    return count
