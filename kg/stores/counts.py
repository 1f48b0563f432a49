"""What a load reads and what the store then holds: the files read first, the report after.

Before anything is sent or removed, :func:`survey` reads every file once: which
graphs it fills, how many statements it gives each, and how many of them are
distinct (a graph is a set: a statement given twice is held once). A file that
does not parse stops the load there, with the store untouched. After the load
the store counts each graph, and :class:`LoadReport` compares: a graph is
verified when the store holds exactly the distinct triples read for it; the
total is the sum of the store's counts, each graph once.

Distinct statements are counted by their 64-bit hash (pyoxigraph's, within one
process), in bounded memory: up to :data:`LIMIT` hashes in sets, then spilled
into 256 temporary files by hash and counted one file at a time (a load of 88
million triples would otherwise hold some 6 GB of hashes).
"""

from __future__ import annotations

import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import RdfSyntaxError, StoreError, UsageError
from kg.rdf.files import FORMATS, QUAD_FORMATS, format_of
from kg.stores.endpoints import graph_iri

Progress = Callable[[int], None]
LIMIT = 1 << 20  # hashes held in memory before they are spilled (about 70 MB)
_BUCKETS = 256
_CHUNK = 4096  # (graph, hash) pairs a bucket buffers before it is written


@dataclass
class GraphLoad:
    """One named graph of a load: the files read into it and what the store holds after."""

    graph: str
    sources: list[tuple[str, int]] = field(default_factory=list)  # (file name, statements read)
    distinct: int = 0  # distinct triples read for it, over all its files
    count: int | None = None  # triples in the graph after the load, as the store counts them
    sent: int = 0  # triples sent to the store (a remote load), or loaded
    batches_done: int = 0
    batches_total: int = 0
    error: str | None = None

    @property
    def read(self) -> int:
        return sum(n for _, n in self.sources)

    @property
    def duplicates(self) -> int:
        return self.read - self.distinct

    @property
    def verified(self) -> bool:
        return self.error is None and self.count == self.distinct

    def describe(self) -> str:
        files = ", ".join(name for name, _ in self.sources)
        if len(self.sources) > 1:
            files = ", ".join(f"{name} ({n})" for name, n in self.sources)
        head = f"  <{self.graph}> from {files}: "
        if self.error is not None:
            return head + (
                f"FAILED after {self.batches_done} batch(es) ({self.sent} triples) "
                f"were loaded: {self.error}"
            )
        read = f"{self.read} read"
        if self.duplicates:
            read += f", {self.distinct} distinct ({self.duplicates} duplicates)"
        if self.count is None:
            return head + read + "; not counted in the store"
        held = f"the store holds {self.count}"
        return head + f"{read}; {held}: " + ("verified" if self.verified else "MISMATCH")


@dataclass
class LoadReport:
    """Which graphs were loaded from which files, and what the store holds in each."""

    target: str
    method: str
    graphs: list[GraphLoad] = field(default_factory=list)

    def graph(self, iri: str) -> GraphLoad:
        """The graph's entry, added if it has none yet."""
        for g in self.graphs:
            if g.graph == iri:
                return g
        gl = GraphLoad(iri)
        self.graphs.append(gl)
        return gl

    @property
    def triples(self) -> int:
        """The triples the store holds in the loaded graphs (each graph counted once)."""
        return sum(g.count or 0 for g in self.graphs)

    @property
    def verified(self) -> bool:
        return all(g.verified for g in self.graphs)

    def summary(self) -> str:
        lines = [f"Load into {self.target} ({self.method}):"]
        lines.extend(g.describe() for g in self.graphs)
        total = (
            f"Total: {self.triples} triples in {len(self.graphs)} graph(s), counted in the store"
        )
        if self.graphs and self.verified:
            total += ": each holds exactly the distinct triples read (verified)"
        lines.append(total)
        return "\n".join(lines)

    def check(self) -> None:
        """:raises LoadFailed: if a graph holds other than the distinct triples read for it."""
        wrong = [g for g in self.graphs if g.error is None and not g.verified]
        if wrong:
            g = wrong[0]
            raise LoadFailed(
                f"<{g.graph}> holds {g.count} triples in the store, but {g.distinct} distinct "
                f"triples were read for it from {', '.join(n for n, _ in g.sources)}"
                + (f" (and {len(wrong) - 1} other graph(s) differ)" if len(wrong) > 1 else ""),
                self,
                hint="another client may be writing to these graphs, or the store changes "
                "what it is given (kg load counts what it reads with pyoxigraph)",
            )


