"""kg graphs: the graphs of a store with their triples and sources (what kg drop needs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.stores.load import graphs, load

BASE = "https://example.org/kg/graph/"
SOURCES = ["data/examples.yaml", "data/libartrus-2015-seed.json", "data/scientometrics-2022.csv"]


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built to N-Quads: a graph per source, each naming its file."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("built") / "out.nq"
    build([Path(__file__).resolve().parents[2] / "data"], out, validate=False)
    return out


@pytest.fixture(params=["embedded", "remote"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    if request.param == "embedded":
        return {"store": tmp_path / "store"}
    return {"endpoint": request.getfixturevalue("oxigraph_server").query}


def test_graphs_lists_each_graph_with_its_count_and_source(
    built: Path, tmp_path: Path, where: dict[str, object]
) -> None:
    other = tmp_path / "other.nt"
    other.write_text("<http://a> <http://b> <http://c> .\n", encoding="utf-8")
    report = load([built, other], **where)  # type: ignore[arg-type]
    found = graphs(**where)  # type: ignore[arg-type]
    assert [(g.graph, g.triples, g.sources) for g in found] == [
        *[(BASE + s, report.graph(BASE + s).count, (s,)) for s in SOURCES],
        (BASE + "other.nt", 1, ()),
    ]
    args = [f"--{k}={v}" for k, v in where.items()]
    listed = kg("graphs", *args)
    assert listed.exit_code == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[0] == ["triples", "graph", "source"]
    assert rows[1:] == [[str(g.triples), g.graph, ", ".join(g.sources) or "-"] for g in found]
    assert f"4 graph(s), {report.triples} triples" in listed.stderr
    # what kg drop takes
    assert kg("drop", "--graph", rows[1][1], *args).exit_code == 0
    assert [g.graph for g in graphs(**where)][0] == BASE + SOURCES[1]  # type: ignore[arg-type]


def test_graphs_of_no_store_is_a_store_error(tmp_path: Path) -> None:
    result = kg("graphs", "--store", str(tmp_path / "nothing"))
    assert result.exit_code == 4
    assert "there is no kg store here" in result.stderr
    from servers import free_port

    down = kg("graphs", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "--timeout", "0.5")
    assert down.exit_code == 4 and "cannot reach the store" in down.stderr
