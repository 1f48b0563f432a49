"""The ``rollup`` parameter of the institution queries: with ``rollup=parent`` an
organisation's figures count the works of its sub-organisations (a department named in
an affiliation, a ROR child), on a graph built with the real ROR sample
(tests/data/ror/); without it the counts are those of the organisation's own node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.cli import cli
from kg.mapping.ror import build_index

RECORDS = Path(__file__).resolve().parent.parent / "data" / "ror" / "ror_records.json"
BASE = "https://example.org/kg/"
TPU = f"{BASE}org/ror/00a45v709"
YONSEI = f"{BASE}org/ror/01wjejq96"
YUCD = f"{BASE}org/ror/00tfaab58"
AFFILIATIONS = [
    ("Department of Physics, Tomsk Polytechnic University, Tomsk, Russia", True),
    ("Tomsk Polytechnic University, Tomsk, Russia", False),
    ("Yonsei University College of Dentistry, Seoul, South Korea", True),
    ("Yonsei University, Seoul, South Korea", False),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rollup")
    build_index(RECORDS, folder / "ror.sqlite")
    items = []
    for n, (name, retracted) in enumerate(AFFILIATIONS):
        item = {
            "id": f"a{n}",
            "title": {"en": f"Article {n}"},
            "year": 2020,
            "authors": [{"name": f"Author{n} A.", "affiliations": [{"name": name}]}],
        }
        if retracted:
            item["status"] = [{"type": "retracted", "date": "2023-01-01"}]
        items.append(item)
    (folder / "records.yaml").write_text(yaml.safe_dump(items), encoding="utf-8")
    out = folder / "out.nq"
    build(
        [folder / "records.yaml"], out, base=BASE, validate=False, ror_index=folder / "ror.sqlite"
    )
    return out


def rows(built: Path, name: str, *params: str) -> list[dict[str, str]]:
    args = ["query", name, "--data", str(built), "--format", "jsonl"]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def by_output(built: Path, *params: str) -> dict[str, tuple[int, int]]:
    return {
        r["institution"]: (int(r["works"]), int(r["retractedWorks"]))
        for r in rows(built, "institutions-by-output", *params)
    }


def test_without_rollup_each_organisation_counts_its_own_works(built: Path) -> None:
    counts = by_output(built)
    assert counts[TPU] == (1, 0)
    assert counts[YONSEI] == (1, 0)
    assert counts[YUCD] == (1, 1)
    assert by_output(built, "rollup=none") == counts


def test_rollup_counts_a_department_and_a_ror_child_under_the_parent(built: Path) -> None:
    counts = by_output(built, "rollup=parent")
    assert counts[TPU] == (2, 1)  # its own work and its department's
    assert counts[YONSEI] == (2, 1)  # its own work and its ROR child's
    assert counts[YUCD] == (1, 1)


def test_retractions_by_institution_rolls_up(built: Path) -> None:
    assert rows(built, "retractions-by-institution", "ror=01wjejq96") == []
    found = rows(built, "retractions-by-institution", "ror=01wjejq96", "rollup=parent")
    # (a row per name of the institution: its ROR name, the string given)
    assert {(r["institution"], r["title"]) for r in found} == {(YONSEI, "Article 2")}
    found = rows(built, "retractions-by-institution", "ror=00a45v709", "rollup=parent")
    assert {r["title"] for r in found} == {"Article 0"}
