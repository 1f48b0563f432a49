"""What a build remembers across records: the works it has described, and what it wrote
outside any record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.build.blocks import Mapped, Prepared, prepare, prepare_record, raw_lines
from kg.build.emitter import Emitter
from kg.build.named import NamedWorks
from kg.build.report import BuildReport, FileSummary
from kg.build.window import WorkIndex
from kg.errors import Location
from kg.mapping.mapper import Mapper
from kg.recent import Recent
from kg.records import REPAIRED, Issue, Record

if TYPE_CHECKING:
    from kg.validation.reach import Reads
    from kg.validation.settle import Checker


class State:
    """What a build remembers across records: the works it has described."""

    def __init__(
        self,
        mapper: Mapper,
        emitter: Emitter,
        checker: Checker | None,
        report: BuildReport,
        per_graph: bool = False,
        reads: Reads | None = None,
    ) -> None:
        self.mapper = mapper
        self.emitter = emitter
        self.pairs_too = emitter.writer.wants_pairs
        # lines as UTF-8 bytes where nothing reads them as text (kg/build/blocks.py)
        self.raw = raw_lines(self.pairs_too, reads)
        self.checker = checker
        self.reads = reads
        self.report = report
        # With a graph per source, each source's description of a work stays in
        # its graph (two sources may disagree); in one graph the first one wins.
        self.per_graph = per_graph
        # Every work is remembered exactly, in about 100 bytes: a 64-bit hash
        # of (graph, work IRI) -> a hash of its blocks. Where it came from is
        # kept for the recent ones only, for the message about a second record.
        self.works = WorkIndex()
        self.origins = Recent(10_000)
        self.described = WorkIndex()  # hashes of work IRIs described in any graph
        self.named = NamedWorks()  # works named (cited, given a status), on disk
        self.seq = 0  # records added so far: the next record's statement number
        # what no record states but the build writes (a source graph's provenance,
        # a work known only by its DOI): statement number -> how to make it again
        self._pseudo: dict[int, tuple[object, ...]] = {}

    def pseudo(self, what: tuple[object, ...]) -> int:
        """A statement number for something the build writes outside any record."""
        from kg.validation.settle import PSEUDO

        seq = PSEUDO + len(self._pseudo)
        self._pseudo[seq] = what
        return seq

    def pseudos_of(self, kind: object) -> list[tuple[int, tuple[object, ...]]]:
        return [
            (seq, what)
            for seq, what in self._pseudo.items()
            if what == kind or (isinstance(kind, str) and what[0] == kind)
        ]

    def _work_key(self, subject: str, graph: str | None) -> int:
        return hash((graph, subject)) if self.per_graph else hash(subject)

    def add(self, rec: Record | Mapped, graph: str | None, summary: FileSummary) -> None:
        seq = self.seq
        self.seq += 1
        mapped = (
            rec
            if isinstance(rec, Mapped)
            else prepare_record(self.mapper, rec, self.pairs_too, self.reads, self.raw)
        )
        report = self.report
        issues = mapped.issues
        if any(i.kind == REPAIRED for i in issues):
            summary.repaired += sum(i.kind == REPAIRED for i in issues)
            issues = [i for i in issues if i.kind != REPAIRED]
        report.references += mapped.references
        report.cited += mapped.cited
        add = self.named.add
        for target, scheme, value in mapped.targets:
            add(graph, target, scheme, value)
        if mapped.describes:
            kept = self._kept(mapped, graph, summary)
            if kept is None:
                return
            blocks = kept
        else:  # a citation index's row: it names the work, no more
            report.citation_rows += 1
            blocks = mapped.blocks
        self.emitter.emit(blocks, graph)
        report.issues.extend((mapped.origin, issue) for issue in issues)
        if self.checker is not None:
            self.checker.add(blocks, mapped.origin, seq)

    def _kept(
        self, mapped: Mapped, graph: str | None, summary: FileSummary
    ) -> list[Prepared] | None:
        """The blocks of a record that describes a work, as the build writes them: all of
        them for the first description of the work (in its graph), only what any source may
        add for a later one; None for the same description again."""
        report = self.report
        blocks = mapped.blocks
        fingerprint = mapped.fingerprint
        key = self._work_key(mapped.subject, graph)
        earlier = self.works.get(key)
        if earlier is None:
            self.works[key] = fingerprint
            self.origins[key] = mapped.origin
            if not self.per_graph:
                report.built += 1
            elif (work := hash(mapped.subject)) in self.described:
                report.merged += 1  # also described by another source, in its own graph
                summary.merged += 1
            else:
                self.described[work] = 1
                report.built += 1
        elif earlier == fingerprint:
            report.duplicates += 1
            return None
        else:
            # The first record to describe a work (in its graph) gives its
            # description; the others add statuses, notices, subjects and ids.
            blocks = [b for b in blocks if b[5]]
            report.merged += 1
            summary.merged += 1
            first = self.origins.get(key) or "an earlier record"
            report.issues.append(
                (
                    mapped.origin,
                    Issue(
                        "",
                        f"{mapped.subject} was described by {first}: kg kept that "
                        "description and added this record's statuses, notices, subjects and ids",
                    ),
                )
            )
        return blocks

    def restate(self, rec: Record, graph: str | None, detailed: bool = True) -> list[Prepared]:
        """What :meth:`add` stated for a record it added (mapped again): its blocks, or only
        what it added to a work an earlier record described; ``detailed``: with what each
        block states (:func:`prepare`)."""
        mapped = prepare_record(self.mapper, rec, False, self.reads if detailed else None)
        if not mapped.describes:
            return mapped.blocks
        if self.works.get(self._work_key(mapped.subject, graph)) == mapped.fingerprint:
            return mapped.blocks
        return [b for b in mapped.blocks if b[5]]

    def finish(self) -> None:
        """Works named only by an identifier (cited, a status's target or source) get it at
        the end (kg/build/named.py), unless a record described them."""
        named = self.named
        for graph, target, scheme, value in named.sorted():
            # a notice node written for a status already carries its DOI
            described = (
                hash(target) in self.described if self.per_graph else hash(target) in self.works
            )
            if not described and not self.emitter.wrote(graph, target):
                blocks = prepare(
                    self.mapper.named_only(scheme, value), True, self.reads, raw=self.raw
                )
                self.emitter.emit(blocks, graph)
                self.report.named_only += 1
                seq = named.wrote(graph, scheme, value)
                if self.checker is not None:
                    self.checker.start_graph(graph)
                    origin = Location(graph[1:-1] if graph else "")
                    self.checker.add(blocks, origin, seq)
        named.finished()
