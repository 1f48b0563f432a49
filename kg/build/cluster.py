"""Past one machine: build on a Dask cluster, one task per input file, into shards.

    from dask.distributed import Client
    from kg.build.cluster import build_shards
    shards = build_shards([Path("crossref-dump/")], Path("shards/"), client=Client(...))

Each input file (a Crossref data-file chunk, a JSON Lines file, a CSV ...) is
one partition of a ``dask.bag``; a task builds it with kg's own
:func:`kg.build.pipeline.build_stream` into one N-Quads (or N-Triples) shard
with the same IRIs and the same named graph (``{base}graph/{source name}``) as a
single-machine build. The tasks write into a fresh folder; when all are done the
run's shards replace the previous run's, and ``manifest.json`` gives each
shard's statements and digest. The union of the
shards holds the same triples as ``kg build --no-resolve`` of the same inputs
to one file (a test checks it on a local two-worker cluster); a work named
only by DOI may get its DOI node in a second graph, since a task does not see
the other files. Entity resolution is off: deciding which records are the same
person or journal needs every record, which a partition does not see.

The shards are what bulk loaders take: docs/scale.md has the recipe from here
to QLever or Virtuoso.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.iris import DEFAULT_BASE

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Shard:
    """What one task built."""

    source: str  # the source's name, as in a single-machine build
    path: str  # where the shard is once the run completes
    records: int
    rejected: int
    triples: int
    statements: int = 0  # lines in the shard
    sha256: str = ""


def _build_partition(
    task: tuple[int, str, str, str], run_dir: str, out_dir: str, base: str, fmt: str, option: str
) -> Shard:
    from kg.build.options import BuildOptions
    from kg.build.pipeline import build_stream
    from kg.rdf.files import ShardFile
    from kg.readers.base import SourceFile

    index, path, name, reader = task
    source = SourceFile(Path(path), name, reader)
    file = f"shard-{index:05d}.{fmt}"
    out = ShardFile(Path(run_dir) / file)
    try:
        options = BuildOptions(fmt=fmt, base=base, validate=False, resolve=False, reader=option)
        report = build_stream([source], out, options)  # type: ignore[arg-type]
    finally:
        entry = out.close()
    return Shard(
        name,
        str(Path(out_dir) / file),
        report.records,
        len(report.rejects),
        report.triples,
        entry["statements"],
        entry["sha256"],
    )


def build_shards(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    client: Any = None,
    base: str = DEFAULT_BASE,
    fmt: str = "nq",
    reader: str = "auto",
) -> list[Shard]:
    """Build ``paths`` (files and folders) on Dask, one shard per input file.

    ``client`` is a ``dask.distributed.Client``; without one, Dask's default
    scheduler runs the tasks. Shards are numbered in kg's build order. The tasks
    write into a fresh folder in ``out_dir``; when every task is done the shards
    move into ``out_dir``, the previous run's other shards (``shard-NNNNN.nt`` or
    ``.nq``) are removed, and ``manifest.json`` lists each shard with its source,
    records, statements and SHA-256 digest. A failed run leaves the previous set.

    :raises UsageError: if Dask is not installed or ``fmt`` is not nt or nq.
    """
    try:
        import dask.bag as db
    except ImportError:
        raise UsageError(
            "building on a cluster needs Dask", hint="pip install 'dask[bag,distributed]'"
        ) from None
    if fmt not in ("nt", "nq"):
        raise UsageError("cluster builds write N-Triples or N-Quads shards (nt or nq)")
    from kg.rdf.files import RunFolder, replace_shards, shard_pattern
    from kg.readers.registry import find_sources

    sources = find_sources(list(paths), reader)
    run = RunFolder(out_dir, ".shards.")
    try:
        tasks = [(i, str(s.path.resolve()), s.name, s.reader) for i, s in enumerate(sources, 1)]
        bag = db.from_sequence(tasks, npartitions=max(1, len(tasks)))  # type: ignore[no-untyped-call]
        # the --from option as given, as a single-machine build records it in its provenance
        shards = bag.map(_build_partition, str(run.path), str(out_dir), base, fmt, reader)
        if client is not None:
            result: list[Shard] = client.compute(shards).result()
        else:
            result = shards.compute()
        result.sort(key=lambda s: s.path)
        entries = [
            {
                "file": Path(s.path).name,
                "source": s.source,
                "records": s.records,
                "rejected": s.rejected,
                "statements": s.statements,
                "sha256": s.sha256,
            }
            for s in result
        ]
        manifest = {"format": fmt, "shards": entries}
        replace_shards(
            run.path, out_dir, shard_pattern("shard", r"\.n[tq]"), out_dir / MANIFEST, manifest
        )
    finally:
        run.remove()
    return result
