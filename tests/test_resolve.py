"""Entity resolution: one journal, organisation or person across records and sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.errors import InputError
from kg.resolve import compatible, given_parts, load_variants, org_key

BASE = "https://example.org/kg/"
PREFIXES = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
"""


def article(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"a{n}", "title": {"en": f"Article {n}"}, "year": 2020, **fields}


def built(tmp_path: Path, *sources: list[dict[str, object]], resolve: bool = True):  # noqa: ANN201
    """Each list of records in its own file (its own source); the graph and the report."""
    paths = []
    for i, records in enumerate(sources):
        p = tmp_path / f"source{i}.yaml"
        p.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
        paths.append(p)
    out = tmp_path / "out.nq"
    report = build(paths, out, validate=True, resolve=resolve)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store, report


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return sorted(tuple(t.value for t in row) for row in rows)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name, key",
    [
        ("Tomsk Polytechnic University", "tomsk polytechnic university"),
        ("Tomsk Polytechnic Univ.", "tomsk polytechnic university"),
        ("The TOMSK polytechnic university", "tomsk polytechnic university"),
        ("Université du Québec à Chicoutimi", "universite du quebec a chicoutimi"),
        ("Ecology & Evolutionary Biology", "ecology and evolutionary biology"),
        ("Tomskiy Politekhnicheskiy Universitet", "tomskii politekhnicheskii universitet"),
        ("Томский политехнический университет", "tomskii politekhnicheskii universitet"),
    ],
)
def test_organisation_names_are_compared_normalised(name: str, key: str) -> None:
    assert org_key(name) == key


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("A. A.", "Anna A.", True),
        ("Anna", "A.", True),
        ("Anna", "Alla", False),
        ("A. B.", "A. C.", False),
        ("", "A.", False),
    ],
)
def test_compatible_given_names(a: str, b: str, same: bool) -> None:
    assert compatible(given_parts(a), given_parts(b)) is same


def test_a_journal_by_its_print_issn_in_one_source_and_online_in_another(tmp_path: Path) -> None:
    both = {"title": {"en": "Liberal Arts in Russia"}, "issn_print": "2305-8420"}
    store, report = built(
        tmp_path,
        [article(1, journal=both | {"issn_online": "2312-6442"})],
        [article(2, journal={"issn_online": "2312-6442"})],
        [article(3, journal={"issn": ["2312-6442"]})],  # of unknown medium
    )
    journals = select(store, "SELECT DISTINCT ?j WHERE { ?a frbr:partOf+ ?j . ?j a fabio:Journal }")
    assert journals == [(f"{BASE}journal/issn/2305-8420",)]
    [merge] = [m for m in report.merges if m.kind == "journal"]
    assert merge.members == ["2305-8420", "2312-6442"] and "share an ISSN" in merge.evidence


def test_print_only_and_online_only_journals_meet_on_title_and_publisher(tmp_path: Path) -> None:
    journal = {"title": {"en": "Journal of Examples"}, "publisher": "Example Press"}
    store, report = built(
        tmp_path,
        [article(1, journal=journal | {"issn_print": "1234-5679"})],
        [article(2, journal=journal | {"issn_online": "2345-6787"})],
        [article(3, journal=journal | {"issn": ["3456-7895"]})],  # medium unknown: kept apart
    )
    journals = select(store, "SELECT DISTINCT ?j WHERE { ?j a fabio:Journal }")
    assert journals == [(f"{BASE}journal/issn/1234-5679",), (f"{BASE}journal/issn/3456-7895",)]
    assert [m.kind for m in report.near_misses] == ["journal"]


def test_without_resolution_the_journals_stay_apart(tmp_path: Path) -> None:
    store, report = built(
        tmp_path,
        [article(1, journal={"issn_print": "2305-8420", "issn_online": "2312-6442"})],
        [article(2, journal={"issn_online": "2312-6442"})],
        resolve=False,
    )
    assert len(select(store, "SELECT DISTINCT ?j WHERE { ?j a fabio:Journal }")) == 2
    assert report.merges == []


TOMSK = [
    {"name": "Tomsk Polytechnic University"},
    {"name": "Tomsk Polytechnic Univ."},
    {"name": "National Research Tomsk Polytechnic University"},
    {"name": "Tomsk Polytechnic University", "ror": "00a45v709"},
]


def test_four_spellings_of_tomsk_polytechnic_university_are_one_organisation(
    tmp_path: Path,
) -> None:
    sources = [
        [article(n, authors=[{"name": f"Author{n} A.", "affiliations": [org]}])]
        for n, org in enumerate(TOMSK)
    ]
    store, report = built(tmp_path, *sources)
    orgs = select(store, "SELECT DISTINCT ?o WHERE { ?o a foaf:Organization }")
    assert orgs == [(f"{BASE}org/ror/00a45v709",)]
    names = select(store, f"SELECT ?n WHERE {{ <{BASE}org/ror/00a45v709> foaf:name ?n }}")
    assert {n for (n,) in names} >= {
        "Tomsk Polytechnic University",
        "Tomsk Polytechnic Univ.",
        "National Research Tomsk Polytechnic University",
    }
    evidence = {m.evidence for m in report.merges if m.kind == "organisation"}
    assert evidence == {"given without a ROR id; the name-variants table"}


