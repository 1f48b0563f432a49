from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli


def run(*args: str, cwd: Path | None = None) -> object:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_build_data_writes_the_file_and_a_summary(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "out.ttl"
    result = run("build", str(data_dir), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Read 4 record(s) from 3 file(s): 4 built, 0 rejected" in result.stderr
    assert "fabio:JournalArticle 4" in result.stderr
    assert "Validation (turbo): conforms" in result.stderr
    assert len(list(ox.parse(path=str(out)))) > 300


def test_build_defaults_to_data_folder_and_turtle_on_stdout(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "seed.json").write_bytes(
        (data_dir / "libartrus-2015-seed.json").read_bytes()
    )
    result = run("-q", "build", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("@prefix biro:")  # the prefixes, in order
    assert result.stderr == ""


def test_no_sources_and_no_data_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no SOURCES given and there is no data/ folder here")


def test_truncated_json_among_inputs(tmp_path: Path, seed_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.json").write_bytes(seed_path.read_bytes())
    good = {"title": "Kept", "doi": "10.1000/kept", "journal": {"title": "J"}}
    (src / "broken.json").write_text(
        json.dumps([good, good | {"doi": "10.1000/lost"}])[:-30], encoding="utf-8"
    )
    out = tmp_path / "out.nt"
    result = run("build", str(src), "-o", str(out))
    assert result.exit_code == 3
    assert (
        "Rejected: in/broken.json: record 2 (line 1): the file ends in the middle of this record"
        in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
    text = out.read_text(encoding="utf-8")
    assert "Cluster management model" in text and "/doi/10.1000/kept>" in text


def test_bad_issn_check_digit_fails_build_and_validate(tmp_path: Path, seed_path: Path) -> None:
    bad = tmp_path / "seed.json"
    bad.write_text(
        seed_path.read_text(encoding="utf-8").replace("2312-6442", "2312-6443"), encoding="utf-8"
    )
    out = tmp_path / "out.ttl"
    built = run("build", str(bad), "-o", str(out))
    assert built.exit_code == 1
    assert "ISSN 2312-6443 has a wrong check digit" in built.stderr
    checked = run("validate", str(out))
    assert checked.exit_code == 1
    assert "ISSN 2312-6443 has a wrong check digit (it should end in 2)" in checked.stdout
    assert "prism:eIssn" in checked.stdout
    unchecked = run("build", str(bad), "-o", str(tmp_path / "x.ttl"), "--no-validate")
    assert unchecked.exit_code == 0 and "wrong check digit" in unchecked.stderr


def test_validate_formats(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "out.ttl"
    run("-q", "build", str(data_dir), "-o", str(out))
    as_json = run("validate", str(out), "--format", "json")
    assert as_json.exit_code == 0
    report = json.loads(as_json.stdout)
    assert report["conforms"] is True and report["counts"]["Warning"] == 3
    as_ttl = run("validate", str(out), "--format", "ttl")
    g = list(ox.parse(as_ttl.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert any(t.object.value == "http://www.w3.org/ns/shacl#ValidationReport" for t in g)


def test_validate_unparsable_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {bad}: not valid Turtle")


def test_unknown_output_extension_is_a_usage_error(tmp_path: Path, seed_path: Path) -> None:
    result = run("build", str(seed_path), "-o", str(tmp_path / "out.docx"))
    assert result.exit_code == 2
    assert "cannot tell the RDF format" in result.stderr


def test_base_from_config_file(tmp_path: Path, seed_path: Path) -> None:
    (tmp_path / "kg.toml").write_text(
        '[kg]\nbase = "https://data.example.net/"\n', encoding="utf-8"
    )
    result = run("-q", "build", str(seed_path), "--format", "nt", cwd=tmp_path)
    assert result.exit_code == 0
    assert "<https://data.example.net/journal/issn/2305-8420>" in result.stdout
    (tmp_path / "kg.toml").write_text('[kg]\nbase = "nope"\n', encoding="utf-8")
    result = run("build", str(seed_path), cwd=tmp_path)
    assert result.exit_code == 2 and "base IRI 'nope'" in result.stderr


def test_export_to_json_ld_and_back(tmp_path: Path, data_dir: Path) -> None:
    ttl = tmp_path / "out.ttl"
    run("-q", "build", str(data_dir), "-o", str(ttl))
    jsonld = tmp_path / "out.jsonld"
    result = run("export", str(ttl), "-o", str(jsonld))
    assert result.exit_code == 0
    assert result.stderr.startswith("Wrote ")
    back = {str(t) for t in ox.parse(path=str(jsonld), format=ox.RdfFormat.JSON_LD)}
    assert back == {str(t) for t in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)}


def test_export_bad_input_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text(
        '<http://a> <http://b> <http://c> .\n<http://a> <http://b> "x .\n', encoding="utf-8"
    )
    out = tmp_path / "out.ttl"
    result = run("export", str(bad), "-o", str(out))
    assert result.exit_code == 3
    assert "bad.nt" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.nt"]


def test_python_dash_m_kg() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("kg, version ")


def test_build_report_file_holds_every_warning_and_reject(tmp_path: Path) -> None:
    records = [
        {
            "title": f"T{i}",
            "journal": {"title": "J", "issn_print": "2305-8421"},
            "doi": f"10.1000/{i}",
        }
        for i in range(25)
    ]
    records.append({"title": "Bad", "doi": "nope"})
    src = tmp_path / "r.json"
    src.write_text(json.dumps(records), encoding="utf-8")
    report = tmp_path / "report.json"
    result = run("build", str(src), "-o", str(tmp_path / "out.ttl"), "--report", str(report))
    assert result.exit_code == 3
    assert "... and 5 more warning(s) (all in --report FILE)" in result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["records"], data["built"], data["rejected"], data["exit_code"]) == (26, 25, 1, 3)
    assert len(data["warnings"]) == 25
    assert data["warnings"][0]["field"] == "journal.issn_print"
    assert data["rejects"] == [
        {
            "file": "r.json",
            "record": "record 26 (line 1)",
            "field": "doi",
            "error": "'nope' is not a DOI (expected a value like 10.1234/abc)",
        }
    ]
    assert data["validation"]["conforms"] is False