class LoadFailed(StoreError):
    """A load stopped, or its counts do not match; ``report`` says what was loaded."""

    def __init__(self, message: str, report: LoadReport, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


class Distinct:
    """Distinct statements per graph, by 64-bit hash, in bounded memory (module docstring)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.sets: dict[int, set[int]] = {}
        self.held = 0
        self.folder: str | None = None  # the spill files' folder, once spilled
        self.buffers: list[array[int]] = []

    def add(self, graph: int, h: int) -> None:
        if self.folder is None:
            seen = self.sets.get(graph)
            if seen is None:
                seen = self.sets[graph] = set()
            if h not in seen:
                seen.add(h)
                self.held += 1
                if self.held > self.limit:
                    self._spill()
            return
        buffer = self.buffers[h % _BUCKETS]
        buffer.append(graph)
        buffer.append(h)
        if len(buffer) >= 2 * _CHUNK:
            self._write(h % _BUCKETS)

    def _spill(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="kg-distinct-")
        self.buffers = [array("q") for _ in range(_BUCKETS)]
        sets, self.sets, self.held = self.sets, {}, 0
        for graph, seen in sets.items():
            for h in seen:
                self.add(graph, h)

    def _write(self, bucket: int) -> None:
        assert self.folder is not None
        with open(Path(self.folder) / f"{bucket:03d}", "ab") as f:
            self.buffers[bucket].tofile(f)
        self.buffers[bucket] = array("q")

    def counts(self) -> dict[int, int]:
        """How many distinct statements each graph got (the spill files are then removed)."""
        if self.folder is None:
            return {graph: len(seen) for graph, seen in self.sets.items()}
        found: dict[int, int] = {}
        try:
            for bucket in range(_BUCKETS):
                self._write(bucket)
                pairs = array("q", (Path(self.folder) / f"{bucket:03d}").read_bytes())
                per: dict[int, set[int]] = {}
                for i in range(0, len(pairs), 2):
                    per.setdefault(pairs[i], set()).add(pairs[i + 1])
                for graph, seen in per.items():
                    found[graph] = found.get(graph, 0) + len(seen)
        finally:
            self.close()
        return found

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.buffers = []


@dataclass(frozen=True)
class Step:
    """One file of a load: the graph given for it (None: a quad file's own graphs), and
    the graphs it fills."""

    path: Path
    graph: str | None
    graphs: tuple[str, ...]


class Counting:
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, f: IO[bytes], progress: Progress) -> None:
        self.f = f
        self.progress = progress

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.progress(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)


def parse(path: Path, progress: Progress | None = None) -> Iterator[ox.Quad]:
    """The statements of an RDF file (format from its extension).

    :raises RdfSyntaxError: naming the file and the line of the error.
    """
    key = format_of(path)
    try:
        with path.open("rb") as raw:
            f: Any = Counting(raw, progress) if progress is not None else raw
            yield from ox.parse(f, format=FORMATS[key][1])
    except SyntaxError as e:
        raise RdfSyntaxError(f"{path}: not valid {FORMATS[key][0]}: {e}") from None
    except OSError as e:
        raise RdfSyntaxError(f"{path}: cannot read: {e.strerror or e}") from None


def survey(
    files: Iterable[tuple[Path, str | None]],
    report: LoadReport,
    *,
    progress: Progress | None = None,
    limit: int = LIMIT,
) -> list[Step]:
    """Read every (file, graph) once, before anything is loaded: the graphs each fills, the
    statements it gives each (into ``report``) and the distinct triples of each graph.

    A triple file goes into the graph given; a quad file (N-Quads, TriG) into that graph
    too when one is given, else into its own named graphs.

    :raises RdfSyntaxError: if a file does not parse.
    :raises UsageError: if a quad file loaded into its own graphs has statements in no
        named graph (they would go into no graph that a later load replaces).
    """
    distinct = Distinct(limit)
    ids: dict[str, int] = {}
    steps: list[Step] = []
    try:
        for path, given in files:
            quads = format_of(path) in QUAD_FORMATS
            read: dict[str, int] = {}
            if given is not None:
                graph = graph_iri(given)
                gid = ids.setdefault(graph, len(ids))
                n = 0
                for q in parse(path, progress):
                    n += 1
                    distinct.add(gid, hash(q.triple))
                read[graph] = n
            elif not quads:
                raise ValueError("a triple file needs a graph")
            else:
                read = _own_graphs(path, distinct, ids, progress)
            for graph, n in read.items():
                report.graph(graph).sources.append((path.name, n))
            steps.append(Step(path, given, tuple(read)))
        counts = distinct.counts()
    finally:
        distinct.close()
    for graph, gid in ids.items():
        report.graph(graph).distinct = counts.get(gid, 0)
    return steps


def _own_graphs(
    path: Path, distinct: Distinct, ids: dict[str, int], progress: Progress | None
) -> dict[str, int]:
    """Read a quad file into its own named graphs: the statements each gets."""
    read: dict[str, int] = {}
    names: dict[object, str] = {}
    unnamed = 0
    for q in parse(path, progress):
        name = q.graph_name
        graph = names.get(name)
        if graph is None:
            if not isinstance(name, ox.NamedNode):
                unnamed += 1
                continue
            graph = names[name] = name.value
        read[graph] = read.get(graph, 0) + 1
        distinct.add(ids.setdefault(graph, len(ids)), hash(q.triple))
    if unnamed:
        raise UsageError(
            f"{path}: {unnamed} statement(s) are in the default graph (or a blank-node "
            "graph), which no later load would replace",
            hint="give --graph IRI to load the whole file into one named graph",
        )
    return read
