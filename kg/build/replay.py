"""The replay: records given back by their statement number, for validation's end pass."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.build.blocks import Prepared, prepare
from kg.build.state import State
from kg.errors import InputError, Location
from kg.mapping.provenance import graph_iri, source_provenance
from kg.mapping.resolve import Resolver
from kg.readers.base import SourceFile
from kg.readers.registry import read_unit, units
from kg.records import Record


class Replay:
    """Gives back records by their statement number, as the build stated them.

    The end pass of validation (kg/validation/settle.py) needs a few records again, long
    after they were written: it reads their units again and maps them as the
    build did (the same resolver decisions, the same choice between a work's
    description and what a later record only adds to it).
    """

    def __init__(
        self,
        sources: Sequence[SourceFile],
        state: State,
        resolver: Resolver | None,
        base: str,
        activity: tuple[str, list[tuple[str, str]]] | None,
    ) -> None:
        self.sources = sources
        self.state = state
        self.resolver = resolver
        self.base = base
        self.activity = activity
        self.units: list[list[tuple[int, int]]] = []  # per source: (first seq, records) per unit

    def graph(self, source: SourceFile) -> str | None:
        """The named graph of ``source`` (a term), if the build writes a graph per source."""
        return f"<{graph_iri(self.base, source.name)}>" if self.state.per_graph else None

    def provenance(self, source: SourceFile, graph: str) -> list[Prepared]:
        """What the graph of ``source`` says about where it came from, prepared."""
        assert self.activity is not None
        blocks = source_provenance(self.base, source.name, source.reader, graph, self.activity)
        return prepare(blocks, True, self.state.reads)

    def records(
        self, seqs: set[int] | None, detailed: set[int]
    ) -> Iterator[tuple[int, Location, str | None, list[Prepared]]]:
        """The records with these statement numbers (all of them for None), in build order;
        those in ``detailed`` with what their blocks state (for kg/validation/settle.py)."""
        state = self.state
        for index, (source, table) in enumerate(zip(self.sources, self.units, strict=True)):
            graph = self.graph(source)
            for seq, _ in state.pseudos_of(("prov", index)):
                if seqs is None or seq in seqs:
                    assert graph is not None
                    yield seq, Location(source.name), graph, self.provenance(source, graph)
            wanted = [
                (first, n)
                for first, n in table
                if n and (seqs is None or any(first <= s < first + n for s in seqs))
            ]
            if not wanted:
                continue
            starts = {first for first, _ in wanted}
            for unit, (first, n) in zip(units(source), table, strict=True):
                if first not in starts or not n:
                    continue
                seq = first
                for item in read_unit(unit):
                    if not isinstance(item, Record):
                        continue
                    if seqs is None or seq in seqs:
                        if self.resolver is not None:
                            self.resolver.start_at(seq)
                        yield seq, item.origin, graph, state.restate(item, graph, seq in detailed)
                    seq += 1
                if seq != first + n:
                    raise InputError(
                        f"{source.name} changed while kg was building it: its records are "
                        "not the ones kg read before; build again"
                    )
        for seq, graph, scheme, value in state.named.written(seqs):
            blocks = prepare(state.mapper.named_only(scheme, value), True, state.reads)
            yield seq, Location(graph[1:-1] if graph else ""), graph, blocks
