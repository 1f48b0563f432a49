"""Validating what a build writes: records in batches while it goes, and at the end the nodes
that no batch settled.

:class:`Checker` validates the records in batches of about ``batch_size``
records (in worker processes when asked) and keeps the books of
kg/validation/books.py: what every record stated about every shared node. At
the end, :meth:`Checker.finish` plans from them (:meth:`Registry.plan`), gets
back only the records the plan needs (``replay``), validates each unsettled
node on the lines of those records that it can read (as kg/validation/reach.py
bounds them), and puts those results in place of the batches' ones; or, when
the books do not suffice, validates the whole output again. So does a build
whose shapes read what no book follows: parts of the graph that reach.py cannot
bound, or the triples that point at a literal (:func:`_literal_in`).
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from kg.digest import node_digest
from kg.errors import Location
from kg.validation.books import Group, Plan, Registry, node_key, record_nodes, statements

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.validation.reach import Reads
    from kg.validation.shacl import ValidationReport, ValidationResult

PSEUDO = 1 << 40  # statement numbers of what no record states (provenance, DOI-only works)


# --- validating a build: batches while it writes, the rest at the end -------------------

# A record as the end pass gets it back: (statement number, where it came from,
# its graph in N-Triples form or None, its blocks as kg/build/ prepares them).
Replayed = tuple[int, Location, str | None, list[Any]]
# replay(records wanted or None for all, records whose statements are needed too)
Replay = Callable[[set[int] | None, set[int]], Iterator[Replayed]]


class Checker:
    """Validates what a build writes: records in batches while it goes, and at the end
    the nodes that no batch settled (see the module docstring).

    ``replay(seqs)`` gives back the records with these statement numbers (in
    any order); the build re-reads and maps them again, so nothing but the
    log of statements has to be kept.
    """

    def __init__(
        self,
        shapes: Graph,
        engine: str,
        reads: Reads,
        batch_size: int = 200,
        workers: int = 1,
        window: int | None = None,
    ) -> None:
        self.shapes = shapes
        self.engine = engine
        self.reads = reads
        self.batch_size = batch_size
        self.whole = not reads.bounded  # shapes kg cannot follow: validate the output whole
        self.literal_in = _literal_in(reads)
        self.registry = Registry(window=window)
        self.lines: list[str] = []
        self.sources: dict[str, Location] = {}
        self.count = 0
        self.graph: str | None = None
        self.graph_digest = 0
        self.provisional: list[tuple[int, ValidationResult]] = []
        self.triples = 0
        self.engine_used = ""
        # batches in flight in the workers, and what to do with each one's results
        self.pending: deque[tuple[int, Future[ValidationReport]]] = deque()
        self.keepers: deque[Callable[[int, ValidationReport], None]] = deque()
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(shapes.serialize(format="nt"), engine),
            )
        self.stats: dict[str, int] = {}
        self.progress: Any = None  # the build's Progress (kg/build/), for the end pass

    # --- while the build writes ----------------------------------------------------

    def start_graph(self, graph: str | None) -> None:
        """The records that follow are in ``graph``: a batch holds one graph's records."""
        if graph != self.graph:
            self.flush()
            self.graph = graph
            self.graph_digest = _graph_digest(graph)

    def add(self, blocks: list[Any], origin: Location, seq: int) -> None:
        """A record's blocks (as written after the build dropped what it repeats)."""
        if self.whole:  # everything is validated at the end: no books to keep
            return
        literal_in = self.literal_in
        if literal_in and any(w in b[1] for b in blocks for w in literal_in):
            self.whole = True  # the books follow IRIs, not what points at a literal
            return
        gd = self.graph_digest
        note = self.registry.note
        for node, (full, far) in statements(blocks).items():
            note(node_key(node, gd), seq, full, far)
        for b in blocks:
            self.sources.setdefault(b[0][1:-1], origin)
            self.lines.append(b[1])
        self.count += 1
        if self.count >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.count:
            return
        data = "".join(self.lines).encode("utf-8")
        self._submit(self.graph_digest, data, self.sources, self._keep_all)
        self.lines, self.sources, self.count = [], {}, 0

    def _submit(
        self,
        gd: int,
        data: bytes,
        sources: dict[str, Location],
        keep: Callable[[int, ValidationReport], None],
    ) -> None:
        if self.pool is not None:
            self.pending.append((gd, self.pool.submit(_validate, data, sources)))
            self.keepers.append(keep)
            while len(self.pending) > 2 * self.workers:  # bounded: take the oldest
                self._take()
        else:
            keep(gd, _validate(data, sources, self.shapes, self.engine))

    def _take(self) -> None:
        gd, future = self.pending.popleft()
        keep = self.keepers.popleft()
        keep(gd, future.result())

    def _drain(self) -> None:
        while self.pending:
            self._take()

    def _count(self, report: ValidationReport) -> None:
        self.triples += report.triples
        self.engine_used = self.engine_used or report.engine

    def _keep_all(self, gd: int, report: ValidationReport) -> None:
        self._count(report)
        self.provisional.extend((gd, r) for r in report.results)

    # --- at the end -------------------------------------------------------------

    def finish(self, replay: Replay) -> ValidationReport:
        """Validate what is left, settle what the batches could not; the whole report.

        ``replay(None, set())`` gives back every record, for the fallback.
        """
        from kg.validation.shacl import ValidationReport

        self.flush()
        self._drain()
        plan = Plan(fallback=True) if self.whole else self.registry.plan()
        final: list[ValidationResult] = []
        self.stats = {
            "statements": self.registry.statements,
            "logged": self.registry.logged,
            "unsettled_nodes": len(plan.unsettled),
            "unsettled_records": len(plan.suspects),
            "revalidated_records": 0,
            "whole": int(self.whole or plan.fallback),
        }
        if self.whole or plan.fallback:
            final = self._everything(replay)
        else:
            ends: list[tuple[int, ValidationResult]] = []
            dropped = self._settle(plan, replay, ends) if not plan.empty else set()
            for gd, r in self.provisional:
                if not dropped or _result_key(r, gd) not in dropped:
                    final.append(r)
            final.extend(r for _, r in ends)
        self._close_pool()
        report = ValidationReport(triples=self.triples, engine=self.engine_used or self.engine)
        report.merge(ValidationReport(results=final))
        return report

    def _everything(self, replay: Replay) -> list[Any]:
        """The fallback: every record again, each graph validated whole (in memory)."""
        texts: dict[str | None, list[str]] = {}
        sources: dict[str | None, dict[str, Location]] = {}
        n = 0
        for _, origin, graph, blocks in replay(None, set()):
            n += 1
            lines = texts.setdefault(graph, [])
            where = sources.setdefault(graph, {})
            for b in blocks:
                where.setdefault(b[0][1:-1], origin)
                lines.append(b[1])
        self.stats["revalidated_records"] = n
        results: list[Any] = []
        for graph in sorted(texts, key=lambda g: g or ""):
            report = _validate(
                "".join(texts[graph]).encode("utf-8"), sources[graph], self.shapes, self.engine
            )
            self._count(report)
            results.extend(report.results)
        return results

    def _settle(
        self,
        plan: Plan,
        replay: Replay,
        ends: list[tuple[int, ValidationResult]],
    ) -> set[int]:
        """Validate the plan's groups on the records they need; the keys of the nodes whose
        batch results are replaced."""
        spool = sqlite3.connect(self.registry.dir / "replay.sqlite", isolation_level=None)
        spool.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE rec (seq INTEGER PRIMARY KEY, graph TEXT, path TEXT, record TEXT,"
            " field TEXT, blocks TEXT, keys BLOB);"
        )
        spool.execute("BEGIN")
        needed = plan.records()
        progress = self.progress
        if progress is not None:
            progress.phase("checking again", len(needed), "records")
        for seq, origin, graph, blocks in replay(needed, plan.suspects):
            if progress is not None:
                progress.advance(1, 1)
            keys: bytes | None = None
            if seq in plan.suspects:  # all the nodes it names are checked again
                gd = _graph_digest(graph)
                nodes = sorted({node_key(k, gd) for k in record_nodes(blocks)})
                keys = array("q", nodes).tobytes()
            spool.execute(
                "INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    graph,
                    origin.path,
                    origin.record,
                    origin.field,
                    json.dumps([(b[0], b[1]) for b in blocks], ensure_ascii=False),
                    keys,
                ),
            )
        spool.execute("COMMIT")
        self.stats["revalidated_records"] = len(needed)
        dropped = set(plan.unsettled)
        for group in plan.groups:
            if group.record is not None:
                row = spool.execute(
                    "SELECT keys FROM rec WHERE seq = ?", (group.record,)
                ).fetchone()
                if row is not None and row[0] is not None:
                    named = array("q")
                    named.frombytes(row[0])
                    group.keep = set(named) - plan.unsettled
                    dropped |= group.keep
        by_graph: dict[str | None, list[Group]] = {}
        for group in plan.groups:
            row = spool.execute(
                "SELECT graph FROM rec WHERE seq = ?", (group.records[0],)
            ).fetchone()
            by_graph.setdefault(row[0] if row else None, []).append(group)
        limit = 100 * self.batch_size  # lines of N-Triples per run: about a batch's size
        for graph, groups in sorted(by_graph.items(), key=lambda kv: kv[0] or ""):
            groups.sort(key=lambda g: g.records)  # records read back in order: few at once
            gd = _graph_digest(graph)
            lines: set[str] = set()
            sources: dict[str, Location] = {}
            keep: set[int] = set()
            cache = _Records(spool, self.reads)
            for group in groups:
                records = [r for r in map(cache.get, group.records) if r is not None]
                if group.record is None:
                    (node,) = group.keep
                    lines.update(_reach(records, node, gd, self.reads))
                else:
                    for rec in records:
                        lines.update(rec.all_lines())
                keep |= group.keep
                for rec in records:
                    for subject in rec.out:
                        sources.setdefault(subject[1:-1], rec.origin)
                if len(lines) >= limit:
                    self._run(gd, lines, sources, keep, ends)
                    lines, sources, keep = set(), {}, set()
            if lines:
                self._run(gd, lines, sources, keep, ends)
        self._drain()
        spool.close()
        return dropped

    def _run(
        self,
        gd: int,
        lines: set[str],
        sources: dict[str, Location],
        keep: set[int],
        ends: list[tuple[int, ValidationResult]],
    ) -> None:
        """Validate one view of the end pass; keep the results of the nodes it is for."""

        def keeper(gd: int, report: ValidationReport) -> None:
            self._count(report)
            ends.extend((gd, r) for r in report.results if _result_key(r, gd) in keep)

        data = "".join(sorted(lines)).encode("utf-8")
        self._submit(gd, data, sources, keeper)

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        self._close_pool()
        self.registry.close()


