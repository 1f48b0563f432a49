"""Build: record files in, one RDF file out, validated on the way.

The build streams: records are read, mapped and written one at a time, so the
output never sits in memory whole. Nodes that many records share (journals,
organisations, people with an ORCID, ...) are written once; kg remembers which
it has written. Validation runs on batches of records, each batch holding the
full description of its records, because kg's shapes are record-local.

This module runs a build: :func:`build` (files or folders to an output file,
converted to the format asked for), :func:`build_stream` (sources to a
stream, with :class:`~kg.build.options.BuildOptions`) and its two passes. The
rest of kg/build: report.py (:class:`BuildReport`), blocks.py (records made
ready to write), emitter.py and window.py (what was written), state.py (the
works described), pools.py (``--workers``), inputs.py (the file check between
passes), replay.py (records again for validation's end pass).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.build.emitter import Emitter, writer_for
from kg.build.inputs import Inputs
from kg.build.options import BuildOptions
from kg.build.pools import MappingPool, collecting_less, in_order, observe_unit, spawn_pool
from kg.build.replay import Replay
from kg.build.report import (
    BuildReport,
    FileSummary,
    NoProgress,
    Progress,
    write_merges,
    write_rejects,
)
from kg.build.state import State
from kg.errors import Location, UsageError
from kg.iris import DEFAULT_BASE, IriMinter
from kg.mapping.mapper import Mapper
from kg.mapping.provenance import build_activity
from kg.mapping.resolve import Resolver, default_tables, load_variants, observation
from kg.rdf.files import FORMATS, QUAD_FORMATS, ShardedOutput, atomic_output
from kg.readers.base import Reject, Skipped, SourceFile
from kg.readers.registry import file_size, read_unit, scan_sources, units
from kg.records import Record
from kg.vocab import PREFIXES

if TYPE_CHECKING:  # the SHACL engines load only when a build validates
    from kg.validation.reach import Reads
    from kg.validation.settle import Checker

__all__ = ["BuildOptions", "BuildReport", "build", "build_stream"]


def build_stream(
    sources: Sequence[SourceFile],
    out: IO[str],
    options: BuildOptions | None = None,
    **changes: Any,
) -> BuildReport:
    """Map the records of ``sources`` to RDF written to ``out`` in ``options.fmt`` (nt, nq,
    ttl, trig).

    ``changes`` override fields of ``options`` (the defaults when None), so
    ``build_stream(sources, out, fmt="nt")`` works too.

    With ``resolve`` (the default) the sources are read twice: first to decide
    which journals, organisations and people are the same (kg/mapping/resolve.py,
    with the name-variants table ``variants``), then to write them.

    ``on_record`` is called after each record with the number of triples written
    so far (kg uses it to cut the output into shards).

    Bad records are rejected and reported; the others are written.
    """
    options = options or BuildOptions()
    if changes:
        options = replace(options, **changes)
    report = BuildReport(format=options.fmt)
    progress = options.progress or NoProgress()
    minter = IriMinter(options.base)
    resolver = None
    counts: list[int] = []  # records per unit, for the workers' place in the first pass
    # the inputs are read more than once: every pass must read the same records
    inputs = Inputs(sources, progress) if options.resolve or options.validate else None
    total = sum(file_size(s.path) for s in sources)
    with collecting_less():
        if options.resolve:
            # the first pass: what identifies journals, organisations and people
            progress.phase("resolving", total)
            resolver = _first_pass(sources, minter, options, counts, progress)
            report.merges, report.near_misses = resolver.merges, resolver.near_misses
        try:
            return _second_pass(
                sources,
                out,
                report,
                options,
                progress=progress,
                minter=minter,
                resolver=resolver,
                counts=counts,
                inputs=inputs,
                total=total,
            )
        finally:
            if resolver is not None:
                resolver.close()


def _second_pass(
    sources: Sequence[SourceFile],
    out: IO[str],
    report: BuildReport,
    options: BuildOptions,
    *,
    progress: Progress,
    minter: IriMinter,
    resolver: Resolver | None,
    counts: list[int],
    inputs: Inputs | None,
    total: int,
) -> BuildReport:
    """Map and write every record, validating them on the way (see :func:`build_stream`)."""
    if inputs is not None:
        inputs.check_quickly()
    base, workers = options.base, options.workers
    mapper = Mapper(minter, resolver)
    writer = writer_for(options.fmt, out)
    reads: Reads | None = None
    checker: Checker | None = None
    if options.validate:
        from kg.validation.reach import reads as reads_of
        from kg.validation.settle import Checker
        from kg.validation.shacl import load_shapes

        shapes = load_shapes() if options.shapes is None else options.shapes
        reads = reads_of(shapes)
        checker = Checker(
            shapes, options.engine, reads, options.batch_size, workers, window=options.settle_window
        )
    pool = (
        MappingPool(sources, base, resolver, counts, workers, writer.wants_pairs, reads)
        if workers > 1
        else None
    )
    emitter = Emitter(writer, report)
    quads = options.fmt in QUAD_FORMATS
    state = State(mapper, emitter, checker, report, per_graph=quads, reads=reads)
    activity = build_activity(base, options.reader, options.resolve) if quads else None
    replay = Replay(sources, state, resolver, base, activity)
    on_record = options.on_record
    try:
        progress.phase("building", total)
        writer.start()
        for index, source in enumerate(sources):
            summary = FileSummary.of(source)
            report.files.append(summary)
            graph = replay.graph(source)
            if checker is not None:
                checker.start_graph(graph)  # a batch holds one graph: each is validated alone
            if graph is not None and activity is not None:
                blocks = replay.provenance(source, graph)
                emitter.emit(blocks, graph)
                if checker is not None:
                    checker.add(blocks, Location(source.name), state.pseudo(("prov", index)))
            results = (
                ((unit.size, read_unit(unit)) for unit in units(source))
                if pool is None
                else pool.units(source)
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
        if pool is not None:
            pool.close()
            pool = None
        state.finish()
        writer.finish()
        if checker is not None:
            checker.progress = progress
            report.validation = checker.finish(replay.records)
            report.settled = dict(checker.stats)
        if inputs is not None:
            inputs.check(progress)
    finally:
        state.named.close()
        if pool is not None:
            pool.close()
        if checker is not None:
            checker.close()
    return report


def _first_pass(
    sources: Sequence[SourceFile],
    minter: IriMinter,
    options: BuildOptions,
    counts: list[int],
    progress: Progress,
) -> Resolver:
    """Entity resolution's pass over every record (in ``options.workers`` processes), and its
    decisions; appends each unit's record count to ``counts``."""
    workers = options.workers
    matcher = None
    if options.ror is not None:
        from kg.mapping.ror import Matcher, RorIndex

        matcher = Matcher(RorIndex.open(options.ror))
    resolver = Resolver(minter, options.variants or {}, ror=matcher)
    try:
        if workers > 1:
            pool = spawn_pool(workers)
            try:
                todo = ((u.size, u) for s in sources for u in units(s, spans=True))
                for size, observations in in_order(pool, observe_unit, todo, 3 * workers):
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
    ror_index: Path | None = None,
    merges_path: Path | None = None,
    workers: int = 1,
) -> BuildReport:
    """Build the records in ``paths`` (files or folders) into ``output`` (or standard output).

    ``resolve`` merges the same journal, organisation or person across records
    (kg/mapping/resolve.py), with kg's name-variants table and the ``organisations``
    tables, and the local ROR index ``ror_index`` (affiliations without a ROR id
    matched to ROR organisations, docs/ror.md); ``merges_path`` saves each merge and
    near-miss with its evidence (JSON Lines).

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
    scanned = scan_sources(list(paths), reader)
    sources = scanned.files
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

    options = BuildOptions(
        fmt=stream_fmt,
        base=base,
        validate=validate,
        shapes=shapes,
        reader=reader,
        progress=progress,
        engine=engine,
        resolve=resolve,
        variants=variants,
        ror=ror_index if resolve else None,
        workers=workers,
    )

    shards: list[str] = []
    if output is not None and shard_size is not None:
        sharded = ShardedOutput(output, shard_size)
        try:
            report = build_stream(
                sources,
                sharded,  # type: ignore[arg-type]
                options,
                on_record=sharded.record_done,
            )
        except BaseException:
            sharded.abort()
            raise
        sharded.commit()
        shards = [str(p) for p in sharded.paths]
    elif output is None:
        target = stdout or sys.stdout
        if direct:
            report = build_stream(sources, target, options)
        else:
            import io

            buf = io.StringIO()
            report = build_stream(sources, buf, options)
            target.write(_convert_text(buf.getvalue(), stream_fmt, fmt))
    elif direct:
        with atomic_output(output) as f:
            report = build_stream(sources, f, options)
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / f"build.{stream_fmt}"
            with nt.open("w", encoding="utf-8", newline="\n") as f:
                report = build_stream(sources, f, options)
            with atomic_output(output, binary=True) as fb:
                ox.serialize(
                    ox.parse(path=str(nt), format=FORMATS[stream_fmt][1]),
                    fb,
                    FORMATS[fmt][1],
                    prefixes=dict(PREFIXES),
                )
    report.format = fmt
    report.passed_over = scanned.passed_over
    report.output = str(output) if output is not None else None
    if shards:
        report.output = f"{len(shards)} shard(s) {shards[0]} ... {shards[-1]}"
        report.shards = shards
    if rejects is not None:
        write_rejects(report.rejects, rejects)
    if report_path is not None:
        with atomic_output(report_path) as f:
            for chunk in report.json_chunks():
                f.write(chunk)
    if merges_path is not None:
        write_merges(report, merges_path)
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
