"""Works that records name by an identifier without describing them: the targets of a
status, the notices a status cites as its source, the works a reference list or a
citation index cites. Each gets, at the end of the build, its DOI or PubMed id and its
identifier node (kg/mapping/citations.py ``named_work``), unless a record described it.

A reference list names tens of works per record, so a million-record build names tens of
millions: they are kept on disk, in SQLite in ``$TMPDIR``, not in memory. A window of the
works named most recently skips most repeats before they reach the table.

The end of the build reads them back sorted (by graph, then IRI): the same input gives the
same output. Those it writes are numbered, from :data:`NAMED`, in that order, and kept in a
second table, so validation's end pass can ask for any of them again (:meth:`written`).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.recent import Recent
from kg.validation.settle import PSEUDO

# statement numbers of the named works a build writes: after the build's other
# pseudo-statements (a source graph's provenance: a few hundred, from PSEUDO)
NAMED = PSEUDO + (1 << 36)

Named = tuple[str | None, str, str, str]  # graph (N-Triples or None), IRI, scheme, value


class NamedWorks:
    """The works records name, on disk; see the module docstring."""

    FLUSH = 20_000

    def __init__(self, window: int = 50_000) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kg-named-"))
        self.db = sqlite3.connect(self.dir / "named.sqlite", isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE named (graph TEXT NOT NULL, iri TEXT NOT NULL, scheme TEXT NOT NULL,"
            " value TEXT NOT NULL, PRIMARY KEY (graph, iri)) WITHOUT ROWID;"
            "CREATE TABLE written (seq INTEGER PRIMARY KEY, graph TEXT NOT NULL,"
            " scheme TEXT NOT NULL, value TEXT NOT NULL);"
        )
        self.db.execute("BEGIN")
        self.recent = Recent(window)
        self.rows: list[tuple[str, str, str, str]] = []
        self.done: list[tuple[int, str, str, str]] = []  # written, not yet in the table
        self.count = 0  # written so far

    def add(self, graph: str | None, iri: str, scheme: str, value: str) -> None:
        """A work that a record names by ``scheme`` (doi, pmid) ``value``, at ``iri``."""
        key = hash((graph, iri))
        if self.recent.get(key) is not None:
            return
        self.recent.put(key, 1)
        self.rows.append((graph or "", iri, scheme, value))
        if len(self.rows) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.db.executemany("INSERT OR IGNORE INTO named VALUES (?, ?, ?, ?)", self.rows)
            self.rows = []

    def sorted(self) -> Iterator[Named]:
        """Every work named, once per graph, by graph and IRI."""
        self._flush()
        rows = self.db.execute("SELECT graph, iri, scheme, value FROM named ORDER BY graph, iri")
        for graph, iri, scheme, value in rows:  # (what :meth:`wrote` adds goes to another table)
            yield graph or None, iri, scheme, value

    def wrote(self, graph: str | None, scheme: str, value: str) -> int:
        """Note that the build wrote this named work; its statement number."""
        seq = NAMED + self.count
        self.count += 1
        self.done.append((seq, graph or "", scheme, value))
        if len(self.done) >= self.FLUSH:
            self._flush_written()
        return seq

    def _flush_written(self) -> None:
        if self.done:
            self.db.executemany("INSERT INTO written VALUES (?, ?, ?, ?)", self.done)
            self.done = []

    def finished(self) -> None:
        """Every named work the build writes is noted (:meth:`wrote`)."""
        self._flush_written()

    def written(self, seqs: set[int] | None) -> Iterator[tuple[int, str | None, str, str]]:
        """The named works written with these statement numbers (all with None), in order."""
        self._flush_written()
        if seqs is None:
            rows = self.db.execute("SELECT seq, graph, scheme, value FROM written ORDER BY seq")
            for seq, graph, scheme, value in rows:
                yield seq, graph or None, scheme, value
            return
        for seq in sorted(s for s in seqs if NAMED <= s < NAMED + self.count):
            row = self.db.execute(
                "SELECT graph, scheme, value FROM written WHERE seq = ?", (seq,)
            ).fetchone()
            if row is not None:
                yield seq, row[0] or None, row[1], row[2]

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