class _Spooled:
    """A record as the end pass keeps it on disk: its blocks by subject, and its origin.

    Lines are split into subject, predicate and object only where the end pass
    follows them: the lines of the nodes it visits, and the lines whose
    predicate is read from the object's side.
    """

    __slots__ = ("_into", "origin", "out", "reads")

    def __init__(self, row: tuple[str, str | None, str | None, str], reads: Reads) -> None:
        self.origin = Location(row[0], row[1], row[2])
        self.out: dict[str, list[str]] = {}
        for subject, text in json.loads(row[3]):
            self.out.setdefault(subject, []).append(text)
        self.reads = reads
        self._into: dict[str, list[tuple[str, str, str]]] | None = None

    def all_lines(self) -> Iterator[str]:
        for texts in self.out.values():
            for text in texts:
                yield from text.splitlines(keepends=True)

    def lines(self, subject: str) -> Iterator[str]:
        for text in self.out.get(subject, ()):
            yield from text.splitlines(keepends=True)

    def into(self) -> dict[str, list[tuple[str, str, str]]]:
        """Object -> (predicate, subject, line) of the lines read from the object's side."""
        if self._into is None:
            reads = self.reads
            wanted = (
                None
                if reads.focus_in is None or reads.far_in is None
                else [f" {p} " for p in reads.focus_in | reads.far_in]
            )
            into: dict[str, list[tuple[str, str, str]]] = {}
            for texts in self.out.values():
                for text in texts:
                    if wanted is not None and not any(w in text for w in wanted):
                        continue
                    for line in text.splitlines(keepends=True):
                        s, p, o = _split(line)
                        if o.startswith("<") and reads.is_in(p):
                            into.setdefault(o, []).append((p, s, line))
            self._into = into
        return self._into


