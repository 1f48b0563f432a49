"""A build that neither validates nor groups its lines passes them on as UTF-8 bytes, made
in the workers (kg/build/blocks.py, kg/rdf/writers.py byte_sink): whatever the output,
what it writes is the text a build writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kg.build.pipeline import build_stream
from kg.rdf.files import ShardedOutput
from kg.rdf.writers import NTriplesWriter, byte_sink
from kg.readers.registry import find_sources

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _sources() -> list[Path]:
    # the seed (Cyrillic and Latin), the examples, and real Crossref works
    return [DATA, SAMPLES / "crossref_api"]


def _build(out: object, fmt: str, **options: object) -> None:
    build_stream(find_sources(_sources()), out, fmt=fmt, resolve=False, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_bytes_to_a_file_are_the_text_a_validated_build_writes(tmp_path: Path, fmt: str) -> None:
    """Unvalidated, the lines go as bytes; validated, as text: the same output either way,
    to a file and to a text buffer (which takes no bytes)."""
    as_bytes = tmp_path / f"raw.{fmt}"
    with as_bytes.open("w", encoding="utf-8", newline="\n") as f:
        _build(f, fmt, validate=False)
    as_text = tmp_path / f"text.{fmt}"
    with as_text.open("w", encoding="utf-8", newline="\n") as f:
        _build(f, fmt, validate=True)
    buffer = io.StringIO()
    _build(buffer, fmt, validate=False)
    written = as_bytes.read_text(encoding="utf-8")
    assert "Локальная" in written and "Lüneburg" in written  # came through as UTF-8
    assert written == as_text.read_text(encoding="utf-8") == buffer.getvalue()


def test_two_workers_send_the_bytes_one_process_writes(tmp_path: Path) -> None:
    outs = []
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.nt"
        with path.open("w", encoding="utf-8", newline="\n") as f:
            _build(f, "nt", validate=False, workers=workers)
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\n") > 1000


def test_shards_take_the_bytes_and_count_them(tmp_path: Path) -> None:
    whole = tmp_path / "whole.nt"
    with whole.open("w", encoding="utf-8", newline="\n") as f:
        _build(f, "nt", validate=False)
    sharded = ShardedOutput(tmp_path / "out.nt", 500)
    _build(sharded, "nt", validate=False, on_record=sharded.record_done)
    sharded.commit()
    parts = [p.read_bytes() for p in sharded.paths]
    assert len(parts) > 1
    assert b"".join(parts) == whole.read_bytes()
    entries = [e["statements"] for e in sharded.entries]
    assert entries == [p.count(b"\n") for p in parts]


def test_bytes_go_straight_only_into_utf8_text_files() -> None:
    assert byte_sink(io.StringIO()) is None  # no bytes under it: the writer decodes
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert byte_sink(latin) is None  # bytes would not be what the file's encoding says
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert byte_sink(utf8) is not None


def test_text_written_before_the_bytes_stays_before_them() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    out.write("# before\n")
    writer = NTriplesWriter(out)
    writer.text("<a:s> <a:p> «x» .\n".replace("«x»", '"é"').encode("utf-8"), None)
    writer.block("<a:s>", [("<a:p>", '"ü"')])
    out.flush()
    assert raw.getvalue().decode("utf-8") == '# before\n<a:s> <a:p> "é" .\n<a:s> <a:p> "ü" .\n'
