"""Build: record files in, one RDF file out, validated on the way.

The build streams: records are read, mapped and written one at a time, so the
output never sits in memory whole. Nodes that many records share (journals,
organisations, people with an ORCID, ...) are written once; kg remembers which
it has written. Validation runs on batches of records, each batch holding the
full description of its records, because kg's shapes are record-local.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

import pyoxigraph as ox

from kg import vocab as V
from kg.digest import digest as _digest
from kg.digest import node_digest as _node_digest
from kg.errors import InputError, Location, UsageError
from kg.iris import DEFAULT_BASE, IriMinter, digest, segment
from kg.mapping.mapper import MappedBlock, Mapper
from kg.rdf.writers import (
    NQuadsWriter,
    NTriplesWriter,
    RdfWriter,
    TriGWriter,
    TurtleWriter,
    literal,
    nt_lines,
)
from kg.rdf.files import FORMATS, QUAD_FORMATS, ShardedOutput, atomic_output
from kg.readers.base import Reject, Skipped, SourceFile
from kg.readers.registry import (
    Unit,
    file_size,
    find_sources,
    read_unit,
    units,
)
from kg.records import Issue, Record
from kg.mapping.resolve import (
    Merge,
    Observation,
    Resolver,
    default_tables,
    load_variants,
    observation,
)
from kg.vocab import PREFIXES

if TYPE_CHECKING:  # rdflib and the SHACL engines load only when a build validates
    from rdflib import Graph

    from kg.validation.reach import Reads
    from kg.validation.settle import Checker
    from kg.validation.shacl import ValidationReport


class Progress(Protocol):
    """What a build tells whoever shows its progress (kg/cli.py draws a bar with tqdm).

    A build goes through phases (checking its inputs, resolving, building,
    checking again what several records describe); each has a total where it
    can be known: bytes of the input files, or records.
    """

    def phase(self, name: str, total: int | None, unit: str = "B") -> None: ...

    def advance(self, done: int = 0, records: int = 0) -> None: ...


class _NoProgress:
    def phase(self, name: str, total: int | None, unit: str = "B") -> None:
        return None

    def advance(self, done: int = 0, records: int = 0) -> None:
        return None


@dataclass
class FileSummary:
    name: str
    reader: str
    records: int = 0
    rejected: int = 0
    merged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # kinds of work kg does not map


@dataclass
class BuildReport:
    """What a build did: counts, rejects, warnings and the validation outcome."""

    files: list[FileSummary] = field(default_factory=list)
    records: int = 0
    built: int = 0
    duplicates: int = 0
    merged: int = 0  # records that added to a work another record described
    skipped: int = 0  # works of kinds kg does not map
    status_only: int = 0  # works known only by DOI (the target or source of a status)
    rejects: list[Reject] = field(default_factory=list)
    issues: list[tuple[Location, Issue]] = field(default_factory=list)
    triples: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    validation: ValidationReport | None = None
    output: str | None = None
    format: str = "ttl"
    shards: list[str] = field(default_factory=list)
    merges: Sequence[Merge] = field(default_factory=list)  # what entity resolution made one
    near_misses: Sequence[Merge] = field(default_factory=list)  # what it kept apart, and why
    # how validation settled nodes that several records describe (kg/settle.py)
    settled: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """3 if records were rejected, else 1 if validation failed, else 0."""
        if self.rejects:
            return InputError.exit_code
        if self.validation is not None and not self.validation.conforms:
            return 1
        return 0

    def summary(self, limit: int = 20) -> str:
        """A few lines for a person; at most ``limit`` warnings and rejects are listed."""
        lines = []
        for f in self.files:
            line = f"  {f.name}: {f.records} record(s) read by the {f.reader} reader"
            if f.rejected:
                line += f", {f.rejected} rejected"
            if f.merged:
                line += f", {f.merged} added to works described elsewhere"
            if f.skipped:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(f.skipped.items()))
                line += f"; skipped (types kg does not map): {kinds}"
            lines.append(line)
        head = (
            f"Read {self.records} record(s) from {len(self.files)} file(s): "
            f"{self.built} built, {len(self.rejects)} rejected"
            + (f", {self.merged} merged" if self.merged else "")
            + (f", {self.duplicates} duplicate(s) skipped" if self.duplicates else "")
            + (f", {self.skipped} skipped" if self.skipped else "")
        )
        out = [head, *lines]
        if self.status_only:
            n = self.status_only
            out.append(f"Works known only by their DOI (the target or source of a status): {n}")
        if self.merges or self.near_misses:
            merged = Counter(m.kind for m in self.merges)
            near = Counter(m.kind for m in self.near_misses)
            out.append(
                "Resolved: "
                + (", ".join(f"{n} {k} merge(s)" for k, n in sorted(merged.items())) or "no merge")
                + (
                    "; kept apart: " + ", ".join(f"{n} {k}(s)" for k, n in sorted(near.items()))
                    if near
                    else ""
                )
                + " (each with its evidence in --merges FILE)"
            )
        where = self.output or "standard output"
        out.append(f"Wrote {self.triples} triples ({FORMATS[self.format][0]}) to {where}")
        if self.entities:
            out.append(
                "Entities: " + ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items()))
            )
        for loc, issue in self.issues[:limit]:
            out.append(f"Warning: {Location(loc.path, loc.record, issue.field)}: {issue.message}")
        if len(self.issues) > limit:
            out.append(f"... and {len(self.issues) - limit} more warning(s) (all in --report FILE)")
        for r in self.rejects[:limit]:
            out.append(f"Rejected: {r.error}")
        if len(self.rejects) > limit:
            out.append(
                f"... and {len(self.rejects) - limit} more rejected record(s) "
                "(all in --rejects FILE)"
            )
        if self.validation is None:
            out.append("Validation: skipped (--no-validate)")
        else:
            engine = self.validation.engine
            out.append(f"Validation ({engine}): {self.validation.summary()}")
            settled = self.settled
            if settled.get("whole"):
                out.append(
                    f"Checked again at the end: the whole output ({settled['revalidated_records']}"
                    " record(s)), as the shapes read more than kg can follow record by record"
                )
            elif settled.get("revalidated_records"):
                out.append(
                    f"Checked again at the end: {settled['unsettled_nodes']} node(s) that several "
                    f"records describe, on all they said ({settled['revalidated_records']} "
                    "record(s) read again)"
                )
        return "\n".join(out)

    def to_json(self) -> str:
        """Everything the build found, for a program or for a build too big to read on a screen."""

        def where(loc: Location) -> dict[str, str | None]:
            return {"file": loc.path, "record": loc.record, "field": loc.field}

        return (
            json.dumps(
                {
                    "records": self.records,
                    "built": self.built,
                    "rejected": len(self.rejects),
                    "merged": self.merged,
                    "duplicates": self.duplicates,
                    "skipped": self.skipped,
                    "status_only": self.status_only,
                    "triples": self.triples,
                    "output": self.output,
                    "format": self.format,
                    "files": [vars(f) | {"skipped": dict(f.skipped)} for f in self.files],
                    "entities": dict(sorted(self.entities.items())),
                    "merges": [m.as_dict() for m in self.merges],
                    "near_misses": [m.as_dict() for m in self.near_misses],
                    "settled": self.settled,
                    "warnings": [
                        where(Location(loc.path, loc.record, i.field)) | {"message": i.message}
                        for loc, i in self.issues
                    ],
                    "rejects": [
                        where(r.error.location) | {"error": r.error.problem} for r in self.rejects
                    ],
                    "validation": json.loads(self.validation.to_json())
                    if self.validation
                    else None,
                    "exit_code": self.exit_code,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )


@lru_cache(maxsize=1024)
def _class_name(term: str) -> str:
    value = term[1:-1]
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns):
            return f"{prefix}:{value[len(ns) :]}"
    return value


# What a record states about one node, for kg/settle.py: (digest of the subject,
# fingerprint of its triples, fingerprint of the triples other nodes' shapes read,
# triples that point at other nodes and are read from their side as
# (object digest, line digest, read as a far part?), nodes it names whose
# triples the shapes read further (object digests)); None for a record's own
# private nodes (roles, unnamed authors), which no other record states.
Statement = tuple[int, int, int, tuple[tuple[int, int, bool], ...] | None, tuple[int, ...] | None]

# A block made ready to write, as a plain tuple (it crosses between processes,
# and pickle handles tuples of str and int much faster than dataclasses):
# (subject, N-Triples lines, pairs if the writer groups them else None,
#  number of triples, tracked, merge, key digest, fingerprint, class to count or None,
#  what the block states for validation or None)
Prepared = tuple[
    str, str, list[tuple[str, str]] | None, int, bool, bool, int, int, str | None, Statement | None
]


def prepare(
    blocks: Iterable[MappedBlock],
    pairs_too: bool,
    reads: Reads | None = None,
    work: str | None = None,
) -> list[Prepared]:
    """Blocks as the emitter takes them: N-Triples text, and digests for the tracked ones.

    With ``reads`` (the build validates), each block also says what it states
    for kg/settle.py; ``work`` is the record's work, the one untracked node
    that other records may add to.
    """
    blocks = list(blocks)
    local = (
        {b.subject for b in blocks if not b.tracked and b.subject != work}
        if reads is not None
        else set()
    )
    out: list[Prepared] = []
    for b in blocks:
        pairs = b.pairs
        if not pairs:
            continue
        text = nt_lines(b.subject, pairs)
        if b.tracked:
            key, fingerprint = _digest(b.key or b.subject), _digest(text)
            cls = _class_name(pairs[0][1]) if b.key is None else None
        else:
            key = fingerprint = 0
            cls = _class_name(pairs[0][1])
        kept = pairs if pairs_too else None
        statement = None
        if reads is not None and b.subject not in local:
            statement = _statement(b.subject, pairs, text, fingerprint, reads, local)
        out.append(
            (
                b.subject,
                text,
                kept,
                len(pairs),
                b.tracked,
                b.merge,
                key,
                fingerprint,
                cls,
                statement,
            )
        )
    return out


def _statement(
    subject: str,
    pairs: list[tuple[str, str]],
    text: str,
    fingerprint: int,
    reads: Reads,
    local: set[str],
) -> Statement:
    far: list[str] = []
    inv: list[tuple[int, int, bool]] = []
    refs: list[int] = []
    far_out, is_in, is_far_in, is_entry = (
        reads.far_out,
        reads.is_in,
        reads.is_far_in,
        reads.is_entry,
    )
    for p, o in pairs:
        if far_out is None or p in far_out:
            far.append(f"{p} {o}")
        if o[0] == "<" and o not in local:
            if is_in(p):
                inv.append((_node_digest(o), _digest(f"{subject} {p} {o}"), is_far_in(p)))
            if is_entry(p):
                refs.append(_node_digest(o))
    return (  # no empty lists: a build has millions of these in flight between processes
        _node_digest(subject),
        fingerprint or _digest(text),
        _digest("\n".join(far)) if far else 0,
        tuple(inv) if inv else None,
        tuple(refs) if refs else None,
    )


@dataclass(slots=True)
class _Mapped:
    """A record read and mapped (by a worker, or the main process): what the build needs of it."""

    origin: Location
    issues: list[Issue]
    subject: str
    fingerprint: int  # of the whole description: the same record seen twice
    blocks: list[Prepared]
    targets: list[tuple[str, str]]


def _mapped(mapper: Mapper, rec: Record, pairs_too: bool, reads: Reads | None = None) -> _Mapped:
    m = mapper.map_record(rec)
    blocks = prepare(m.blocks, pairs_too, reads, m.subject)
    fingerprint = _digest("".join(b[1] for b in blocks))
    return _Mapped(rec.origin, rec.issues, m.subject, fingerprint, blocks, m.targets)


class _Recent:
    """A mapping that keeps about its ``size`` most recently used keys (at most 2x).

    Two plain dicts, the newer and the older generation: a key found in the
    older one moves to the newer one, and when the newer one is full the older
    one is dropped. Cheaper in time and memory than an ordered LRU, and as
    deterministic: what is forgotten depends only on the order of the records.
    """

    __slots__ = ("new", "old", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.new: dict[int, Any] = {}
        self.old: dict[int, Any] = {}

    def get(self, key: int) -> Any:
        value = self.new.get(key)
        if value is None:
            value = self.old.pop(key, None)
            if value is not None:
                self._put(key, value)
        return value

    def __setitem__(self, key: int, value: Any) -> None:
        self._put(key, value)

    def _put(self, key: int, value: Any) -> None:
        new = self.new
        new[key] = value
        if len(new) >= self.size:
            self.old = new
            self.new = {}

    def pop(self, key: int) -> Any:
        value = self.new.pop(key, None)
        return self.old.pop(key, None) if value is None else value


class _Segmented:
    """A :class:`_Recent` window in two parts: a key used a second time is kept longer.

    Most tracked nodes come once (a person with an ORCID iD in one article);
    journals and organisations come again and again. New keys go to the
    probation part; a key asked for again moves to the protected part, which
    only such keys fill, so a stream of one-off nodes cannot push out a journal
    that comes every few thousand records.
    """

    __slots__ = ("probation", "protected")

    def __init__(self, size: int) -> None:
        self.probation = _Recent(size)
        self.protected = _Recent(size)

    def get(self, key: int) -> Any:
        value = self.protected.get(key)
        if value is None:
            value = self.probation.pop(key)
            if value is not None:
                self.protected[key] = value
        return value

    def __setitem__(self, key: int, value: Any) -> None:
        if self.protected.get(key) is not None:
            self.protected[key] = value
        else:
            self.probation[key] = value


class _Emitter:
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
        self.seen = _Segmented(self.SEEN_SIZE)  # key digest -> fingerprint of the first block
        self.known = _Segmented(self.CACHE_SIZE)  # key digest -> the N-Triples lines written

    def emit(self, blocks: Iterable[Prepared], graph: str | None) -> None:
        """Write the blocks: a tracked node's triples once, then only what is new."""
        report = self.report
        seen, known, writer = self.seen, self.known, self.writer
        for subject, text, pairs, n, tracked, _, key, fingerprint, cls, _ in blocks:
            if not n:
                continue
            if tracked:
                if graph is not None:
                    key = hash((graph, key))
                first = seen.get(key)
                if first == fingerprint:
                    known.get(key)  # keeps what a node that comes often has in the window
                    continue
                if first is None:
                    seen[key] = fingerprint
                    known[key] = text
                else:
                    old = known.get(key)
                    if old is not None:  # write only the triples not written yet
                        # (split on "\n" only: a literal may hold U+2028, never "\n")
                        written = set(old.split("\n"))
                        lines = text.split("\n")[:-1]
                        if pairs is not None:
                            kept = zip(pairs, lines, strict=True)
                            pairs = [po for po, ln in kept if ln not in written]
                        new = [ln for ln in lines if ln not in written]
                        if not new:
                            continue
                        known[key] = old + "".join(f"{ln}\n" for ln in new)
                        text, n = "".join(f"{ln}\n" for ln in new), len(new)
                    else:
                        known[key] = text
            if cls is not None:
                report.entities[cls] += 1
            writer.lines(subject, text, pairs, graph)
            report.triples += n

    def wrote(self, graph: str | None, key: str) -> bool:
        """Whether a tracked block with this key was written (in this graph) recently."""
        k = _digest(key)
        return self.seen.get(k if graph is None else hash((graph, k))) is not None


