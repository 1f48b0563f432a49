"""The emitter: writes prepared blocks, a tracked node once and later only what is new.

:func:`writer_for` picks the RDF writer of an output format (kg/rdf/writers.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from kg.build.blocks import Prepared
from kg.build.report import BuildReport
from kg.build.window import Segmented
from kg.digest import digest as _digest
from kg.rdf.writers import NQuadsWriter, NTriplesWriter, RdfWriter, TriGWriter, TurtleWriter


class Emitter:
    """Writes blocks; a tracked node once per graph, and later only what is new about it.

    A tracked node (a journal, an organisation, a work a second source also
    has, ...) is written with the first record that mentions it. When a later
    record says something more about it (another name spelling, a status),
    only the new triples are written.

    Memory stays bounded however many records come: kg remembers the nodes it
    wrote in a window of the most recently used ones (``SEEN_SIZE`` nodes, and
    the triples of ``CACHE_SIZE`` of them), by a 64-bit hash of their key. A
    node that has fallen out of the window gets its description written again
    when it comes back, which repeats some triples (RDF stores and parsers
    treat a graph as a set) but never loses one. Journals, organisations and
    anything else that comes often stay in the window.
    """

    SEEN_SIZE = 150_000
    CACHE_SIZE = 20_000

    def __init__(self, writer: RdfWriter, report: BuildReport) -> None:
        self.writer = writer
        self.report = report
        self.seen = Segmented(self.SEEN_SIZE)  # key digest -> fingerprint of the first block
        self.known = Segmented(self.CACHE_SIZE)  # key digest -> the N-Triples lines written

    def emit(self, blocks: Iterable[Prepared], graph: str | None) -> None:
        """Write the blocks: a tracked node's triples once, then only what is new."""
        report = self.report
        seen, known, writer = self.seen, self.known, self.writer
        # a record's lines in one write where the writer takes text (N-Triples, N-Quads):
        # a write per block was about a fifth of the main process of a parallel build
        # (cProfile, --workers 2)
        parts: list[str | bytes] | None = None if writer.wants_pairs else []
        entities = report.entities
        triples = 0
        for subject, text, pairs, n, tracked, _, key, fingerprint, cls, _ in blocks:
            if not n:
                continue
            if tracked:
                if graph is not None:
                    key = hash((graph, key))
                # Segmented.get, with its most common case (a journal or an organisation
                # again, in the protected part's newer half) looked up here first
                # (read each time: a full generation is replaced by a new dict)
                first = seen.protected.new.get(key)
                if first is None:
                    first = seen.get(key)
                if first == fingerprint:
                    if key not in known.protected.new:
                        known.get(key)  # keeps what a node that comes often has in the window
                    continue
                if first is None:
                    seen[key] = fingerprint
                    known[key] = text
                else:
                    old = known.get(key)
                    if old is not None:  # write only the triples not written yet
                        text, pairs, n = _unwritten(old, text, pairs)
                        if not n:
                            continue
                        known[key] = old + text
                    else:
                        known[key] = text
            if cls is not None:
                entities[cls] += 1
            if parts is None:
                writer.lines(subject, text, pairs, graph)
            else:
                parts.append(text)
            triples += n
        report.triples += triples
        if parts:
            writer.text(parts[0][:0].join(parts), graph)  # type: ignore[arg-type]

    def wrote(self, graph: str | None, key: str) -> bool:
        """Whether a tracked block with this key was written (in this graph) recently."""
        k = _digest(key)
        return self.seen.get(k if graph is None else hash((graph, k))) is not None


def writer_for(fmt: str, out: IO[str]) -> RdfWriter:
    if fmt == "ttl":
        return TurtleWriter(out)
    if fmt == "trig":
        return TriGWriter(out)
    if fmt == "nq":
        return NQuadsWriter(out)
    return NTriplesWriter(out)


def _unwritten(
    old: Any, text: Any, pairs: list[tuple[str, str]] | None
) -> tuple[Any, list[tuple[str, str]] | None, int]:
    """The lines of ``text`` not in ``old`` (both str, or both bytes), their pairs, how many."""
    # split on "\n" only: a literal may hold U+2028, never "\n"
    nl = text[-1:]  # "\n", as str or as bytes
    written = set(old.split(nl))
    lines = text.split(nl)[:-1]
    if pairs is not None:
        kept = zip(pairs, lines, strict=True)
        pairs = [po for po, ln in kept if ln not in written]
    new = [ln for ln in lines if ln not in written]
    return nl.join([*new, nl[:0]]), pairs, len(new)
