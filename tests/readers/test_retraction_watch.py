"""Retraction Watch CSV rows, alone and joined with Crossref on the same articles."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildReport, build
from kg.errors import Location, RecordError
from kg.readers import detect_reader
from kg.readers.retraction_watch import parse_date, parse_row

TESTS = Path(__file__).resolve().parent.parent
RW = TESTS / "data" / "samples" / "retraction_watch" / "rw_official_columns_radiology_6rows.csv"
CROSSREF = TESTS / "data" / "samples" / "crossref_api"
BASE = "https://example.org/kg/"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kgo: <https://w3id.org/kg/ontology/>
"""


def run(tmp_path: Path, *sources: Path, validate: bool = True) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build(list(sources), out, validate=validate)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


def values(store: ox.Store, query: str) -> list[str]:
    return sorted(s[0].value for s in store.query(P + query))  # type: ignore[union-attr]


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(RW.read_text(encoding="utf-8"))))


def test_the_sample_builds_and_validates(tmp_path: Path) -> None:
    assert detect_reader(RW) == "retraction-watch"
    store, report = run(tmp_path, RW)
    assert report.exit_code == 0, report.summary()
    assert (report.records, report.built) == (6, 6)
    assert report.files[0].reader == "retraction-watch"
    retracted = values(
        store,
        """SELECT ?doi WHERE { ?a a fabio:JournalArticle ; prism:doi ?doi ;
        pso:holdsStatusInTime/pso:withStatus pso:retracted-from-publication }""",
    )
    assert retracted == sorted(r["OriginalPaperDOI"].lower() for r in rows())


def test_record_56626(tmp_path: Path) -> None:
    store, _ = run(tmp_path, RW)
    a = f"<{BASE}doi/10.1155/2022/7642511>"
    assert values(store, f"SELECT ?d WHERE {{ {a} fabio:hasRetractionDate ?d }}") == ["2023-09-27"]
    assert values(store, f"SELECT ?n WHERE {{ {a} cito:isRetractedBy ?n }}") == [
        f"{BASE}doi/10.1155/2023/9812821"
    ]
    reasons = values(
        store, f"SELECT ?r WHERE {{ {a} pso:holdsStatusInTime/dcterms:description ?r }}"
    )
    assert "Paper Mill" in reasons and not any(r.startswith("+") for r in reasons)
    assert values(
        store, f"SELECT ?s WHERE {{ {a} pso:holdsStatusInTime/prov:wasDerivedFrom ?s }}"
    ) == [f"{BASE}source/retraction-watch/56626"]
    assert values(
        store,
        f"""SELECT ?id WHERE {{ <{BASE}source/retraction-watch/56626>
        dcterms:identifier ?id }}""",
    ) == ["56626"]
    institutions = values(store, f"SELECT ?n WHERE {{ {a} kgo:affiliation/foaf:name ?n }}")
    assert len(institutions) == len([i for i in rows()[0]["Institution"].split(";") if i.strip()])
    assert institutions[0].startswith("College of Bioinformatics")
    assert values(store, f"SELECT ?c WHERE {{ {a} kgo:affiliationCountry ?c }}") == ["China"]
    assert values(store, f"SELECT ?p WHERE {{ {a} fabio:hasPubMedId ?p }}") == ["36051936"]
    authors = values(store, f"SELECT ?n WHERE {{ {a} dcterms:creator/foaf:name ?n }}")
    assert authors == sorted(["Lu Chen", "Lijuan Yu", "Xueyan Li", "Zhanyu Tian", "Xiuyan Lin"])


