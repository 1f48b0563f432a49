"""Output files: written whole or not at all, and a failure to write is one clear error."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import OutputError
from kg.rdf.files import atomic_output

ROOT = Path(__file__).resolve().parents[2]


def test_a_full_disk_is_an_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_text("the previous output\n", encoding="utf-8")
    with pytest.raises(OutputError, match="out.nt: cannot write the output"):
        with atomic_output(target) as f:
            f.write("<a> <b> <c> .\n")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text(encoding="utf-8") == "the previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]  # no .part left


def test_an_input_that_cannot_be_read_is_not_called_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with atomic_output(tmp_path / "out.nt"):
            (tmp_path / "missing.json").read_text()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["build", "export"])
def test_an_output_path_that_cannot_be_written_exits_5_in_one_line(
    tmp_path: Path, command: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "out.nt"  # a folder that cannot exist: a file has its name
    built = tmp_path / "built.nt"
    source = str(ROOT / "data")
    if command == "export":
        subprocess.run(
            [sys.executable, "-m", "kg", "-q", "build", source, "-o", str(built)], check=False
        )
        source = str(built)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "-q", command, source, "-o", str(target)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 5, done.stderr
    assert done.stderr.startswith(f"Error: {target}: cannot write the output"), done.stderr
    assert "Traceback" not in done.stderr
