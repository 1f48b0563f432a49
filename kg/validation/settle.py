"""Which focus nodes a batch of records settles, and which wait for the end of the build.

A build validates records in batches while it writes them: a batch is what
its records state, which is the whole graph for most nodes but not for all.
A journal that two records give two online ISSNs, a person whom entity
resolution made of several authorships, an article that Crossref describes
and Retraction Watch retracts: each is described by several records, and a
batch holds only some of them. Validating such a node in a batch gives
results that validating the whole output would not give (or misses some).

This module keeps the books that tell them apart, in bounded memory:

- For every record, :meth:`Registry.note` takes what the record states about
  each node other than its own private ones (roles, unnamed authors): a
  fingerprint of the node's triples (``full``), of the triples the shapes read
  when they reach the node from another one (``far``, see kg/reach.py), and
  which nodes the record names but does not describe. Triples that point at a
  node count towards it where the shapes read them from that side.
- A node whose records all state it alike is settled by any batch. A node
  stated in two different ways (``full`` differs) is *unsettled*: its results
  are taken from the end pass, which validates it on the union of one record
  per distinct statement. A node whose ``far`` part differs between records
  makes every record that states it unsettled: whatever those records'
  other nodes read of it may differ from the whole output.

Identical statements are counted in a window of recent nodes and not written
down; every first and every different statement is written to an SQLite log
on disk. If a node turns out to differ in its ``far`` part after identical
statements were counted and not logged, the records behind those statements
cannot be told, and :attr:`Plan.fallback` asks for the whole output to be
validated again (kg's own mapping never does this: a node's type and links
are the same in every record; the tests check that the fallback still gives
the right answer).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
import tempfile
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.digest import node_digest
from kg.errors import Location

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.validation.reach import Reads
    from kg.validation.shacl import ValidationReport, ValidationResult

_MASK = (1 << 63) - 1  # SQLite integers are signed 64-bit: registry keys use 63 bits
PSEUDO = 1 << 40  # statement numbers of what no record states (provenance, DOI-only works)


def node_key(subject_digest: int, graph_digest: int) -> int:
    """A 63-bit key of a node in a graph (graph digest 0: the one graph of a triples build)."""
    if not graph_digest:
        return subject_digest & _MASK
    mixed = (subject_digest ^ (graph_digest * 0x9E3779B97F4A7C15)) * 0xBF58476D1CE4E5B9
    return (mixed ^ (mixed >> 31)) & _MASK


# A window entry is one int (a dict of small objects cost 250 bytes an entry):
# the statement's two fingerprints and two flags, (full << 65) | (far << 2) | flags.
_UNLOGGED = 1  # identical statements were counted but not logged
_LOG_ALL = 2  # the far part differed once: every statement is logged from now on
_FAR_BITS = ((1 << 63) - 1) << 2


def _entry(full: int, far: int, flags: int = 0) -> int:
    return (full << 65) | (far << 2) | flags


class _Window:
    """The most recently used keys, in two generations (as kg/build.py's _Recent);
    keys dropped with unlogged statements are reported to ``dropped``."""

    def __init__(self, size: int, dropped: list[int]) -> None:
        self.size = size
        self.new: dict[int, int] = {}
        self.old: dict[int, int] = {}
        self.dropped = dropped

    def get(self, key: int) -> int | None:
        entry = self.new.get(key)
        if entry is None:
            entry = self.old.pop(key, None)
            if entry is not None:
                self.put(key, entry)
        return entry

    def put(self, key: int, entry: int) -> None:
        self.new[key] = entry
        if len(self.new) >= self.size:
            self.dropped.extend(k for k, e in self.old.items() if e & _UNLOGGED)
            self.old, self.new = self.new, {}

    def items(self) -> Iterator[tuple[int, int]]:
        yield from self.old.items()
        yield from self.new.items()


class Registry:
    """What every record stated about every shared node: the log the end pass plans from."""

    WINDOW = 100_000
    FLUSH = 20_000

    def __init__(self, workdir: Path | None = None, window: int | None = None) -> None:
        self._own = workdir is None
        self.dir = Path(tempfile.mkdtemp(prefix="kg-settle-")) if workdir is None else workdir
        self.db = sqlite3.connect(self.dir / "statements.sqlite", isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            "CREATE TABLE log (node INTEGER, seq INTEGER, full INTEGER, far INTEGER);"
            "CREATE TABLE unlogged (node INTEGER);"
        )
        self.db.execute("BEGIN")
        self._rows: list[tuple[int, int, int, int]] = []
        self._dropped: list[int] = []
        self.window = _Window(window or self.WINDOW, self._dropped)
        self.fallback = False  # set as soon as the log is known not to suffice
        self.statements = 0
        self.logged = 0

    def note(self, node: int, seq: int, full: int, far: int) -> None:
        """Record ``seq`` stating ``node`` with these fingerprints (63-bit)."""
        self.statements += 1
        window = self.window
        entry = window.get(node)
        if entry is None:
            window.put(node, _entry(full, far))
            self._log(node, seq, full, far)
        elif entry >> 65 == full and not entry & _LOG_ALL:
            if not entry & _UNLOGGED:
                window.put(node, entry | _UNLOGGED)
        else:
            if (entry & _FAR_BITS) >> 2 != far and not entry & _LOG_ALL:
                window.put(node, entry | _LOG_ALL)
                if entry & _UNLOGGED:
                    self.fallback = True  # records behind uncounted statements are lost
            self._log(node, seq, full, far)

    def _log(self, node: int, seq: int, full: int, far: int) -> None:
        self._rows.append((node, seq, full & _MASK, far & _MASK))
        if len(self._rows) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        self.logged += len(self._rows)
        self.db.executemany("INSERT INTO log VALUES (?, ?, ?, ?)", self._rows)
        self._rows = []
        if self._dropped:
            self.db.executemany("INSERT INTO unlogged VALUES (?)", ((k,) for k in self._dropped))
            self._dropped.clear()

    def plan(self) -> Plan:
        """Decide, once every record is noted, what the end pass validates again."""
        self._dropped.extend(k for k, e in self.window.items() if e & _UNLOGGED)
        self._flush()
        db = self.db
        db.execute("COMMIT")
        db.execute("CREATE INDEX log_node ON log (node)")
        db.execute("CREATE INDEX log_seq ON log (seq)")
        plan = Plan(fallback=self.fallback)
        plan.unsettled = {
            n
            for (n,) in db.execute(
                "SELECT node FROM log GROUP BY node HAVING MIN(full) < MAX(full)"
            )
        }
        far_nodes = {
            n
            for (n,) in db.execute("SELECT node FROM log GROUP BY node HAVING MIN(far) < MAX(far)")
        }
        if far_nodes and not plan.fallback:
            db.execute("CREATE TEMP TABLE far_nodes (node INTEGER PRIMARY KEY)")
            db.executemany("INSERT INTO far_nodes VALUES (?)", ((n,) for n in far_nodes))
            lost = db.execute(
                "SELECT 1 FROM unlogged JOIN far_nodes USING (node) LIMIT 1"
            ).fetchone()
            plan.fallback = lost is not None
        if plan.fallback:
            return plan

        def one_per(column: str, node: int) -> set[int]:
            rows = db.execute(f"SELECT MIN(seq) FROM log WHERE node = ? GROUP BY {column}", (node,))
            return {seq for (seq,) in rows}

        far_records = {n: one_per("far", n) for n in far_nodes}

        def closure(seqs: set[int]) -> set[int]:
            """Add, for every node with differing far parts stated in these records, one
            record per distinct far part, until nothing more is added."""
            if not far_records:
                return seqs
            todo, done = list(seqs), set(seqs)
            while todo:
                seq = todo.pop()
                for (node,) in db.execute("SELECT node FROM log WHERE seq = ?", (seq,)):
                    for more in far_records.get(node, ()):
                        if more not in done:
                            done.add(more)
                            todo.append(more)
            return done

        for node in sorted(plan.unsettled):
            plan.groups.append(Group(sorted(closure(one_per("full", node))), {node}, None))
        suspects: set[int] = set()
        for node in far_nodes:
            suspects.update(s for (s,) in db.execute("SELECT seq FROM log WHERE node = ?", (node,)))
        for seq in sorted(suspects):
            # every node this record names is checked again, except those that are
            # unsettled in their own right (their group has all their statements)
            plan.groups.append(Group(sorted(closure({seq})), set(), seq))
        plan.suspects = suspects
        return plan

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            if self._own:
                shutil.rmtree(self.dir, ignore_errors=True)


@dataclass(slots=True)
class Group:
    """Records to validate together at the end, and whose results to keep.

    ``keep`` holds node keys; ``record`` (for a record whose nodes all need
    checking again) says to keep every node that record states, except the
    unsettled ones.
    """

    records: list[int]
    keep: set[int]
    record: int | None


@dataclass
class Plan:
    """What the end pass does: nothing, some groups of records, or everything again."""

    fallback: bool = False
    unsettled: set[int] = field(default_factory=set)
    suspects: set[int] = field(default_factory=set)
    groups: list[Group] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.fallback and not self.groups

    def records(self) -> set[int]:
        return {seq for g in self.groups for seq in g.records}


def batches(groups: Iterable[Group], size: int) -> Iterator[list[Group]]:
    """Groups packed into runs of about ``size`` records (one view each)."""
    run: list[Group] = []
    seen: set[int] = set()
    for group in groups:
        if run and len(seen | set(group.records)) > size:
            yield run
            run, seen = [], set()
        run.append(group)
        seen.update(group.records)
    if run:
        yield run


# --- validating a build: batches while it writes, the rest at the end -------------------

# A record as the end pass gets it back: (statement number, where it came from,
# its graph in N-Triples form or None, its blocks as kg/build.py prepares them).
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
        self.progress: Any = None  # kg/build.py's Progress, for the end pass

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
    """The lines of ``records`` that validating ``node`` can read, as kg/reach.py bounds it:
    the node's own triples, those that point at it and are read from its side, and,
    from every node reached that way, the same again."""

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


def statements(blocks: Iterable[Any]) -> dict[int, tuple[int, int]]:
    """What one record states about each node it names (not its private ones): the node's
    digest -> (fingerprint of what the record states about it, of its far part).

    A node's statement is the set of its blocks and of the triples that point at
    it and are read from its side; the same set gives the same fingerprints
    however the record splits it into blocks.
    """
    parts: dict[int, tuple[set[int], set[int]]] = {}
    for b in blocks:
        statement = b[9]
        if statement is None:
            continue
        node, full, far, inv, refs = statement
        mine = parts.get(node)
        if mine is None:
            mine = parts[node] = (set(), set())
        mine[0].add(full)
        if far:
            mine[1].add(far)
        for target, line, is_far in inv or ():
            theirs = parts.get(target)
            if theirs is None:
                theirs = parts[target] = (set(), set())
            theirs[0].add(line)
            if is_far:
                theirs[1].add(line)
        for target in refs or ():
            if target not in parts:
                parts[target] = (set(), set())
    return {node: (sum(full) & _MASK, sum(far) & _MASK) for node, (full, far) in parts.items()}


def record_nodes(blocks: Iterable[Any]) -> set[int]:
    """The digests of every node a record states or names (its private ones included)."""
    found: set[int] = set()
    for b in blocks:
        statement = b[9]
        if statement is None:
            found.add(node_digest(b[0]))
            continue
        found.add(statement[0])
        found.update(t for t, _, _ in statement[3] or ())
        found.update(statement[4] or ())
    return found


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
    # pyoxigraph loads the batch 10x faster than rdflib builds a graph of it;
    # the turbo engine validates the store as it is.
    import pyoxigraph as ox

    from kg.validation.shacl import validate_graph

    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    shapes = shapes if shapes is not None else _WORKER["shapes"]
    engine = engine if engine is not None else str(_WORKER["engine"])
    return validate_graph(store, shapes, sources=sources, engine=engine)
