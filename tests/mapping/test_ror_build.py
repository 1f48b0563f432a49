"""``kg build --ror INDEX``: affiliations without a ROR id matched in a local ROR index
(the real sample in tests/data/ror/), with the evidence as merges and ambiguous
affiliations as near-misses; without an index the build is as before."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.build.report import BuildReport
from kg.cli import cli
from kg.mapping.ror import build_index

RECORDS = Path(__file__).resolve().parent.parent / "data" / "ror" / "ror_records.json"
BASE = "https://example.org/kg/"
TPU = f"{BASE}org/ror/00a45v709"
FIVE = [
    "Tomsk Polytechnic University",
    "National Research Tomsk Polytechnic University",
    "Tomsk Polytechnic University, Tomsk, Russia",
    "Томский политехнический университет",
    "Tomsk Polytechnic University, 30 Lenin Ave., Tomsk 634050, Russia",
]


def records(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "records.yaml"
    items = [
        {
            "id": f"a{n}",
            "title": {"en": f"Article {n}"},
            "year": 2020,
            "authors": [{"name": f"Author{n} A.", "affiliations": [{"name": name}]}],
        }
        for n, name in enumerate(names)
    ]
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    return path


def organisations(out: Path) -> set[str]:
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    query = "SELECT DISTINCT ?o WHERE { ?o a <http://xmlns.com/foaf/0.1/Organization> }"
    rows = store.query(query, use_default_graph_as_union=True)
    return {str(row["o"].value) for row in rows}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ror") / "ror.sqlite"
    build_index(RECORDS, out)
    return out


def test_five_spellings_in_five_records_are_one_ror_organisation(
    tmp_path: Path, index: Path
) -> None:
    out = tmp_path / "out.nq"
    report = build([records(tmp_path, FIVE)], out, base=BASE, validate=False, ror_index=index)
    assert organisations(out) == {TPU}
    evidence = [m.evidence for m in report.merges if m.kind == "organisation"]
    assert any("local ROR index" in e and "country RU agrees" in e for e in evidence), evidence


def test_without_an_index_the_addresses_stay_apart(tmp_path: Path) -> None:
    out = tmp_path / "out.nq"
    build([records(tmp_path, FIVE)], out, base=BASE, validate=False)
    assert len(organisations(out)) > 1


def test_an_ambiguous_affiliation_is_a_near_miss(tmp_path: Path) -> None:
    twins = json.loads(RECORDS.read_text("utf-8"))
    twin = json.loads(json.dumps(next(r for r in twins if r["id"].endswith("00a45v709"))))
    twin["id"] = "https://ror.org/02ex6cf31"
    (tmp_path / "twins.json").write_text(json.dumps([*twins, twin]), encoding="utf-8")
    build_index(tmp_path / "twins.json", tmp_path / "twins.sqlite")
    out = tmp_path / "out.nq"
    text = "Tomsk Polytechnic University, 30 Lenin Ave., Tomsk 634050, Russia"
    report = build(
        [records(tmp_path, [text])],
        out,
        base=BASE,
        validate=False,
        ror_index=tmp_path / "twins.sqlite",
    )
    assert TPU not in organisations(out)
    near = [m for m in report.near_misses if m.kind == "organisation"]
    assert near and "ambiguous" in near[0].evidence and "02ex6cf31" in near[0].evidence


def test_kg_build_ror_option(tmp_path: Path, index: Path) -> None:
    out = tmp_path / "out.nq"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(records(tmp_path, FIVE)),
            "-o",
            str(out),
            "--base",
            BASE,
            "--no-validate",
            "--ror",
            str(index),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert organisations(out) == {TPU}


def test_the_ror_index_named_in_kg_toml(tmp_path: Path, index: Path) -> None:
    (tmp_path / "kg.toml").write_text(f'[kg]\nror = "{index.name}"\n', encoding="utf-8")
    (tmp_path / index.name).write_bytes(index.read_bytes())
    out = tmp_path / "out.nq"
    source = records(tmp_path, FIVE)
    result = CliRunner().invoke(
        cli,
        ["--config", str(tmp_path / "kg.toml"), "build", str(source), "-o", str(out)]
        + ["--base", BASE, "--no-validate"],
    )
    assert result.exit_code == 0, result.stderr
    assert organisations(out) == {TPU}


def test_the_ror_organisation_has_its_ror_name_and_country(tmp_path: Path, index: Path) -> None:
    out = tmp_path / "out.nq"
    build([records(tmp_path, FIVE[3:4])], out, base=BASE, validate=False, ror_index=index)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    names = {
        (row["n"].value, row["n"].language)  # type: ignore[union-attr]
        for row in store.query(  # type: ignore[union-attr]
            f"SELECT ?n WHERE {{ <{TPU}> <http://xmlns.com/foaf/0.1/name> ?n }}",
            use_default_graph_as_union=True,
        )
    }
    assert names == {
        ("Томский политехнический университет", "und"),
        ("Tomsk Polytechnic University", "en"),
    }
    countries = store.query(
        "SELECT ?c WHERE { ?a <http://www.w3.org/2006/vcard/ns#country-name> ?c }",
        use_default_graph_as_union=True,
    )
    assert [row["c"].value for row in countries] == ["Russia"]  # type: ignore[union-attr]


SUB = "http://www.w3.org/ns/org#subOrganizationOf"
YONSEI = f"{BASE}org/ror/01wjejq96"
YUCD = f"{BASE}org/ror/00tfaab58"


def graph(out: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    rows = store.query(query, use_default_graph_as_union=True)
    return sorted(tuple(t.value for t in row) for row in rows)  # type: ignore[union-attr]


def organisation_problems(report: BuildReport) -> list[str]:
    """The validation results about organisations (the records here have no journal)."""
    assert report.validation is not None
    return [
        r.message
        for r in report.validation.results
        if "rganis" in r.message.lower() or "rganiz" in r.message.lower()
    ]


def test_a_department_is_a_sub_organisation_of_the_ror_organisation(
    tmp_path: Path, index: Path
) -> None:
    names = [
        "Department of Physics, Tomsk Polytechnic University, Tomsk, Russia",
        "Tomsk Polytechnic University, Tomsk, Russia",
    ]
    out = tmp_path / "out.nq"
    report = build([records(tmp_path, names)], out, base=BASE, ror_index=index)
    assert organisation_problems(report) == []  # the shapes accept the department
    store = graph(out)
    units = select(
        store,
        f"SELECT ?u ?n WHERE {{ ?u <{SUB}> <{TPU}> ; <http://xmlns.com/foaf/0.1/name> ?n }}",
    )
    assert len(units) == 1 and units[0][1] == "Department of Physics"
    assert units[0][0].startswith(f"{TPU}/unit/")
    roles = select(
        store,
        "SELECT ?r ?o WHERE { ?r <http://purl.org/spar/pro/relatesToOrganization> ?o }",
    )
    assert [o for _, o in roles] == [units[0][0], TPU]  # author 0: the department


def test_a_matched_organisation_is_a_sub_organisation_of_its_ror_parent(
    tmp_path: Path, index: Path
) -> None:
    out = tmp_path / "out.nq"
    text = "Yonsei University College of Dentistry, Seoul, South Korea"
    report = build([records(tmp_path, [text])], out, base=BASE, ror_index=index)
    assert organisation_problems(report) == []
    store = graph(out)
    assert select(store, f"SELECT ?p WHERE {{ <{YUCD}> <{SUB}> ?p }}") == [(YONSEI,)]
    names = select(store, f"SELECT ?n WHERE {{ <{YONSEI}> <http://xmlns.com/foaf/0.1/name> ?n }}")
    assert names == [("Yonsei University",)]
    ids = select(
        store,
        f"SELECT ?v WHERE {{ <{YONSEI}> <http://purl.org/spar/datacite/hasIdentifier>/"
        "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?v }",
    )
    assert ids == [("01wjejq96",)]


def test_departments_and_parents_are_the_same_with_workers(tmp_path: Path, index: Path) -> None:
    names = [
        "Department of Physics, Tomsk Polytechnic University, Tomsk, Russia",
        "Yonsei University College of Dentistry, Seoul, South Korea",
    ] * 3
    source = records(tmp_path, names)
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.nq"
        build([source], out, base=BASE, validate=False, ror_index=index, workers=workers)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert SUB.encode() in outputs[0] and b"/unit/" in outputs[0]
