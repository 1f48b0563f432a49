"""A real ``kg serve`` for the tests: the sample data and tests/cases/all-features built into
N-Quads with the base http://127.0.0.1:8000/, served by ``python -m kg serve`` on a free
port (``--port 0``; the server prints its URL), stopped after the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from kgserve import BASE, ROOT, KgServer


@pytest.fixture(scope="session")
def served_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ and tests/cases/all-features (citations, retractions) built into N-Quads."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("serve") / "graph.nq"
    build(
        [ROOT / "data", ROOT / "tests" / "cases" / "all-features"],
        out,
        base=BASE,
        validate=False,
    )
    return out


@pytest.fixture(scope="session")
def served_store(served_graph: Path) -> ox.Store:
    """The built graph in an in-memory store, to compare the server's answers with."""
    store = ox.Store()
    store.bulk_load(path=str(served_graph), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def server(served_graph: Path) -> Iterator[KgServer]:
    s = KgServer("--data", str(served_graph), "--base", BASE, "--port", "0")
    yield s
    s.stop()