def test_two_ror_ids_are_never_merged(tmp_path: Path) -> None:
    same_name = "Institute of Examples"
    store, report = built(
        tmp_path,
        [
            article(
                1,
                authors=[
                    {"name": "A A.", "affiliations": [{"name": same_name, "ror": "00a45v709"}]}
                ],
            )
        ],
        [
            article(
                2,
                authors=[
                    {"name": "B B.", "affiliations": [{"name": same_name, "ror": "01111rn36"}]}
                ],
            )
        ],
        [article(3, authors=[{"name": "C C.", "affiliations": [{"name": same_name}]}])],
    )
    orgs = select(store, "SELECT DISTINCT ?o WHERE { ?o a foaf:Organization }")
    assert len(orgs) == 3  # two ROR organisations, and the one that could be either
    [near] = report.near_misses
    assert near.kind == "organisation" and "different ROR ids" in near.evidence


def test_same_name_different_orcids_stay_two_people(tmp_path: Path) -> None:
    coauthor = {"name": "Shared C.", "family": "Shared", "given": "C."}
    store, report = built(
        tmp_path,
        [article(1, authors=[{"name": "Ivanov I. I.", "orcid": "0000-0002-1825-0097"}, coauthor])],
        [article(2, authors=[{"name": "Ivanov I. I.", "orcid": "0000-0001-5109-3700"}, coauthor])],
    )
    people = select(store, 'SELECT DISTINCT ?p WHERE { ?p foaf:name "Ivanov I. I." }')
    assert len(people) == 2
    assert any("different ORCID iDs" in m.evidence for m in report.near_misses)


def test_people_without_orcid_merge_only_on_strong_evidence(tmp_path: Path) -> None:
    tomsk = {"name": "Tomsk Polytechnic University"}
    elsewhere = {"name": "Somewhere Else Institute"}

    def author(name: str, org: dict[str, str]) -> dict[str, object]:
        return {"name": name, "affiliations": [org]}

    store, report = built(
        tmp_path,
        [article(1, authors=[author("Kartashova A. A.", tomsk)])],
        [article(2, authors=[author("Kartashova Anna A.", tomsk)])],  # same org: one person
        [article(3, authors=[author("Kartashova A. A.", elsewhere)])],  # no shared org: apart
        [article(4, authors=[author("Kartashova Alla", tomsk)])],  # Alla is not Anna
    )
    rows = select(
        store,
        "SELECT ?w ?p WHERE { ?w dcterms:creator ?p . ?p foaf:name ?n "
        'FILTER(STRSTARTS(?n, "Kartashova")) }',
    )
    person_of = {w.rsplit("/", 1)[-1]: p for w, p in rows}
    by_title = {
        title: person_of[w.rsplit("/", 1)[-1]]
        for w, title in select(
            store, "SELECT ?w ?t WHERE { ?w a fabio:JournalArticle ; dcterms:title ?t }"
        )
    }
    assert by_title["Article 1"] == by_title["Article 2"]
    assert by_title["Article 3"] != by_title["Article 1"]
    assert by_title["Article 4"] not in (by_title["Article 1"], by_title["Article 3"])
    [merge] = [m for m in report.merges if m.kind == "person"]
    assert "tomsk polytechnic university" in merge.evidence


def test_merges_are_saved_with_their_evidence(tmp_path: Path) -> None:
    records = tmp_path / "r.yaml"
    records.write_text(
        yaml.safe_dump(
            [
                article(1, journal={"issn_print": "2305-8420", "issn_online": "2312-6442"}),
                article(2, journal={"issn_online": "2312-6442"}),
            ]
        ),
        encoding="utf-8",
    )
    merges = tmp_path / "merges.jsonl"
    result = CliRunner().invoke(
        cli, ["build", str(records), "-o", str(tmp_path / "o.ttl"), "--merges", str(merges)]
    )
    assert result.exit_code == 0, result.stderr
    assert "Resolved: 1 journal merge(s)" in result.stderr
    [line] = merges.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["into"] == f"{BASE}journal/issn/2305-8420"


def test_a_bad_organisation_table_names_its_line(tmp_path: Path) -> None:
    table = tmp_path / "orgs.tsv"
    table.write_text("# comment\nTomsk Polytechnic University\t00a45v709\nOops\tnot-a-ror\n")
    with pytest.raises(InputError, match="orgs.tsv: line 3: expected 'name<TAB>ROR id'"):
        load_variants([table])
    good = tmp_path / "good.tsv"
    good.write_text("Томский политехнический университет\thttps://ror.org/00a45v709\n")
    assert load_variants([good]) == {"tomskii politekhnicheskii universitet": "00a45v709"}


def test_a_common_name_at_one_institution_is_not_one_person(tmp_path: Path) -> None:
    big = {"name": "Big University"}
    sources = [[article(n, authors=[{"name": "Wang Y.", "affiliations": [big]}])] for n in range(7)]
    store, report = built(tmp_path, *sources)
    people = select(store, 'SELECT DISTINCT ?p WHERE { ?p foaf:name "Wang Y." }')
    assert len(people) == 7
    assert [m for m in report.merges if m.kind == "person"] == []
    assert any("too common to tell people apart" in m.evidence for m in report.near_misses)


def test_one_initial_and_a_shared_organisation_are_not_enough(tmp_path: Path) -> None:
    lab = {"name": "Small Lab"}
    store, report = built(
        tmp_path,
        [article(1, authors=[{"name": "Wang Y.", "affiliations": [lab]}])],
        [article(2, authors=[{"name": "Wang Y.", "affiliations": [lab]}])],
    )
    assert len(select(store, 'SELECT DISTINCT ?p WHERE { ?p foaf:name "Wang Y." }')) == 2
    assert any("a single initial" in m.evidence for m in report.near_misses)
