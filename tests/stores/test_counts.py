"""Loads verify for real: what each file gives (distinct, duplicates reported) against what
the store holds after the load, embedded and remote; a store that loses a batch is caught."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.errors import UsageError
from kg.stores.counts import Distinct, LoadFailed
from kg.stores.embedded import count_graph, open_store
from kg.stores.load import load

A = "<http://ex.org/a> <http://ex.org/p> "


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Two files that repeat a triple within and between them: 4 read, 3 distinct."""
    one = write(tmp_path / "one.nt", A + '"1" .', A + '"1" .', A + '"2" .')
    two = write(tmp_path / "two.nt", A + '"2" .', A + '"3" .')
    return one, two


@pytest.fixture(params=["embedded", "remote"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    if request.param == "embedded":
        return ["--store", str(tmp_path / "store")]
    server = request.getfixturevalue("oxigraph_server")
    return ["--endpoint", server.query]


def test_duplicates_in_a_file_are_read_counted_and_reported(
    files: tuple[Path, Path], where: list[str]
) -> None:
    one, _ = files
    result = kg("load", str(one), *where)
    assert result.exit_code == 0, result.stderr
    line = "from one.nt: 3 read, 2 distinct (1 duplicates); the store holds 2: verified"
    assert line in result.stderr
    assert "Total: 2 triples in 1 graph(s)" in result.stderr


def test_two_files_into_one_graph_count_the_graph_once(
    files: tuple[Path, Path], where: list[str]
) -> None:
    """The total is the store's: the graph's count once, not once per file."""
    one, two = files
    result = kg("load", str(one), str(two), "--graph", "http://ex.org/g", *where)
    assert result.exit_code == 0, result.stderr
    assert (
        "<http://ex.org/g> from one.nt (3), two.nt (2): 5 read, 3 distinct (2 duplicates); "
        "the store holds 3: verified"
    ) in result.stderr
    assert "Total: 3 triples in 1 graph(s), counted in the store" in result.stderr


def test_a_store_that_loses_a_batch_fails_the_load(proxy, tmp_path: Path) -> None:  # noqa: ANN001
    """The proxy answers the second POST 204 without passing it on: the store says it took
    the batch, its count says it did not, and the load says so (exit 4)."""
    lines = [A + f'"{i}" .' for i in range(30)]
    path = write(tmp_path / "many.nt", *lines)
    proxy.faults.lose_write = 3  # 1: DELETE the graph, 2: POST batch 1, 3: POST batch 2
    args = ["load", str(path), "--endpoint", proxy.query, "--method", "gsp", "--batch-size", "10"]
    result = kg(*args)
    assert result.exit_code == 4, result.stderr
    assert "the store holds 20: MISMATCH" in result.stderr
    error = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert error == [
        "Error: <https://example.org/kg/graph/many.nt> holds 20 triples in the store, "
        "but 30 distinct triples were read for it from many.nt"
    ]
    proxy.reset()
    assert kg(*args).exit_code == 0


def test_a_file_that_does_not_parse_loads_nothing(
    tmp_path: Path, files: tuple[Path, Path], where: list[str]
) -> None:
    """Every file is read before the store is touched: the first file's graph is not
    replaced when the second does not parse (exit 3, naming the file and line)."""
    one, two = files
    assert kg("load", str(one), *where).exit_code == 0
    write(one, A + '"changed" .')
    broken = write(tmp_path / "broken.nt", A + '"ok" .', "<http://ex.org/a> nonsense")
    result = kg("load", str(one), str(broken), *where)
    assert result.exit_code == 3
    assert "broken.nt: not valid N-Triples" in result.stderr and "Traceback" not in result.stderr
    listed = kg("graphs", *where)
    assert "https://example.org/kg/graph/one.nt" in listed.stdout
    assert listed.stdout.split()[3] == "2"  # the first load's 2 triples, not 1


def test_statements_in_no_named_graph_are_a_usage_error(tmp_path: Path, where: list[str]) -> None:
    path = write(tmp_path / "mixed.nq", A + '"1" <http://ex.org/g> .', A + '"2" .', A + '"3" _:g .')
    result = kg("load", str(path), *where)
    assert result.exit_code == 2
    assert "mixed.nq: 2 statement(s) are in the default graph" in result.stderr
    assert "give --graph IRI" in result.stderr
    whole = kg("load", str(path), "--graph", "http://ex.org/all", *where)
    assert whole.exit_code == 0, whole.stderr
    assert "3 read; the store holds 3: verified" in whole.stderr


def test_a_refused_load_leaves_the_store_unlocked_while_its_error_is_held(
    tmp_path: Path,
) -> None:
    """A program that catches kg's error and keeps it (its traceback holds the failed
    call's frames) can open the store again in the same process: the files are read before
    the store is opened. A kept store object would hold RocksDB's lock; pyoxigraph has no close.
    """
    path = write(tmp_path / "mixed.nq", A + '"1" <http://ex.org/g> .', A + '"2" .')
    store = tmp_path / "store"
    with pytest.raises(UsageError) as refused:
        load([path], store=store)
    assert refused.value.__traceback__ is not None  # still held
    load([path], store=store, graph="http://ex.org/all")
    assert count_graph(open_store(store, read_only=True), "http://ex.org/all") == 2


def test_a_quad_file_given_a_graph_goes_all_into_it_embedded_as_remote(
    tmp_path: Path, oxigraph_server
) -> None:  # noqa: ANN001
    path = write(
        tmp_path / "two.nq", A + '"1" <http://ex.org/g1> .', A + '"1" <http://ex.org/g2> .'
    )
    store = tmp_path / "store"
    for report in (
        load([path], store=store, graph="http://ex.org/g"),
        load([path], endpoint=oxigraph_server.query, graph="http://ex.org/g"),
    ):
        assert [(g.graph, g.read, g.distinct, g.count) for g in report.graphs] == [
            ("http://ex.org/g", 2, 1, 1)
        ]
    st = open_store(store)
    assert {q.graph_name for q in st} == {ox.NamedNode("http://ex.org/g")}


def test_a_lost_insert_is_caught_too(proxy, tmp_path: Path) -> None:  # noqa: ANN001
    path = write(tmp_path / "many.nt", *[A + f'"{i}" .' for i in range(30)])
    proxy.faults.lose_write = 2  # 1: DROP the graph, 2: the first INSERT DATA
    with pytest.raises(LoadFailed) as err:
        load([path], endpoint=proxy.query, method="update", batch_size=10)
    [g] = err.value.report.graphs
    assert (g.read, g.distinct, g.count, g.verified) == (30, 30, 20, False)


@pytest.mark.parametrize("limit", [10, 1 << 20])
def test_distinct_counts_the_same_held_or_spilled(limit: int) -> None:
    """Past ``limit`` hashes the counter spills to files and counts one file at a time:
    the counts are the same, and no file is left."""
    rng = random.Random(7)
    items = [(rng.randrange(3), rng.getrandbits(63) - (1 << 62)) for _ in range(500)]
    items += items[:200]  # duplicates, some after the spill
    rng.shuffle(items)
    distinct = Distinct(limit)
    for graph, h in items:
        distinct.add(graph, h)
    spilled = distinct.folder
    expected = {g: len({h for gg, h in set(items) if gg == g}) for g in range(3)}
    assert distinct.counts() == expected
    assert (spilled is not None) == (limit == 10)
    assert spilled is None or not Path(spilled).exists()
