from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED = DATA / "libartrus-2015-seed.json"


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def built_ttl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ built once to Turtle, for tests that load or query it."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("built") / "out.ttl"
    build([DATA], out, validate=False)
    return out


@pytest.fixture
def oxigraph_server(tmp_path: Path):  # noqa: ANN201
    """A real Oxigraph server (the oxigraph package) on 127.0.0.1 and a free port."""
    from servers import OxigraphServer

    server = OxigraphServer(tmp_path / "oxigraph-data")
    yield server
    server.stop()


@pytest.fixture
def proxy(oxigraph_server):  # noqa: ANN001, ANN201
    """A fault-injecting, authenticating proxy in front of the Oxigraph server."""
    from servers import FaultProxy

    p = FaultProxy(oxigraph_server.url)
    yield p
    p.stop()
