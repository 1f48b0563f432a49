"""The code is ruff-clean and passes mypy --strict (both are in the test extras)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from servers import tool

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(tool("ruff") is None, reason="ruff is not installed")
def test_ruff_check() -> None:
    done = subprocess.run(
        [str(tool("ruff")), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(tool("mypy") is None, reason="mypy is not installed")
def test_mypy_strict() -> None:
    done = subprocess.run([str(tool("mypy")), "kg"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