def test_record_56626_and_its_crossref_notice_mark_the_same_article(tmp_path: Path) -> None:
    store, report = run(tmp_path, CROSSREF, RW)
    assert report.validation is not None and report.validation.conforms, report.summary()
    a = f"<{BASE}doi/10.1155/2022/7642511>"
    assert values(store, f"SELECT ?t WHERE {{ {a} a ?t }}") == [
        "http://purl.org/spar/fabio/JournalArticle"
    ]
    assert values(store, f"SELECT ?s WHERE {{ {a} pso:holdsStatusInTime ?s }}") == [
        f"{BASE}doi/10.1155/2022/7642511/status/retracted"
    ]
    assert values(
        store, f"SELECT ?src WHERE {{ {a} pso:holdsStatusInTime/prov:wasDerivedFrom ?src }}"
    ) == [f"{BASE}doi/10.1155/2023/9812821", f"{BASE}source/retraction-watch/56626"]
    assert values(store, f"SELECT ?d WHERE {{ {a} fabio:hasRetractionDate ?d }}") == ["2023-09-27"]
    notices = values(store, "SELECT ?n WHERE { ?n a fabio:RetractionNotice }")
    assert len(notices) == 6  # 3 described by Crossref, 3 more named by Retraction Watch rows
    # the Crossref notices' targets are described by the Retraction Watch rows
    assert report.named_only == 0
    lines = (tmp_path / "out.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)), "a triple was written twice"


def test_the_order_of_sources_does_not_matter(tmp_path: Path) -> None:
    one = tmp_path / "one.nt"
    two = tmp_path / "two.nt"
    build([RW, CROSSREF], one, validate=False)
    build([CROSSREF, RW], two, validate=False)
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("missing", ["", "unavailable", "Unavailable"])
def test_a_row_without_doi_still_gives_its_article(missing: str) -> None:
    row = dict(rows()[0], OriginalPaperDOI=missing)
    rec = parse_row(row, Location("rw.csv", "row 1"))
    assert rec.doi is None
    assert rec.titles[0][0].startswith("Value of CT Radiomics")
    assert (
        rec.journal is not None and rec.journal.titles[0][0] == "Contrast Media & Molecular Imaging"
    )
    assert len(rec.authors) == 5 and rec.date == "2022-08-22"


@pytest.mark.parametrize(
    "nature, status",
    [
        ("Retraction", "retracted"),
        ("Correction", "corrected"),
        ("Expression of concern", "expression-of-concern"),
        ("Reinstatement", "reinstated"),
    ],
)
def test_retraction_nature(nature: str, status: str) -> None:
    rec = parse_row(dict(rows()[0], RetractionNature=nature), Location("rw.csv", "row 1"))
    assert [s.kind for s in rec.statuses] == [status]


@pytest.mark.parametrize(
    "column, value",
    [
        ("RetractionNature", "Deletion"),
        ("RetractionDate", "yesterday"),
        ("OriginalPaperDOI", "10.1155"),
    ],
)
def test_bad_cells_reject_the_row_and_name_the_column(column: str, value: str) -> None:
    with pytest.raises(RecordError) as err:
        parse_row(dict(rows()[0], **{column: value}), Location("rw.csv", "row 1"))
    assert err.value.location.field == column


def test_a_row_without_a_title_is_kept_when_its_doi_names_it() -> None:
    rec = parse_row(dict(rows()[0], Title=""), Location("rw.csv", "row 1"))
    assert rec.titles == [] and rec.doi is not None
    with pytest.raises(RecordError) as err:
        parse_row(dict(rows()[0], Title="", OriginalPaperDOI=""), Location("rw.csv", "row 1"))
    assert err.value.location.field == "Title"


def test_an_export_with_only_some_columns(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text(
        "Title,OriginalPaperDOI,RetractionDate,Reason\n"
        "A study,10.5555/x,2/2/2010 0:00,+Duplication of Article;\n",
        encoding="utf-8",
    )
    store, report = run(tmp_path, src, validate=False)
    assert report.files[0].reader == "retraction-watch" and report.built == 1
    assert values(
        store, f"SELECT ?d WHERE {{ <{BASE}doi/10.5555/x> fabio:hasRetractionDate ?d }}"
    ) == ["2010-02-02"]


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2/2/2010 0:00", "2010-02-02"),
        ("12/29/2023 0:00", "2023-12-29"),
        ("2023-07-26", "2023-07-26"),
    ],
)
def test_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso
