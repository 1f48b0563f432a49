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


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX")
def test_a_run_removes_what_killed_runs_left_and_spares_a_live_one(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "out.nt"
    dead = [tmp_path / ".out.nt.k1ll3d.part", tmp_path / ".out.nt.a5b6c7.part"]
    for part in dead:
        part.write_text("half a build\n", encoding="utf-8")
    other = tmp_path / ".other.nt.k1ll3d.part"  # another output's: not ours to remove
    other.write_text("x\n", encoding="utf-8")
    live = tmp_path / ".out.nt.l1v3.part"
    live.write_text("a run still writing\n", encoding="utf-8")
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with atomic_output(target) as f:
            f.write("<a> <b> <c> .\n")
        assert live.exists()
    assert not any(p.exists() for p in dead)
    assert other.exists()
    assert target.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.nt.k1ll3d.part",
        ".out.nt.l1v3.part",
        "out.nt",
    ]


def test_a_killed_build_leaves_a_part_file_that_the_next_build_removes(tmp_path: Path) -> None:
    """The real thing: a build killed mid-way, then the same build again."""
    import signal
    import time

    works = tmp_path / "works.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "3000", "-o", str(works)],
        check=True,
    )
    out = tmp_path / "out" / "out.nt"
    cmd = [sys.executable, "-m", "kg", "-q", "build", str(works), "-o", str(out), "--no-validate"]
    killed = subprocess.Popen(cmd)
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(".out.nt.*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert list(out.parent.glob(".out.nt.*.part")), "the build was not caught writing"
    assert not out.exists()
    subprocess.run(cmd, check=True)
    assert out.exists()
    assert list(out.parent.glob("*.part")) == []


@pytest.mark.skipif(sys.platform == "win32", reason="/dev/stdout and symlinks are POSIX")
def test_output_to_dev_stdout_goes_to_stdout_and_leaves_the_device_alone(tmp_path: Path) -> None:
    """`-o /dev/stdout` once replaced /dev/stdout with a regular file (as root)."""
    before = Path("/dev/stdout").lstat()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "-q",
            "build",
            str(ROOT / "data"),
            "-o",
            "/dev/stdout",
            "--format",
            "ttl",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Kartashova" in done.stdout and "@prefix" in done.stdout
    after = Path("/dev/stdout").lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.nt"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    with atomic_output(link) as f:
        f.write("<a:x> <a:y> <a:z> .\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "<a:x> <a:y> <a:z> .\n"
