"""Broken and mutated files never end in a traceback or a hang: every record is read,
rejected (with file and record named) or skipped."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, Skipped, SourceFile, detect_reader, read_source
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/build/)
FILES = [
    *sorted((TESTS / "data" / "samples").rglob("*.json")),
    *sorted((TESTS / "data" / "samples").rglob("*.csv")),
    *sorted(p for p in (TESTS.parent / "data").iterdir() if p.suffix != ".tsv"),
]


MAPPER = Mapper(IriMinter())


def mutations(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(12):
        cut = rng.randrange(1, len(data))
        out.append(data[:cut])  # truncated
        flipped = bytearray(data)
        for _ in range(rng.randrange(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        out.append(bytes(flipped))  # bytes changed, encodings broken
        start = rng.randrange(len(data))
        out.append(data[:start] + data[start + rng.randrange(1, 200) :])  # a chunk deleted
        out.append(data[:start] + bytes(rng.randrange(256) for _ in range(20)) + data[start:])
    return out


def read_all(path: Path) -> list[object]:
    source = SourceFile(path, path.name, detect_reader(path))
    try:
        return list(read_source(source))
    except KgError:  # a whole-file error, reported as one line
        return []


@pytest.mark.parametrize("original", FILES, ids=lambda p: p.name)
def test_mutated_files_are_read_or_rejected(tmp_path: Path, original: Path) -> None:
    data = original.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}{original.suffix}"
        path.write_bytes(mutated)
        for item in read_all(path):
            assert isinstance(item, Record | Reject | Skipped)
            if isinstance(item, Reject):
                assert str(item.error).startswith(path.name), item.error
            if isinstance(item, Record):
                MAPPER.map_record(item)  # what was read maps without error


def test_mutated_gzip_streams(tmp_path: Path) -> None:
    original = TESTS / "data" / "samples" / "crossref_api" / "crossref_dump_items"
    data = gzip.compress((original / "oc_ds_converter_40228.json").read_bytes())
    for i, mutated in enumerate(mutations(data, seed=7)):
        path = tmp_path / f"m{i}.json.gz"
        path.write_bytes(mutated)
        for item in read_all(path):
            assert isinstance(item, Record | Reject | Skipped)