def _writer(fmt: str, out: IO[str]) -> RdfWriter:
    if fmt == "ttl":
        return TurtleWriter(out)
    if fmt == "trig":
        return TriGWriter(out)
    if fmt == "nq":
        return NQuadsWriter(out)
    return NTriplesWriter(out)


def graph_iri(base: str, source: SourceFile) -> str:
    """The named graph of a source file in N-Quads and TriG output."""
    return f"{base}graph/{'/'.join(segment(p) for p in source.name.split('/'))}"


def build_stream(
    sources: Sequence[SourceFile],
    out: IO[str],
    *,
    fmt: str = "ttl",
    base: str = DEFAULT_BASE,
    validate: bool = True,
    shapes: Graph | None = None,
    reader: str = "auto",
    batch_size: int = 200,
    progress: Progress | None = None,
    engine: str = "auto",
    on_record: Callable[[int], None] | None = None,
    resolve: bool = True,
    variants: dict[str, str] | None = None,
    workers: int = 1,
    settle_window: int | None = None,
) -> BuildReport:
    """Map the records of ``sources`` to RDF written to ``out`` in ``fmt`` (nt, nq, ttl, trig).

    With ``resolve`` (the default) the sources are read twice: first to decide
    which journals, organisations and people are the same (kg/resolve.py, with
    the name-variants table ``variants``), then to write them.

    ``on_record`` is called after each record with the number of triples written
    so far (kg uses it to cut the output into shards).

    Bad records are rejected and reported; the others are written.
    """
    report = BuildReport(format=fmt)
    progress = progress or _NoProgress()
    minter = IriMinter(base)
    resolver = None
    counts: list[int] = []  # records per unit, for the workers' place in the first pass
    # the inputs are read more than once: every pass must read the same records
    inputs = _Inputs(sources, progress) if resolve or validate else None
    total = sum(file_size(s.path) for s in sources)
    if resolve:
        # the first pass: what identifies journals, organisations and people
        progress.phase("resolving", total)
        resolver = _first_pass(sources, minter, variants or {}, counts, workers, progress)
        report.merges, report.near_misses = resolver.merges, resolver.near_misses
    try:
        return _second_pass(
            sources,
            out,
            report,
            fmt=fmt,
            base=base,
            minter=minter,
            resolver=resolver,
            counts=counts,
            inputs=inputs,
            total=total,
            validate=validate,
            shapes=shapes,
            reader=reader,
            batch_size=batch_size,
            progress=progress,
            engine=engine,
            on_record=on_record,
            resolve=resolve,
            workers=workers,
            settle_window=settle_window,
        )
    finally:
        if resolver is not None:
            resolver.close()


