"""kg's output, byte for byte: the digests of what ``kg build`` writes, recorded.

A change that should not change the output (a restructure, a faster path) must
keep these digests; a change that means to change the output records them
again, and its commit says why:

    python tests/test_output_digests.py --record

The inputs are data/ (the seed and the sample records, resolution and
validation on, as a user runs it) and 10,000 generated Crossref works with a
pool of recurring people (bench/generate.py, seed 42), so that entity
resolution merges authorships and journals, organisations and people are
shared across records.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDED = Path(__file__).resolve().parent / "data" / "output-digests.json"
FORMATS = {"nt": "N-Triples", "ttl": "Turtle", "nq": "N-Quads"}
GENERATED = 10_000


def _generate(folder: Path) -> Path:
    works = folder / f"crossref-{GENERATED}.jsonl"
    if not works.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                str(GENERATED),
                "--crossref",
                "--people",
                "2000",
                "--seed",
                "42",
                "-o",
                str(works),
            ],
            check=True,
        )
    return works


def _build(source: Path, target: Path, *extra: str) -> str:
    """``kg build source -o target`` in a fresh process; the sha256 of what it wrote."""
    done = subprocess.run(
        [sys.executable, "-m", "kg", "-q", "build", str(source), "-o", str(target), *extra],
        capture_output=True,
        text=True,
    )
    # data/ has records kg rejects or flags on purpose: exit 1 (violations) is expected
    assert done.returncode in (0, 1), done.stderr
    return hashlib.sha256(target.read_bytes()).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    """What kg writes now, for every input and format of the recorded table."""
    works = _generate(folder)
    found: dict[str, str] = {}
    for suffix in FORMATS:
        found[f"data.{suffix}"] = _build(ROOT / "data", folder / f"data.{suffix}")
        # validation does not change the bytes written; left out to keep the test short
        found[f"generated.{suffix}"] = _build(
            works, folder / f"generated.{suffix}", "--no-validate"
        )
    return found


@pytest.fixture(scope="module")
def now(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return digests(tmp_path_factory.mktemp("digests"))


@pytest.mark.parametrize("suffix", sorted(FORMATS))
@pytest.mark.parametrize("source", ["data", "generated"])
def test_output_bytes_are_the_recorded_ones(now: dict[str, str], source: str, suffix: str) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["digests"]
    key = f"{source}.{suffix}"
    assert now[key] == recorded[key], (
        f"kg build of {source} to {FORMATS[suffix]} writes other bytes than recorded; "
        "if that is meant, run: python tests/test_output_digests.py --record"
    )


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/test_output_digests.py --record")
    with tempfile.TemporaryDirectory() as tmp:
        table = {
            "about": "sha256 of kg build's output; see tests/test_output_digests.py",
            "digests": digests(Path(tmp)),
        }
    RECORDED.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(table['digests'])} digests in {RECORDED}")
