"""The exit codes of docs/commands.md, command by command, in a real ``kg`` process:
0 done, 1 validation failed, 2 usage, 3 input, 4 store or endpoint, 5 output.
Each error is one ``Error:`` line (or ``Rejected:`` lines for records), never a traceback."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("codes")
    subprocess.run(
        [sys.executable, "-m", "kg", "-q", "build", str(ROOT / "data"), "-o", str(d / "ok.nq")],
        check=True,
    )
    bad_issn = {"title": "T", "year": 2015, "journal": {"title": "J", "issn_print": "2305-8421"}}
    (d / "invalid.json").write_text(json.dumps([bad_issn]), encoding="utf-8")
    (d / "rejected.json").write_text('[{"title": "A"}, {"year": 2015}]', encoding="utf-8")
    (d / "empty.json").write_text("", encoding="utf-8")
    (d / "header-only.csv").write_text("title,doi\n", encoding="utf-8")
    (d / "a-file").write_text("", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "-q",
            "build",
            str(d / "invalid.json"),
            "-o",
            str(d / "invalid.nt"),
        ],
        check=False,
    )
    return d


PORT = _closed_port()
ENDPOINT = f"http://127.0.0.1:{PORT}/query"

# (name, arguments with {d} for the work folder, exit code)
TABLE = [
    ("build: done", f"build {shlex.quote(str(ROOT / 'data'))} -o {{d}}/out.ttl", 0),
    ("build: a Violation", "build {d}/invalid.json -o {d}/out1.nt", 1),
    ("build: unknown option", "build {d}/rejected.json --colour", 2),
    ("build: unknown format", "build {d}/rejected.json -o {d}/out.xyz", 2),
    ("build: no such input", "build {d}/missing.json -o {d}/out2.nt", 2),
    ("build: a rejected record", "build {d}/rejected.json -o {d}/out3.nt", 3),
    ("build: an empty file", "build {d}/empty.json -o {d}/out4.nt", 3),
    ("build: a header-only CSV", "build {d}/header-only.csv -o {d}/out5.nt", 3),
    (
        "build: output folder cannot exist",
        f"build {shlex.quote(str(ROOT / 'data'))} -o {{d}}/a-file/out.nt",
        5,
    ),
    ("validate: conforms", "validate {d}/ok.nq", 0),
    ("validate: a Violation", "validate {d}/invalid.nt", 1),
    ("validate: no such file", "validate {d}/missing.nt", 2),
    ("query: done", "query retracted-articles --data {d}/ok.nq", 0),
    ("query: unknown query", "query no-such-query --data {d}/ok.nq", 2),
    ("query: unknown parameter", "query articles-by-issn --param colour=red --data {d}/ok.nq", 2),
    ("query: missing parameter", "query articles-by-issn --data {d}/ok.nq", 2),
    ("query: SPARQL syntax error", "query 'SELEC * WHERE {{}}' --data {d}/ok.nq", 2),
    ("query: endpoint down", f"query retracted-articles --endpoint {ENDPOINT} --timeout 2", 4),
    ("load: done", "load {d}/ok.nq --store {d}/store", 0),
    ("load: graph not an IRI", "load {d}/ok.nq --store {d}/store2 --graph 'not an iri'", 2),
    ("load: endpoint down", f"load {{d}}/ok.nq --endpoint {ENDPOINT} --timeout 2", 4),
    ("export: done", "export {d}/ok.nq -o {d}/out.jsonld", 0),
    ("export: output folder cannot exist", "export {d}/ok.nq -o {d}/a-file/out.ttl", 5),
]


@pytest.mark.parametrize(("name", "args", "code"), TABLE, ids=[t[0] for t in TABLE])
def test_exit_code(work: Path, name: str, args: str, code: int) -> None:
    argv = shlex.split(args.format(d=shlex.quote(str(work))))
    done = subprocess.run(
        [sys.executable, "-m", "kg", "-q", *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == code, f"{name}: {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    if code in (2, 4, 5):
        errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, done.stderr
    if code == 3:  # even with -q, the rejects say why
        assert done.stderr.startswith("Rejected: "), done.stderr
    if code == 1 and argv[0] == "build":
        assert "does not conform" in done.stderr, done.stderr
