"""`kg validate` lists at most 10 focus nodes a group unless --all; the counts, the JSON
report and the exit code stay the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
HEADER = re.compile(r"^(Violation|Warning|Info): .*  \((\d+)\)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OpenCitations Meta samples, built: over a thousand works without an abstract
    (kg validate printed 1,051 lines for a file like it)."""
    out = tmp_path_factory.mktemp("oc") / "oc.nt"
    result = CliRunner().invoke(
        cli, ["-q", "build", str(SAMPLES / "opencitations_meta"), "-o", str(out)]
    )
    assert out.exists(), result.output
    return out


def groups(text: str) -> list[tuple[str, int, list[str]]]:
    """(header, count in the header, the lines below it) for each group of a text report."""
    found: list[tuple[str, int, list[str]]] = []
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            found.append((line, int(m.group(2)), []))
        elif found and line.startswith("  "):
            found[-1][2].append(line)
    return found


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.output


def test_a_group_lists_ten_focus_nodes_and_says_how_many_more(built: Path) -> None:
    code, text = run(str(built))
    code_all, text_all = run(str(built), "--all")
    assert code == code_all == 0  # warnings only
    assert text.splitlines()[0] == text_all.splitlines()[0]  # the same counts
    short, full = groups(text), groups(text_all)
    assert [(h, n) for h, n, _ in short] == [(h, n) for h, n, _ in full]
    big = [(h, n, lines) for h, n, lines in short if n > 10]
    assert big, text  # the works without an abstract
    for header, n, lines in short:
        if n > 10:
            assert len(lines) == 11, header
            assert lines[-1] == f"  ... and {n - 10} more (--all lists them all)"
        else:
            assert len(lines) == n, header
    for header, n, lines in full:
        assert len(lines) == n, header
        assert not any("more" in line for line in lines if line.startswith("  ..."))
    assert len(text.splitlines()) < 60 < len(text_all.splitlines())


def test_json_and_exit_codes_do_not_depend_on_all(built: Path, tmp_path: Path) -> None:
    code, text = run(str(built), "--format", "json")
    code_all, text_all = run(str(built), "--format", "json", "--all")
    assert (code, text) == (code_all, text_all)
    report = json.loads(text)
    assert len(report["results"]) == sum(report["counts"].values()) > 1000
    # a violation: exit 1 with or without --all
    bad = tmp_path / "bad.nt"
    bad.write_text(
        "<https://example.org/kg/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <http://purl.org/spar/fabio/Journal> .\n",
        encoding="utf-8",
    )
    assert run(str(bad))[0] == run(str(bad), "--all")[0] == 1