def _second_pass(
    sources: Sequence[SourceFile],
    out: IO[str],
    report: BuildReport,
    *,
    fmt: str,
    base: str,
    minter: IriMinter,
    resolver: Resolver | None,
    counts: list[int],
    inputs: _Inputs | None,
    total: int,
    validate: bool,
    shapes: Graph | None,
    reader: str,
    batch_size: int,
    progress: Progress,
    engine: str,
    on_record: Callable[[int], None] | None,
    resolve: bool,
    workers: int,
    settle_window: int | None,
) -> BuildReport:
    """Map and write every record, validating them on the way (see :func:`build_stream`)."""
    if inputs is not None:
        inputs.check_quickly()
    mapper = Mapper(minter, resolver)
    writer = _writer(fmt, out)
    reads: Reads | None = None
    checker: Checker | None = None
    if validate:
        from kg.validation.reach import reads as reads_of
        from kg.validation.settle import Checker
        from kg.validation.shacl import load_shapes

        shapes = load_shapes() if shapes is None else shapes
        reads = reads_of(shapes)
        checker = Checker(shapes, engine, reads, batch_size, workers, window=settle_window)
    pipeline = (
        _Pipeline(sources, base, resolver, counts, workers, writer.wants_pairs, reads)
        if workers > 1
        else None
    )
    emitter = _Emitter(writer, report)
    quads = fmt in QUAD_FORMATS
    state = _State(mapper, emitter, checker, report, per_graph=quads, reads=reads)
    activity = _activity(base, reader, resolve, sources) if quads else None
    replay = _Replay(sources, state, resolver, base, activity)
    try:
        progress.phase("building", total)
        writer.start()
        for index, source in enumerate(sources):
            summary = FileSummary(source.name, source.reader)
            report.files.append(summary)
            graph = f"<{graph_iri(base, source)}>" if quads else None
            if checker is not None:
                checker.start_graph(graph)  # a batch holds one graph: each is validated alone
            if graph is not None and activity is not None:
                blocks = prepare(_provenance(base, source, graph, activity), True, reads)
                emitter.emit(blocks, graph)
                if checker is not None:
                    checker.add(blocks, Location(source.name), state.pseudo(("prov", index)))
            results = (
                ((unit.size, read_unit(unit)) for unit in units(source))
                if pipeline is None
                else pipeline.units(source)
            )
            table: list[tuple[int, int]] = []
            for size, unit_items in results:
                first = state.seq
                for item in unit_items:
                    if isinstance(item, Skipped):
                        summary.skipped[item.kind] += 1
                        report.skipped += 1
                        continue
                    summary.records += 1
                    report.records += 1
                    if isinstance(item, Reject):
                        summary.rejected += 1
                        report.rejects.append(item)
                    else:
                        state.add(item, graph, summary)
                        if on_record is not None:
                            on_record(report.triples)
                    progress.advance(records=1)
                table.append((first, state.seq - first))
                progress.advance(size)
            replay.units.append(table)
        if pipeline is not None:
            pipeline.close()
            pipeline = None
        state.finish()
        writer.finish()
        if checker is not None:
            checker.progress = progress
            report.validation = checker.finish(replay.records)
            report.settled = dict(checker.stats)
        if inputs is not None:
            inputs.check(progress)
    finally:
        if pipeline is not None:
            pipeline.close()
        if checker is not None:
            checker.close()
    return report


class _Replay:
    """Gives back records by their statement number, as the build stated them.

    The end pass of validation (kg/settle.py) needs a few records again, long
    after they were written: it reads their units again and maps them as the
    build did (the same resolver decisions, the same choice between a work's
    description and what a later record only adds to it).
    """

    def __init__(
        self,
        sources: Sequence[SourceFile],
        state: _State,
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

    def records(
        self, seqs: set[int] | None, detailed: set[int]
    ) -> Iterator[tuple[int, Location, str | None, list[Prepared]]]:
        """The records with these statement numbers (all of them for None), in build order;
        those in ``detailed`` with what their blocks state (for kg/settle.py)."""
        state = self.state
        quads = state.per_graph
        for index, (source, table) in enumerate(zip(self.sources, self.units, strict=True)):
            graph = f"<{graph_iri(self.base, source)}>" if quads else None
            for seq, _ in state.pseudos_of(("prov", index)):
                if seqs is None or seq in seqs:
                    assert self.activity is not None and graph is not None
                    blocks = prepare(
                        _provenance(self.base, source, graph, self.activity), True, state.reads
                    )
                    yield seq, Location(source.name), graph, blocks
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
        for seq, what in state.pseudos_of("doi"):
            if seqs is None or seq in seqs:
                graph, doi = str(what[1]) if what[1] else None, str(what[2])
                blocks = prepare(state.mapper.doi_only(doi), True, state.reads)
                yield seq, Location(graph[1:-1] if graph else ""), graph, blocks


def _first_pass(
    sources: Sequence[SourceFile],
    minter: IriMinter,
    variants: dict[str, str],
    counts: list[int],
    workers: int,
    progress: Progress,
) -> Resolver:
    """Entity resolution's pass over every record (in ``workers`` processes), and its
    decisions; appends each unit's record count to ``counts``."""
    resolver = Resolver(minter, variants)
    try:
        if workers > 1:
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn")
            )
            try:
                todo = ((unit.size, unit) for s in sources for unit in units(s))
                for size, observations in _in_order(pool, _observe_unit, todo, 3 * workers):
                    for obs in observations:
                        resolver.add(obs)
                    counts.append(len(observations))
                    progress.advance(size, len(observations))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            for source in sources:
                for unit in units(source):
                    n = 0
                    for item in read_unit(unit):
                        if isinstance(item, Record):
                            n += 1
                            resolver.add(observation(item))
                            progress.advance(records=1)
                    counts.append(n)
                    progress.advance(unit.size)
        resolver.finish()
    except BaseException:
        resolver.close()
        raise
    return resolver


def _observe_unit(unit: Unit) -> list[Observation]:
    """What entity resolution needs of one unit's records (in a worker process)."""
    return [observation(item) for item in read_unit(unit) if isinstance(item, Record)]


_T = TypeVar("_T")
_R = TypeVar("_R")


def _in_order(
    pool: ProcessPoolExecutor,
    fn: Callable[[_T], _R],
    tasks: Iterable[tuple[int, _T]],
    window: int,
) -> Iterator[tuple[int, _R]]:
    """``fn`` of each task in the pool, results in the tasks' order, at most ``window`` in
    flight (so memory stays bounded); each task's label comes back with its result."""
    pending: deque[tuple[int, Future[_R]]] = deque()
    todo = iter(tasks)
    while True:
        while len(pending) < window:
            nxt = next(todo, None)
            if nxt is None:
                break
            pending.append((nxt[0], pool.submit(fn, nxt[1])))
        if not pending:
            return
        label, future = pending.popleft()
        yield label, future.result()


def input_state(path: Path) -> tuple[int, int, str]:
    """A file's size, modification time and a digest of its bytes."""
    import hashlib

    try:
        st = path.stat()
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    return st.st_size, st.st_mtime_ns, digest


class _Inputs:
    """The input files as a build first read them: it reads them more than once (entity
    resolution, then writing, then the records validation checks again), and every
    pass must read the same records."""

    def __init__(self, sources: Sequence[SourceFile], progress: Progress) -> None:
        self.sources = sources
        total = sum(file_size(s.path) for s in sources)
        progress.phase("checking inputs", total)
        self.states = []
        for s in sources:
            self.states.append(input_state(s.path))
            progress.advance(self.states[-1][0])

    def _changed(self, source: SourceFile, now: tuple[int, int, str] | None) -> InputError:
        return InputError(
            f"{source.name} changed while kg was building it (kg reads its inputs more than "
            "once: to resolve entities, to write, and to validate what several records "
            "describe), so its records are not the ones kg read at first: nothing was "
            "written; build again once the file no longer changes"
        )

    def check_quickly(self) -> None:
        """Size and modification time (between passes)."""
        for source, (size, mtime, _) in zip(self.sources, self.states, strict=True):
            try:
                st = source.path.stat()
            except OSError:
                raise self._changed(source, None) from None
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                raise self._changed(source, None)

    def check(self, progress: Progress) -> None:
        """Size, modification time and digest (before the output is committed)."""
        progress.phase("checking inputs", sum(st[0] for st in self.states))
        for source, state in zip(self.sources, self.states, strict=True):
            try:
                now = input_state(source.path)
            except InputError:
                raise self._changed(source, None) from None
            if now != state:
                raise self._changed(source, now)
            progress.advance(state[0])


