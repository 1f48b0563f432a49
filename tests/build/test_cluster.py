"""Building on a Dask cluster: the union of the shards is the single-machine build."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.cluster import build_shards
from kg.build.pipeline import build

distributed = pytest.importorskip("dask.distributed")

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/build/)
SAMPLES = TESTS / "data" / "samples"
INPUTS = [
    TESTS.parent / "data",
    SAMPLES / "crossref_api",
    SAMPLES / "retraction_watch",
    SAMPLES / "opencitations_meta" / "input_csv" / "example_metadata.csv",
]


def triples(paths: list[Path]) -> set[tuple[str, str, str]]:
    found = set()
    for path in paths:
        for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            found.add((str(q.subject), str(q.predicate), str(q.object)))
    return found


def graphs(paths: list[Path]) -> set[str]:
    return {
        str(q.graph_name) for p in paths for q in ox.parse(path=str(p), format=ox.RdfFormat.N_QUADS)
    }


def test_shards_built_on_a_two_worker_cluster_hold_the_single_machine_graph(
    tmp_path: Path,
) -> None:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        shards = build_shards(INPUTS, tmp_path / "shards", client=client)
    single = tmp_path / "single.nq"
    report = build(INPUTS, single, validate=False, resolve=False)
    paths = [Path(s.path) for s in shards]
    assert len(shards) == len(report.files) > 1  # one task per input file
    assert sum(s.records for s in shards) == report.records
    assert triples(paths) == triples([single])
    assert graphs(paths) == graphs([single])  # the same named graph per source
    assert not list((tmp_path / "shards").glob(".*"))  # no half-written shard left


def test_a_rebuild_replaces_the_previous_shards_and_writes_a_manifest(tmp_path: Path) -> None:
    """A run with fewer inputs leaves none of the previous run's shards; manifest.json gives
    each shard's source, records, statements and digest."""
    import hashlib
    import json

    out = tmp_path / "shards"
    first = build_shards(INPUTS, out)
    assert len(list(out.glob("shard-*.nq"))) == len(first) > 2
    second = build_shards(INPUTS[:1], out)
    files = sorted(out.glob("shard-*.nq"))
    assert [str(f) for f in files] == [s.path for s in second]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in manifest["shards"]] == [f.name for f in files]
    for entry, shard, f in zip(manifest["shards"], second, files, strict=True):
        data = f.read_bytes()
        assert entry["sha256"] == shard.sha256 == hashlib.sha256(data).hexdigest()
        assert entry["statements"] == shard.statements == data.count(b"\n") == shard.triples
        assert (entry["source"], entry["records"]) == (shard.source, shard.records)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"] + [f.name for f in files]
