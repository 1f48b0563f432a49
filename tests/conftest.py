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