_MAPPER: Mapper | None = None


_PAIRS_TOO = False


_READS: Reads | None = None


def _init_map_worker(
    base: str, resolver: Resolver | None, pairs_too: bool, reads: Reads | None
) -> None:
    global _MAPPER, _PAIRS_TOO, _READS
    _MAPPER = Mapper(IriMinter(base), resolver)
    _PAIRS_TOO = pairs_too
    _READS = reads


def _map_unit(unit: Unit, first_record: int) -> list[Skipped | Reject | _Mapped]:
    """Read and map one unit (in a worker process)."""
    mapper = _MAPPER
    assert mapper is not None
    if mapper.resolver is not None:
        mapper.resolver.start_at(first_record)
    out: list[Skipped | Reject | _Mapped] = []
    for item in read_unit(unit):
        if isinstance(item, Record):
            out.append(_mapped(mapper, item, _PAIRS_TOO, _READS))
        else:
            out.append(item)
    return out


class _Pipeline:
    """Reads and maps the units of the sources in ``workers`` processes, in order.

    The main process cuts the sources into units and takes the results back in
    unit order, with a bounded number of units in flight, so the build writes
    exactly what one process writes and memory does not grow with the input.
    """

    def __init__(
        self,
        sources: Sequence[SourceFile],
        base: str,
        resolver: Resolver | None,
        counts: list[int],
        workers: int,
        pairs_too: bool,
        reads: Reads | None = None,
    ) -> None:
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_map_worker,
            initargs=(base, resolver, pairs_too, reads),
        )
        self.window = 3 * workers
        self.pending: deque[tuple[SourceFile, int, Future[list[Skipped | Reject | _Mapped]]]] = (
            deque()
        )
        self.todo = ((s, u) for s in sources for u in units(s))
        self.counts = iter(counts)
        self.first_record = 0

    def _fill(self) -> None:
        while len(self.pending) < self.window:
            nxt = next(self.todo, None)
            if nxt is None:
                return
            source, unit = nxt
            future = self.pool.submit(_map_unit, unit, self.first_record)
            self.first_record += next(self.counts, 0)
            self.pending.append((source, unit.size, future))

    def units(self, source: SourceFile) -> Iterator[tuple[int, list[Skipped | Reject | _Mapped]]]:
        """The results of ``source``'s units, unit by unit, with the bytes each unit covers
        (ask for the sources in order)."""
        while True:
            self._fill()
            if not self.pending or self.pending[0][0] is not source:
                return
            _, size, future = self.pending.popleft()
            yield size, future.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _activity(
    base: str, reader: str, resolve: bool, sources: Sequence[SourceFile]
) -> tuple[str, list[tuple[str, str]]]:
    """The kg build that generates every source's graph: no clock, so rebuilding an
    unchanged source gives the same bytes."""
    from kg.rdf.void import kg_version

    release = kg_version()
    described = (
        f"kg {release} build: readers {reader}, entity resolution "
        f"{'on' if resolve else 'off'}, base {base}"
    )
    node = f"<{base}build/{digest(release, reader, str(resolve), base)}>"
    return node, [(V.TYPE, V.PROV_ACTIVITY), (V.DC_DESCRIPTION, literal(described, "en"))]


def _provenance(
    base: str, source: SourceFile, graph: str, activity: tuple[str, list[tuple[str, str]]]
) -> list[MappedBlock]:
    """A source's graph says where it came from: the file, read by which reader,
    by which kg build."""
    node, pairs = activity
    file = f"<{base}file/{'/'.join(segment(p) for p in source.name.split('/'))}>"
    return [
        MappedBlock(
            graph,
            [
                (V.TYPE, V.PROV_ENTITY),
                (V.WAS_DERIVED_FROM, file),
                (V.WAS_GENERATED_BY, node),
            ],
            True,
        ),
        MappedBlock(
            file,
            [
                (V.TYPE, V.PROV_ENTITY),
                (V.DC_TITLE, literal(source.name)),
                (V.DC_DESCRIPTION, literal(f"read by kg's {source.reader} reader", "en")),
            ],
            True,
        ),
        MappedBlock(node, [*pairs, (V.USED, file)], True),
    ]


