"""bench/generate.py --references: Crossref works with reference lists, deterministic by
seed, the same works as without the option, and a build of them in which the citation
queries find retracted works cited before and after their retraction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kg.build.pipeline import build
from kg.cli import cli

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
N, REFS = 400, 10


def generate(out: Path, *extra: str) -> list[dict]:
    subprocess.run(
        [sys.executable, str(GENERATE), str(N), "--crossref", "-o", str(out), *extra], check=True
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_reference_lists(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain.jsonl")
    cited = generate(tmp_path / "refs.jsonl", "--references", str(REFS))
    again = generate(tmp_path / "again.jsonl", "--references", str(REFS))
    assert cited == again  # deterministic by seed
    # the same works, with a reference list on each work (not on the notices)
    assert [{k: v for k, v in w.items() if k != "reference"} for w in cited] == plain
    works = [w for w in cited if "reference" in w]
    assert len(works) == N and all(len(w["reference"]) == REFS for w in works)
    own = {w["DOI"] for w in works}
    entries = [e for w in works for e in w["reference"]]
    to_own = [e for e in entries if e.get("DOI") in own]
    outside = [e for e in entries if "DOI" in e and e["DOI"] not in own]
    text_only = [e for e in entries if "DOI" not in e]
    assert all(e.get("unstructured") for e in text_only)
    assert all("unstructured" in e or "article-title" in e for e in to_own + outside)
    # most name a generated work, some an outside one (some of those more than once)
    assert len(to_own) > len(outside) > len(text_only) > 0
    assert len({e["DOI"] for e in outside}) < len(outside)
    # a work cites only works generated before it
    order = {w["DOI"]: n for n, w in enumerate(works)}
    for n, w in enumerate(works):
        assert all(order[e["DOI"]] < n for e in w["reference"] if e.get("DOI") in order)


def test_a_build_of_them_cites_retracted_works_before_and_after(tmp_path: Path) -> None:
    records = tmp_path / "refs.jsonl"
    generate(records, "--references", str(REFS))
    out = tmp_path / "out.nq"
    build([records], out, validate=False, resolve=False)
    result = CliRunner().invoke(
        cli, ["query", "citing-retracted", "--data", str(out), "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    whens = {json.loads(line)["when"] for line in result.stdout.splitlines()}
    assert {"before", "after"} <= whens
