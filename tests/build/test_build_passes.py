"""A build's passes: workers, validation on the way, what the build remembers, its progress,
and the inputs it reads again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.build.pipeline import build

TESTS = Path(__file__).resolve().parent.parent  # tests/ (this file is in tests/build/)


def test_validation_workers_give_the_same_report(tmp_path: Path, data_dir: Path) -> None:
    # 1,051 OpenCitations rows make six batches of 200 for the two workers; a bad
    # ISSN check digit makes sure there is a violation to report
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {title: Bad ISSN, year: 2020, journal: {title: J, issn_print: 2305-8421}}\n",
        encoding="utf-8",
    )
    endgame = TESTS / "data" / "samples" / "opencitations_meta" / "input_csv" / "endgame_4.csv"
    sources = [data_dir, endgame, bad]
    reports = []
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.nt"
        report = build(sources, out, workers=workers)
        reports.append(report.validation.to_json())  # type: ignore[union-attr]
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert reports[0] == reports[1]
    assert '"conforms": false' in reports[0] and "2305-8421" in reports[0]


def test_the_shapes_are_record_local(tmp_path: Path, data_dir: Path) -> None:
    """Validating records one at a time finds what validating them together finds.

    This is what lets kg validate in batches (and in parallel workers): no shape
    needs nodes from another record. Records with defects are included, so that
    the comparison covers results, not only their absence.
    """
    import pyoxigraph as ox

    from kg.iris import IriMinter
    from kg.mapping.mapper import Mapper
    from kg.readers import find_sources, read_source
    from kg.records import Record
    from kg.validation.shacl import load_shapes, validate_graph

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {title: Bad ISSN, year: 2020, journal: {title: J, issn_print: 2305-8421}}\n"
        "- {title: Bad ORCID, year: 2020, authors: [{name: A B, orcid: 0000-0002-1825-0098}]}\n",
        encoding="utf-8",
    )
    samples = TESTS / "data" / "samples"
    features = TESTS / "cases" / "all-features"
    inputs = [data_dir, features, bad, samples / "jats_xml", samples / "ris"]
    mapper = Mapper(IriMinter())
    records = [
        item for s in find_sources(inputs) for item in read_source(s) if isinstance(item, Record)
    ]
    shapes = load_shapes()

    def results(blocks_of: list[list[object]]) -> set[tuple[str, str, str, str | None]]:
        lines = [
            f"{b.subject} {p} {o} .\n" for blocks in blocks_of for b in blocks for p, o in b.pairs
        ]  # type: ignore[attr-defined]
        store = ox.Store()
        store.bulk_load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        report = validate_graph(store, shapes)
        return {(r.severity, r.focus, r.message, r.path) for r in report.results}

    # one record per work: two records of one work are not independent (in one graph
    # the build keeps the first description; with a graph per source, each graph is
    # validated on its own)
    mapped, seen = [], set()
    for rec in records:
        m = mapper.map_record(rec)
        if m.subject not in seen:
            seen.add(m.subject)
            mapped.append(m.blocks)
    together = results(mapped)
    alone: set[tuple[str, str, str, str | None]] = set()
    for blocks in mapped:
        alone |= results([blocks])
    assert len(records) > 100
    assert any(severity == "Violation" for severity, *_ in together)
    assert alone == together


def _crossref_lines(tmp_path: Path) -> list[Path]:
    """Crossref works as JSON Lines (a repeated work, a broken line) and a cut-off .jsonl.gz."""
    import gzip

    dump = TESTS / "data" / "samples" / "crossref_api" / "crossref_dump_items"
    items = json.loads((dump / "oc_ds_converter_40228.json").read_text(encoding="utf-8"))["items"]
    lines = [json.dumps(item) for item in items]
    lines[3:3] = [lines[0], "{broken", ""]  # the same work again, a broken line, a blank one
    works = tmp_path / "works.jsonl"
    works.write_text("\n".join(lines) + "\n", encoding="utf-8")
    packed = gzip.compress(("\n".join(lines[:8]) + "\n").encode("utf-8"))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    return [works, cut]


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl"])
def test_mapping_workers_write_what_one_process_writes(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # Three lines per unit cut the JSON Lines files into many units for two
    # worker processes; entity resolution needs each worker to know where its
    # unit starts among all records.
    import kg.readers.registry

    monkeypatch.setattr(kg.readers.registry, "UNIT_LINES", 3)
    sources = [data_dir, TESTS / "data" / "samples", *_crossref_lines(tmp_path)]
    outputs, reports = [], []
    for workers in (1, 2):
        (tmp_path / str(workers)).mkdir()
        out = tmp_path / str(workers) / f"out.{fmt}"
        report = build(sources, out, workers=workers, validate=False)
        outputs.append(out.read_bytes())
        reports.append(json.loads(report.to_json()) | {"output": None})
    assert outputs[0] == outputs[1]
    assert reports[0] == reports[1]
    report_json = reports[0]
    assert report_json["records"] > 1000 and report_json["duplicates"] >= 1
    rejected = {r["file"] for r in report_json["rejects"]}
    assert {"works.jsonl", "cut.jsonl.gz"} <= rejected


def test_a_shared_node_is_validated_with_what_every_record_gave_it(tmp_path: Path) -> None:
    # Two records give one journal (the same print ISSN) two different online
    # ISSNs. Each record alone is valid; together they break "a journal has one
    # online ISSN", even when the records are validated in separate batches.
    import io

    from kg.build import BuildOptions, build_stream
    from kg.readers import find_sources

    records = tmp_path / "two.yaml"
    records.write_text(
        "- {title: One, year: 2020, journal: {title: J, issn_print: 2305-8420,"
        " issn_online: 2312-6442}}\n"
        "- {title: Two, year: 2021, journal: {title: J, issn_print: 2305-8420,"
        " issn_online: 1234-5679}}\n",
        encoding="utf-8",
    )
    for batch_size in (1, 2):
        options = BuildOptions(fmt="nt", batch_size=batch_size)
        report = build_stream(find_sources([records]), io.StringIO(), options)
        assert report.validation is not None
        found = [
            r
            for r in report.validation.results
            if r.path == "prism:eIssn" and r.focus.endswith("journal/issn/2305-8420")
        ]
        assert [r.message for r in found] == ["A journal has one online ISSN"], batch_size


def test_the_work_index_holds_what_a_dict_holds() -> None:
    # the build remembers every work in this compact map (kg/build/window.py WorkIndex)
    import random

    from kg.build.window import WorkIndex

    index, reference = WorkIndex(4), {}
    rnd = random.Random(8)
    for _ in range(20_000):
        key = rnd.getrandbits(64) - (1 << 63)  # Python's hash() is signed
        value = rnd.getrandbits(64)
        index[key] = value
        reference[key] = value
        if rnd.random() < 0.1:  # an update of a key already there
            index[key] = reference[key] = rnd.getrandbits(64)
    assert index.size == len(reference)
    assert all(index.get(k) == v for k, v in reference.items())
    assert sum(rnd.getrandbits(64) in index for _ in range(1000)) == 0


class _Recorder:
    """A progress display that remembers what the build told it."""

    def __init__(self, on_phase: dict[str, object] | None = None) -> None:
        self.phases: list[tuple[str, int | None, str]] = []
        self.done: list[int] = []  # per phase
        self.records: list[int] = []
        self.on_phase = on_phase or {}

    def phase(self, name: str, total: int | None, unit: str = "B") -> None:
        self.phases.append((name, total, unit))
        self.done.append(0)
        self.records.append(0)
        action = self.on_phase.get(name)
        if callable(action):
            action()

    def advance(self, done: int = 0, records: int = 0) -> None:
        self.done[-1] += done
        self.records[-1] += records


def _works(tmp_path: Path, n: int = 30) -> Path:
    path = tmp_path / "works.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            name = ("Kartashova A. A.", "Anna A. Kartashova")[i % 2]  # one person, two names
            author = {"name": name, "orcid": "0000-0002-1825-0097"}
            f.write(
                json.dumps(
                    {
                        "title": {"en": f"Work {i}"},
                        "year": 2020,
                        "doi": f"10.1234/work.{i}",
                        "journal": {"title": {"en": "J"}, "issn_print": "2305-8420"},
                        "authors": [author],
                    }
                )
                + "\n"
            )
    return path


def test_progress_has_a_total_for_each_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.readers.registry

    monkeypatch.setattr(kg.readers.registry, "UNIT_LINES", 7)  # several units in one file
    works = _works(tmp_path)
    size = works.stat().st_size + (TESTS.parent / "data" / "examples.yaml").stat().st_size
    bar = _Recorder()
    build([works, TESTS.parent / "data" / "examples.yaml"], tmp_path / "out.nt", progress=bar)
    names = [name for name, _, _ in bar.phases]
    assert names == [
        "checking inputs",
        "resolving",
        "building",
        "checking again",
        "checking inputs",
    ]
    for i, (name, total, unit) in enumerate(bar.phases):
        if unit == "B":
            assert total == size and bar.done[i] == size, name
    assert bar.records[1] == bar.records[2] == 32  # the two passes over the records
    # the person is named two ways: one record for each way is read and checked again
    assert bar.phases[3][1] == bar.records[3] == 2


@pytest.mark.parametrize("when", ["building", "checking again"])
def test_an_input_that_changes_between_passes_stops_the_build(tmp_path: Path, when: str) -> None:
    # entity resolution reads the inputs before the build writes them, and the
    # end of validation reads some records again: each pass must see the same file
    works = _works(tmp_path)
    out = tmp_path / "out.nt"

    def change() -> None:
        text = works.read_text(encoding="utf-8").replace("Work 1", "Work one")
        works.write_text(text, encoding="utf-8")

    from kg.errors import InputError

    with pytest.raises(InputError, match="works.jsonl changed while kg was building it"):
        build([works], out, progress=_Recorder({when: change}))
    assert not out.exists()
    assert not list(tmp_path.glob(".out.nt*"))  # no half-written file either


def test_the_command_line_says_which_file_changed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.build.inputs import Inputs
    from kg.cli import cli

    works = _works(tmp_path)
    original = Inputs.check_quickly

    def touch_then_check(self: object) -> None:
        works.write_text(works.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        original(self)  # type: ignore[arg-type]

    Inputs.check_quickly = touch_then_check  # type: ignore[method-assign]
    try:
        result = CliRunner().invoke(cli, ["build", str(works), "-o", str(tmp_path / "o.nt")])
    finally:
        Inputs.check_quickly = original  # type: ignore[method-assign]
    assert result.exit_code == 3
    assert "works.jsonl changed while kg was building it" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.nt").exists()