class _Records:
    """The spooled records, read back and parsed once each while they are in use."""

    SIZE = 256  # records parsed at once: the groups come in the order of their records

    def __init__(self, spool: sqlite3.Connection, reads: Reads) -> None:
        self.spool = spool
        self.reads = reads
        self.cache: dict[int, _Spooled] = {}

    def get(self, seq: int) -> _Spooled | None:
        found = self.cache.pop(seq, None)
        if found is None:
            row = self.spool.execute(
                "SELECT path, record, field, blocks FROM rec WHERE seq = ?", (seq,)
            ).fetchone()
            if row is None:
                return None
            found = _Spooled(row, self.reads)
            if len(self.cache) >= self.SIZE:
                del self.cache[next(iter(self.cache))]  # the least recently used
        self.cache[seq] = found
        return found


def _split(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object of an N-Triples line (kg writes no blank nodes)."""
    s, _, rest = line.partition(" ")
    p, _, o = rest.partition(" ")
    return s, p, o[:-3] if o.endswith(" .\n") else o.rstrip(" .\n")


def _reach(records: list[_Spooled], node: int, gd: int, reads: Reads) -> list[str]:
    """The lines of ``records`` that validating ``node`` can read, as kg/validation/reach.py
    bounds it: the node's own triples, those that point at it and are read from its side,
    and, from every node reached that way, the same again."""

    def find(names: Iterable[str]) -> str | None:
        return next((t for t in names if node_key(node_digest(t), gd) == node), None)

    start = find(s for rec in records for s in rec.out)
    if start is None:  # named by the records, never described: what points at it
        start = find(o for rec in records for o in rec.into())
    if start is None:
        start = find(_split(ln)[2] for rec in records for ln in rec.all_lines())
    if start is None:
        return []
    focus_in = reads.focus_in
    found: list[str] = []
    seen = {start}
    todo = [start]
    while todo:
        here = todo.pop()
        focus = here == start
        for rec in records:
            for line in rec.lines(here):
                found.append(line)
                _, p, o = _split(line)
                if o.startswith("<") and o not in seen and reads.is_entry(p):
                    seen.add(o)
                    todo.append(o)
            for p, s, line in rec.into().get(here, ()):
                wanted = (focus_in is None or p in focus_in) if focus else reads.is_far_in(p)
                if wanted:
                    found.append(line)
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
    return found


def _literal_in(reads: Reads) -> tuple[str, ...]:
    """What marks a triple with a literal object that the shapes read from the object's side
    (in an N-Triples line).

    The books follow the nodes that are IRIs. A literal that is a focus node
    (of ``sh:targetObjectsOf dcterms:title``, say) or a value node whose
    incoming triples the shapes read (a title two records share) is followed
    by none: once one shows, the whole output is validated at the end. kg's
    own shapes read no such triple.
    """
    if reads.focus_in is None or reads.far_in is None:
        return (' "',)  # any literal object
    return tuple(f' {p} "' for p in sorted(reads.focus_in | reads.far_in))


def _graph_digest(graph: str | None) -> int:
    return node_digest(graph) if graph else 0


def _result_key(result: ValidationResult, graph_digest: int) -> int:
    return node_key(node_digest(f"<{result.focus}>"), graph_digest)


_WORKER: dict[str, Any] = {}


def _init_worker(shapes_nt: str, engine: str) -> None:
    from rdflib import Graph

    shapes = Graph()
    shapes.parse(data=shapes_nt, format="nt")
    _WORKER.update(shapes=shapes, engine=engine)


def _validate(
    data: bytes,
    sources: dict[str, Location],
    shapes: Graph | None = None,
    engine: str | None = None,
) -> ValidationReport:
    """Validate N-Triples text (one batch or one end-pass run), in this process or a worker."""
    from kg.validation.shacl import validate_ntriples

    shapes = shapes if shapes is not None else _WORKER["shapes"]
    engine = engine if engine is not None else str(_WORKER["engine"])
    return validate_ntriples(data, shapes, sources=sources, engine=engine)
