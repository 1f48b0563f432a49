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