class _WorkIndex:
    """A map of 64-bit keys to 64-bit values in two flat arrays: 32 bytes a work at most.

    Written here rather than taken from a library because a dict of Python
    ints costs about 110 bytes an entry (two int objects and the table), which
    was a third of the build's memory at a million works; without numpy no
    well-kept library offers an int -> int map. Open addressing with linear
    probing; the table doubles at half full. Key 0 marks an empty slot, so a
    key of 0 is stored as 1 (two works are then confused only if their 64-bit
    hashes are 0 and 1).
    """

    __slots__ = ("keys", "mask", "size", "values")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity))
        self.mask = capacity - 1
        self.size = 0

    def _slot(self, key: int) -> int:
        keys, mask = self.keys, self.mask
        i = key & mask
        while True:
            found = keys[i]
            if found == key or found == 0:
                return i
            i = (i + 1) & mask

    def get(self, key: int) -> int | None:
        key = (key & _U64) or 1
        i = self._slot(key)
        return self.values[i] if self.keys[i] == key else None

    def __contains__(self, key: int) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: int, value: int) -> None:
        key = (key & _U64) or 1
        i = self._slot(key)
        if self.keys[i] == 0:
            self.keys[i] = key
            self.size += 1
        self.values[i] = value
        if 2 * self.size > self.mask:
            self._grow()

    def _grow(self) -> None:
        old_keys, old_values = self.keys, self.values
        capacity = 2 * (self.mask + 1)
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity))
        self.mask = capacity - 1
        for key, value in zip(old_keys, old_values, strict=True):
            if key:
                i = self._slot(key)
                self.keys[i] = key
                self.values[i] = value


_U64 = (1 << 64) - 1


class _State:
    """What a build remembers across records: the works it has described."""

    def __init__(
        self,
        mapper: Mapper,
        emitter: _Emitter,
        checker: Checker | None,
        report: BuildReport,
        per_graph: bool = False,
        reads: Reads | None = None,
    ) -> None:
        self.mapper = mapper
        self.emitter = emitter
        self.pairs_too = emitter.writer.wants_pairs
        self.checker = checker
        self.reads = reads
        self.report = report
        # With a graph per source, each source's description of a work stays in
        # its graph (two sources may disagree); in one graph the first one wins.
        self.per_graph = per_graph
        # Every work is remembered exactly, in about 100 bytes: a 64-bit hash
        # of (graph, work IRI) -> a hash of its blocks. Where it came from is
        # kept for the recent ones only, for the message about a second record.
        self.works = _WorkIndex()
        self.origins = _Recent(10_000)
        self.described = _WorkIndex()  # hashes of work IRIs described in any graph
        self.targets: dict[tuple[str | None, str], str] = {}  # works only given a status
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

    def add(self, rec: Record | _Mapped, graph: str | None, summary: FileSummary) -> None:
        seq = self.seq
        self.seq += 1
        mapped = (
            rec
            if isinstance(rec, _Mapped)
            else _mapped(self.mapper, rec, self.pairs_too, self.reads)
        )
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
            return
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
        for target, doi in mapped.targets:
            self.targets.setdefault((graph, target), doi)
        self.emitter.emit(blocks, graph)
        report.issues.extend((mapped.origin, issue) for issue in mapped.issues)
        if self.checker is not None:
            self.checker.add(blocks, mapped.origin, seq)

    def restate(self, rec: Record, graph: str | None, detailed: bool = True) -> list[Prepared]:
        """What :meth:`add` stated for a record it added (mapped again): its blocks, or only
        what it added to a work an earlier record described; ``detailed``: with what each
        block states (:func:`prepare`)."""
        mapped = _mapped(self.mapper, rec, False, self.reads if detailed else None)
        if self.works.get(self._work_key(mapped.subject, graph)) == mapped.fingerprint:
            return mapped.blocks
        return [b for b in mapped.blocks if b[5]]

    def finish(self) -> None:
        """Works named only by DOI (as a status target or source) get their DOI, at the end."""
        for (graph, target), doi in sorted(
            self.targets.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
        ):
            # a notice node written for a status already carries its DOI
            described = (
                hash(target) in self.described if self.per_graph else hash(target) in self.works
            )
            if not described and not self.emitter.wrote(graph, target):
                blocks = prepare(self.mapper.doi_only(doi), True, self.reads)
                self.emitter.emit(blocks, graph)
                self.report.status_only += 1
                if self.checker is not None:
                    self.checker.start_graph(graph)
                    origin = Location(graph[1:-1] if graph else "")
                    self.checker.add(blocks, origin, self.pseudo(("doi", graph, doi)))


