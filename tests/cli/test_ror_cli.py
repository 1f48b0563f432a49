"""``kg ror index`` and ``kg ror match`` on the real ROR sample (tests/data/ror/)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

RECORDS = Path(__file__).resolve().parent.parent / "data" / "ror" / "ror_records.json"


def test_ror_index_then_match(tmp_path: Path) -> None:
    out = tmp_path / "ror.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["ror", "index", str(RECORDS), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "107 organisations" in result.stderr and out.is_file()
    result = runner.invoke(
        cli, ["ror", "match", str(out), "Tomsk Polytechnic University, Tomsk, Russia", "Calgary"]
    )
    assert result.exit_code == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.split("\t")[1] == "00a45v709" and "country RU agrees" in first
    assert second.split("\t")[1] == "" and "no ROR name found" in second
    text = "Department of Physics, Tomsk Polytechnic University"
    result = runner.invoke(cli, ["ror", "match", str(out), text])
    assert result.stdout.rstrip("\n").endswith("; department 'Department of Physics'")


def test_ror_index_of_a_file_that_is_not_a_dump_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ror", "index", str(bad), "-o", str(tmp_path / "i")])
    assert result.exit_code == 3 and "not a ROR dump" in result.stderr


def test_ror_match_without_an_index_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ror", "match", str(tmp_path / "none.sqlite"), "x"])
    assert result.exit_code == 3 and "no such ROR index" in result.stderr


def test_ror_match_reads_standard_input(tmp_path: Path) -> None:
    out = tmp_path / "ror.sqlite"
    runner = CliRunner()
    runner.invoke(cli, ["ror", "index", str(RECORDS), "-o", str(out)])
    given = "Томский политехнический университет\n\nKeele University\n"
    result = runner.invoke(cli, ["ror", "match", str(out), "-"], input=given)
    assert result.exit_code == 0, result.stderr
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [
        "00a45v709",
        "00340yn33",
    ]
