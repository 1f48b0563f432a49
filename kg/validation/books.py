"""The books of a build's validation: which focus nodes a batch of records settles, and
which wait for the end of the build (kg/validation/settle.py validates them).

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
  when they reach the node from another one (``far``, see kg/validation/reach.py), and
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

import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.digest import node_digest
from kg.recent import Recent

_MASK = (1 << 63) - 1  # SQLite integers are signed 64-bit: registry keys use 63 bits


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
        # nodes whose identical statements were counted, not logged, as they leave the window
        self.window = Recent(
            window or self.WINDOW,
            lambda old: self._dropped.extend(k for k, e in old.items() if e & _UNLOGGED),
        )
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


def statements(blocks: Iterable[Any]) -> dict[int, tuple[int, int]]:
    """What one record states about each node it names (not its private ones): the node's
    digest -> (fingerprint of what the record states about it, of its far part).

    A node's statement is the set of its blocks and of the triples that point at
    it and are read from its side; the same set gives the same fingerprints
    however the record splits it into blocks.
    """
    parts: defaultdict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for b in blocks:
        statement = b[9]
        if statement is None:
            continue
        node, full, far, inv, refs = statement
        mine = parts[node]
        mine[0].add(full)
        if far:
            mine[1].add(far)
        for target, line, is_far in inv or ():
            theirs = parts[target]
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