def build(
    paths: Sequence[Path],
    output: Path | None = None,
    *,
    fmt: str | None = None,
    base: str = DEFAULT_BASE,
    validate: bool = True,
    shapes_dir: Path | None = None,
    reader: str = "auto",
    rejects: Path | None = None,
    report_path: Path | None = None,
    progress: Progress | None = None,
    stdout: IO[str] | None = None,
    engine: str = "auto",
    shard_size: int | None = None,
    resolve: bool = True,
    organisations: Sequence[Path] = (),
    merges_path: Path | None = None,
    workers: int = 1,
) -> BuildReport:
    """Build the records in ``paths`` (files or folders) into ``output`` (or standard output).

    ``resolve`` merges the same journal, organisation or person across records
    (kg/resolve.py), with kg's name-variants table and the ``organisations``
    tables; ``merges_path`` saves each merge and near-miss with its evidence
    (JSON Lines).

    The output file is written atomically: it appears complete or not at all.
    With ``shard_size``, N-Triples or N-Quads output is cut into numbered files
    of about that many triples each (``out-00001.nt``, ...), for bulk loaders.
    Formats other than N-Triples, N-Quads, Turtle and TriG are converted from
    N-Triples/N-Quads by pyoxigraph after the build.

    :raises UsageError: if a path does not exist or the format is unknown.
    :raises ShapesError: if the shapes do not parse.
    """
    from kg.rdf.files import format_of

    fmt = format_of(output, fmt) if output is not None else (fmt or "ttl")
    format_of(Path(f"x.{fmt}"))
    sources = find_sources(list(paths), reader)
    variants = load_variants([*default_tables(), *organisations]) if resolve else None
    shapes = None
    if validate:
        from kg.validation.shacl import load_shapes, pick_engine

        shapes = load_shapes(shapes_dir)
        engine = pick_engine(engine)
    direct = fmt in ("nt", "nq", "ttl", "trig")
    stream_fmt = fmt if direct else ("nq" if fmt in QUAD_FORMATS else "nt")
    if shard_size is not None and (output is None or fmt not in ("nt", "nq")):
        raise UsageError(
            "shards are written as N-Triples or N-Quads files: give -o out.nt or out.nq"
        )

    def run(out: IO[str], on_record: Callable[[int], None] | None = None) -> BuildReport:
        return build_stream(
            sources,
            out,
            fmt=stream_fmt,
            base=base,
            validate=validate,
            shapes=shapes,
            reader=reader,
            progress=progress,
            engine=engine,
            on_record=on_record,
            resolve=resolve,
            variants=variants,
            workers=workers,
        )

    shards: list[str] = []
    if output is not None and shard_size is not None:
        sharded = ShardedOutput(output, shard_size)
        try:
            report = run(sharded, sharded.record_done)  # type: ignore[arg-type]
        except BaseException:
            sharded.abort()
            raise
        sharded.commit()
        shards = [str(p) for p in sharded.paths]
    elif output is None:
        target = stdout or sys.stdout
        if direct:
            report = run(target)
        else:
            import io

            buf = io.StringIO()
            report = run(buf)
            target.write(_convert_text(buf.getvalue(), stream_fmt, fmt))
    elif direct:
        with atomic_output(output) as f:
            report = run(f)
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / f"build.{stream_fmt}"
            with nt.open("w", encoding="utf-8", newline="\n") as f:
                report = run(f)
            with atomic_output(output, binary=True) as fb:
                ox.serialize(
                    ox.parse(path=str(nt), format=FORMATS[stream_fmt][1]),
                    fb,
                    FORMATS[fmt][1],
                    prefixes=dict(PREFIXES),
                )
    report.format = fmt
    report.output = str(output) if output is not None else None
    if shards:
        report.output = f"{len(shards)} shard(s) {shards[0]} ... {shards[-1]}"
        report.shards = shards
    if rejects is not None:
        write_rejects(report.rejects, rejects)
    if report_path is not None:
        with atomic_output(report_path) as f:
            f.write(report.to_json())
    if merges_path is not None:
        with atomic_output(merges_path) as f:
            for m in report.merges:
                f.write(json.dumps(m.as_dict(), ensure_ascii=False) + "\n")
            for m in report.near_misses:
                f.write(json.dumps(m.as_dict() | {"kind": f"{m.kind} kept apart"}) + "\n")
    return report


def _convert_text(text: str, source_fmt: str, target_fmt: str) -> str:
    data = ox.serialize(
        ox.parse(text.encode("utf-8"), format=FORMATS[source_fmt][1]),
        None,
        FORMATS[target_fmt][1],
        prefixes=dict(PREFIXES),
    )
    assert data is not None
    return data.decode("utf-8")


def write_rejects(rejects: Sequence[Reject], path: Path) -> None:
    """Save rejected records as JSON Lines: file, record, field, error and the record itself."""
    with atomic_output(path) as f:
        for r in rejects:
            loc = r.error.location
            f.write(
                json.dumps(
                    {
                        "file": loc.path,
                        "record": loc.record,
                        "field": loc.field,
                        "error": r.error.problem,
                        "data": r.raw,
                    },
                    ensure_ascii=False,
                    default=str,
                )
                + "\n"
            )
