"""Crossref works: every shape of file, every field kg maps, retractions from both sides."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildReport, build
from kg.errors import Location, RecordError
from kg.readers import Skipped, detect_reader
from kg.readers.crossref import parse_work
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS / "data" / "samples" / "crossref_api"
NOTICES = SAMPLES / "retraction_notices" / "radretraction_crossref_retraction_notices_3.json"
DUMP = SAMPLES / "crossref_dump_items" / "oc_ds_converter_40228.json"
QSS = SAMPLES / "oc_meta_fixtures" / "qss_a_00292.json"
SCIENTOMETRICS = SAMPLES / "oc_meta_fixtures" / "s11192-022-04367-w.json"
BASE = "https://example.org/kg/"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oco: <https://w3id.org/oc/ontology/>
"""


def run(tmp_path: Path, *sources: Path, validate: bool = True) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build(list(sources), out, validate=validate)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    return [
        {str(v)[1:]: s[v].value for v in result.variables if s[v] is not None}  # type: ignore[union-attr]
        for s in result
    ]


def work(**fields: Any) -> dict[str, Any]:
    return {"DOI": "10.5555/test.1", "type": "journal-article", "title": ["A title"], **fields}


def parse(data: dict[str, Any]) -> Record:
    result = parse_work(data, Location("works.json", "item 1"))
    assert isinstance(result, Record)
    return result


@pytest.mark.parametrize("sample", sorted(SAMPLES.rglob("*.json")), ids=lambda p: p.name)
def test_every_crossref_sample_builds_and_validates(tmp_path: Path, sample: Path) -> None:
    _, report = run(tmp_path, sample)
    assert report.exit_code == 0, report.summary()
    assert report.validation is not None and report.validation.conforms
    assert report.files[0].reader == "crossref"
    assert report.rejects == []


def test_each_journal_article_doi_is_one_article_with_typed_issns(tmp_path: Path) -> None:
    store, _ = run(tmp_path, SAMPLES, validate=False)
    dois = []
    for sample in sorted(SAMPLES.rglob("*.json")):
        data = json.loads(sample.read_text(encoding="utf-8"))
        items = data.get("items") or [data.get("message", data)]
        dois += [
            (i["DOI"].lower(), i)
            for i in items
            if i.get("type") == "journal-article" and not i.get("update-to")
        ]
    assert len(dois) == 12
    for doi, item in dois:
        rows = select(
            store, f"""SELECT ?a WHERE {{ ?a a fabio:JournalArticle ; prism:doi "{doi}" }}"""
        )
        assert [r["a"] for r in rows] == [f"{BASE}doi/{doi}"], doi
        issns = select(
            store,
            f"""SELECT ?print ?online WHERE {{
            <{BASE}doi/{doi}> frbr:partOf+ ?j . ?j a fabio:Journal .
            OPTIONAL {{ ?j prism:issn ?print }} OPTIONAL {{ ?j prism:eIssn ?online }} }}""",
        )
        typed = {t["type"]: t["value"] for t in item.get("issn-type", [])}
        assert issns == [
            {
                k: v
                for k, v in (("print", typed.get("print")), ("online", typed.get("electronic")))
                if v
            }
        ], doi


def test_the_three_notices_retract_their_targets(tmp_path: Path) -> None:
    store, report = run(tmp_path, NOTICES)
    assert report.validation is not None and report.validation.conforms
    rows = select(
        store,
        """
        SELECT ?notice ?target ?date WHERE {
            ?notice a fabio:RetractionNotice ; cito:retracts ?target .
            ?target cito:isRetractedBy ?notice ; fabio:hasRetractionDate ?date ;
                pso:holdsStatusInTime/pso:withStatus pso:retracted-from-publication .
        } ORDER BY ?notice""",
    )
    assert [(r["notice"], r["target"], r["date"]) for r in rows] == [
        (f"{BASE}doi/10.1155/2023/9786985", f"{BASE}doi/10.1155/2021/2263469", "2023-09-14"),
        (f"{BASE}doi/10.1155/2023/9809608", f"{BASE}doi/10.1155/2022/3417480", "2023-07-26"),
        (f"{BASE}doi/10.1155/2023/9812821", f"{BASE}doi/10.1155/2022/7642511", "2023-09-27"),
    ]
    # the notice is not itself marked retracted, and keeps its own "Retracted: " title
    assert (
        select(
            store,
            """SELECT ?n WHERE { ?n a fabio:RetractionNotice ;
        pso:holdsStatusInTime ?s }""",
        )
        == []
    )
    titles = select(
        store, f"SELECT ?t WHERE {{ <{BASE}doi/10.1155/2023/9812821> dcterms:title ?t }}"
    )
    assert titles[0]["t"].startswith("Retracted: Value of CT Radiomics")
    # who said so: the publisher's notice and Retraction Watch record 49852
    sources = select(
        store,
        f"""SELECT ?src WHERE {{
        <{BASE}doi/10.1155/2021/2263469/status/retracted> prov:wasDerivedFrom ?src }}
        ORDER BY ?src""",
    )
    assert [s["src"] for s in sources] == [
        f"{BASE}doi/10.1155/2023/9786985",
        f"{BASE}source/retraction-watch/49852",
    ]
    # targets described nowhere in the build still carry their DOI
    assert report.named_only == 3
    assert select(store, f"""SELECT ?d WHERE {{ <{BASE}doi/10.1155/2022/3417480> prism:doi ?d }}""")


def test_updated_by_gives_the_work_its_status(tmp_path: Path) -> None:
    src = tmp_path / "w.json"
    src.write_text(
        json.dumps(
            {
                "items": [
                    work(
                        **{
                            "container-title": ["J"],
                            "updated-by": [
                                {
                                    "DOI": "10.5555/notice.1",
                                    "type": "retraction",
                                    "source": "retraction-watch",
                                    "record-id": "12345",
                                    "updated": {"date-parts": [[2024, 2, 29]]},
                                }
                            ],
                        }
                    )
                ]
            }
        ),
        encoding="utf-8",
    )
    store, report = run(tmp_path, src)
    assert report.validation is not None and report.validation.conforms
    rows = select(
        store,
        f"""SELECT ?date ?src WHERE {{
        <{BASE}doi/10.5555/test.1> cito:isRetractedBy <{BASE}doi/10.5555/notice.1> ;
            fabio:hasRetractionDate ?date ; pso:holdsStatusInTime ?s .
        ?s prov:wasDerivedFrom ?src .
        <{BASE}doi/10.5555/notice.1> a fabio:RetractionNotice ;
            cito:retracts <{BASE}doi/10.5555/test.1> .
    }}""",
    )
    assert rows == [{"date": "2024-02-29", "src": f"{BASE}source/retraction-watch/12345"}]


@pytest.mark.parametrize(
    "update, status, reason",
    [
        ("retraction", "retracted", None),
        ("withdrawal", "retracted", "Withdrawal"),
        ("partial_retraction", "corrected", "Partial retraction"),
        ("correction", "corrected", None),
        ("Erratum", "corrected", None),
        ("expression_of_concern", "expression-of-concern", None),
        ("reinstatement", "reinstated", None),
    ],
)
def test_update_types(update: str, status: str, reason: str | None) -> None:
    rec = parse(work(**{"update-to": [{"DOI": "10.5555/target", "type": update}]}))
    [u] = rec.updates
    assert (u.target_doi, u.status.kind) == ("10.5555/target", status)
    assert u.status.reasons == ([reason] if reason else [])


def test_other_update_types_are_not_statuses() -> None:
    rec = parse(work(**{"update-to": [{"DOI": "10.5555/target", "type": "new_version"}]}))
    assert rec.updates == [] and rec.kind == "journal-article"
    assert "is not a status kg records" in rec.issues[0].message


def test_fields() -> None:
    rec = parse(
        work(
            **{
                "title": ["Growth of <i>E. coli</i> at p &lt; 0.05"],
                "subtitle": ["a <b>study</b>"],
                "abstract": "<jats:p>First.</jats:p>"
                "<jats:p>Second <mml:math><mml:mi>x</mml:mi></mml:math>.</jats:p>",
                "language": "en",
                "container-title": ["Contrast Media &amp; Molecular Imaging"],
                "ISSN": ["1555-4309", "1555-4317", "2049-3630"],
                "issn-type": [{"value": "1555-4317", "type": "electronic"}],
                "publisher": "Hindawi Limited",
                "volume": "12",
                "issue": "3",
                "page": "e0123",
                "issued": {"date-parts": [[2022, 8, 22]]},
                "published-print": {"date-parts": [[2022, 9]]},
                "published-online": {"date-parts": [[2022, 8, 22]]},
                "subject": ["Radiology, Nuclear Medicine and imaging"],
                "license": [{"URL": "http://creativecommons.org/licenses/by/4.0/"}],
                "resource": {
                    "primary": {"URL": "https://www.hindawi.com/journals/cmmi/2022/7642511/"}
                },
                "author": [
                    {"given": "B", "family": "Second", "sequence": "additional"},
                    {
                        "given": "A",
                        "family": "First",
                        "sequence": "first",
                        "ORCID": "http://orcid.org/0000-0002-1825-0097",
                        "affiliation": [
                            {
                                "name": "Tomsk Polytechnic University",
                                "id": [{"id": "https://ror.org/00a45v709", "id-type": "ROR"}],
                            }
                        ],
                    },
                    {"name": "The Consortium", "sequence": "additional"},
                ],
            }
        )
    )
    assert rec.titles == [("Growth of E. coli at p < 0.05", "en")]
    assert rec.subtitles == [("a study", "en")]
    assert rec.abstracts == [("First.\n\nSecond x.", "en")]
    assert rec.journal is not None
    assert rec.journal.titles == [("Contrast Media & Molecular Imaging", "und")]
    # an ISSN without a type is kept, without guessing its medium
    assert (rec.journal.issn_print, rec.journal.issn_online) == (None, "1555-4317")
    assert rec.journal.issns_unknown == ["1555-4309", "2049-3630"]
    assert [i.message for i in rec.issues] == []
    assert (rec.year, rec.date, rec.printed, rec.online) == (
        2022,
        "2022-08-22",
        "2022-09",
        "2022-08-22",
    )
    assert (rec.first_page, rec.last_page, rec.volume, rec.issue) == ("e0123", None, "12", "3")
    assert [a.name for a in rec.authors] == ["A First", "B Second", "The Consortium"]
    assert rec.authors[0].orcid == "0000-0002-1825-0097"
    assert rec.authors[0].affiliations[0].ror == "00a45v709"
    assert rec.subjects == ["Radiology, Nuclear Medicine and imaging"]
    assert rec.licenses == ["http://creativecommons.org/licenses/by/4.0/"]
    assert rec.url == "https://www.hindawi.com/journals/cmmi/2022/7642511/"


def test_a_retracted_title_on_a_work_that_is_not_a_notice() -> None:
    rec = parse(work(title=["RETRACTED: A study of things"]))
    assert rec.titles == [("A study of things", "und")]
    assert rec.shown_title == ("RETRACTED: A study of things", "und")
    assert [s.kind for s in rec.statuses] == ["retracted"]


@pytest.mark.parametrize(
    "crossref_type, cls",
    [
        ("book-chapter", "book-chapter"),
        ("proceedings-article", "proceedings-article"),
        ("monograph", "book"),
        ("posted-content", "preprint"),
        ("dissertation", "thesis"),
    ],
)
def test_other_types_get_their_kind(crossref_type: str, cls: str) -> None:
    rec = parse(work(type=crossref_type, **{"container-title": ["A book"]}))
    assert rec.kind == cls and rec.journal is None


@pytest.mark.parametrize("crossref_type", ["peer-review", "component", "journal-issue", None])
def test_types_kg_does_not_map_are_skipped(crossref_type: str | None) -> None:
    result = parse_work(work(type=crossref_type), Location("w.json", "item 1"))
    assert isinstance(result, Skipped)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"type": "journal-article", "title": ["T"]}, "DOI"),
        (work(DOI="not-a-doi"), "DOI"),
        (work(**{"issn-type": [{"value": "123", "type": "print"}]}), "issn-type[0]"),
        (work(issued={"date-parts": [[2020, 13, 1]]}), "issued"),
        (work(**{"update-to": [{"DOI": "x", "type": "retraction"}]}), "update-to[0].DOI"),
    ],
)
def test_bad_fields_reject_the_work(data: dict[str, Any], field: str) -> None:
    with pytest.raises(RecordError) as err:
        parse_work(data, Location("w.json", "item 1"))
    assert err.value.location.field == field


def test_thousands_of_authors_keep_their_order() -> None:
    authors = [
        {"given": f"G{i}", "family": f"F{i}", "sequence": "first" if i == 0 else "additional"}
        for i in range(3000)
    ]
    rec = parse(work(author=authors))
    assert [a.family for a in rec.authors] == [f"F{i}" for i in range(3000)]


def _works(n: int) -> list[dict[str, Any]]:
    return [work(DOI=f"10.5555/test.{i}", **{"container-title": ["J"]}) for i in range(n)]


@pytest.mark.parametrize(
    "shape", ["work", "work-list", "items", "array", "jsonl", "json.gz", "jsonl.gz"]
)
def test_every_file_shape(tmp_path: Path, shape: str) -> None:
    works = _works(3)
    if shape == "work":
        works = works[:1]
        content = json.dumps({"status": "ok", "message-type": "work", "message": works[0]})
    elif shape == "work-list":
        content = json.dumps(
            {
                "status": "ok",
                "message-type": "work-list",
                "message": {"items": works, "total-results": 3},
            }
        )
    elif shape in ("items", "json.gz"):
        content = json.dumps({"items": works})
    elif shape == "array":
        content = json.dumps(works)
    else:
        content = "".join(json.dumps(w) + "\n" for w in works)
    suffix = {
        "work": ".json",
        "work-list": ".json",
        "items": ".json",
        "array": ".json",
        "jsonl": ".jsonl",
        "json.gz": ".json.gz",
        "jsonl.gz": ".jsonl.gz",
    }[shape]
    src = tmp_path / f"works{suffix}"
    if suffix.endswith(".gz"):
        src.write_bytes(gzip.compress(content.encode()))
    else:
        src.write_text(content, encoding="utf-8")
    assert detect_reader(src) == "crossref"
    _, report = run(tmp_path, src, validate=False)
    assert (report.records, report.built, len(report.rejects)) == (len(works), len(works), 0)


def test_truncated_data_file_keeps_the_works_before_the_break(tmp_path: Path) -> None:
    src = tmp_path / "works.json"
    text = json.dumps({"items": _works(3)})
    src.write_text(text[: text.index('"10.5555/test.2"') + 5], encoding="utf-8")
    _, report = run(tmp_path, src, validate=False)
    assert report.built == 2
    [reject] = report.rejects
    assert str(reject.error).startswith("works.json: item 3 (line 1): the file ends in the middle")


def test_truncated_gzip_is_a_clean_reject(tmp_path: Path) -> None:
    src = tmp_path / "works.jsonl.gz"
    data = gzip.compress("".join(json.dumps(w) + "\n" for w in _works(500)).encode())
    src.write_bytes(data[: len(data) // 2])
    _, report = run(tmp_path, src, validate=False)
    assert 0 < report.built < 500
    assert "the compressed file is cut off or corrupt" in str(report.rejects[-1].error)


def test_a_line_in_another_encoding_is_rejected_alone(tmp_path: Path) -> None:
    src = tmp_path / "works.jsonl"
    lines = [json.dumps(w, ensure_ascii=False).encode() for w in _works(2)]
    bad = json.dumps(work(DOI="10.5555/bad", title=["Café"]), ensure_ascii=False).encode("latin-1")
    src.write_bytes(b"\n".join([lines[0], bad, lines[1]]) + b"\n")
    _, report = run(tmp_path, src, validate=False)
    assert report.built == 2
    assert str(report.rejects[0].error).startswith("works.jsonl: line 2: broken JSON")


def test_duplicated_works_are_one_article(tmp_path: Path) -> None:
    src = tmp_path / "works.jsonl"
    w = work(**{"container-title": ["J"]})
    src.write_text(json.dumps(w) + "\n" + json.dumps(w) + "\n", encoding="utf-8")
    store, report = run(tmp_path, src)
    assert report.duplicates == 1
    assert len(select(store, "SELECT ?a WHERE { ?a a fabio:JournalArticle }")) == 1


def test_summary_names_the_reader_and_counts_skipped_types(tmp_path: Path) -> None:
    shutil.copy(DUMP, tmp_path / "dump.json")
    src = tmp_path / "more.json"
    src.write_text(
        json.dumps({"items": [work(type="peer-review"), work(type="component")]}), encoding="utf-8"
    )
    _, report = run(tmp_path, tmp_path / "dump.json", src, validate=False)
    text = report.summary()
    assert "dump.json: 11 record(s) read by the crossref reader" in text
    assert "skipped (types kg does not map): component 1, peer-review 1" in text
    assert report.skipped == 2


def test_a_work_without_a_title_is_built_known_by_its_doi(tmp_path: Path) -> None:
    """About 6% of the journal articles of Crossref's public data file have `title: []`."""
    untitled = work(title=[], **{"container-title": ["J"], "ISSN": ["2305-8420"]})
    rec = parse(untitled)
    assert rec.titles == [] and rec.doi == "10.5555/test.1"
    path = tmp_path / "works.json"
    path.write_text(json.dumps({"items": [untitled]}), encoding="utf-8")
    _, report = run(tmp_path, path)
    assert report.built == 1 and not report.rejects
    assert report.validation is not None and report.validation.conforms  # a warning only
    warnings = [r for r in report.validation.results if r.severity == "Warning"]
    assert any("title" in r.message for r in warnings), report.summary()


def chapter(**fields: Any) -> dict[str, Any]:
    data = work(
        DOI="10.1007/978-3-662-07918-8_3",
        type="book-chapter",
        title=["Influence of Dielectric Properties"],
        publisher="Springer",
        ISBN=["9783642058530", "9783662079188"],
        ISSN=["1612-1287"],
    )
    data["container-title"] = ["Insulation of High-Voltage Equipment", "Power Systems"]
    data["isbn-type"] = [
        {"type": "print", "value": "978-3-642-05853-0"},
        {"type": "electronic", "value": "9783662079188"},
    ]
    return {**data, **fields}


def test_a_chapter_keeps_its_book_with_isbns_and_series() -> None:
    rec = parse(chapter())
    assert rec.journal is None and rec.container is not None
    c = rec.container
    assert c.kind == "book" and c.titles == [("Insulation of High-Voltage Equipment", "und")]
    assert (c.isbns.print, c.isbns.electronic, c.isbns.unknown) == (
        "9783642058530",
        "9783662079188",
        [],
    )
    assert c.publisher is not None and c.publisher.names == [("Springer", "und")]
    assert c.series is not None and c.series.issns() == ["1612-1287"]
    assert c.series.titles == [("Power Systems", "und")]
    paper = parse(chapter(type="proceedings-article"))
    assert paper.container is not None and paper.container.kind == "proceedings"


def test_the_chapters_of_a_book_and_the_books_own_record_are_one_node(tmp_path: Path) -> None:
    book = work(
        DOI="10.1007/978-3-662-07918-8",
        type="book",
        title=["Insulation of High-Voltage Equipment"],
        ISBN=["3-642-05853-1"],  # the print book's ISBN-10: the same book
    )
    book["isbn-type"] = [{"type": "electronic", "value": "978-3-662-07918-8"}]
    second = chapter(DOI="10.1007/978-3-662-07918-8_4", title=["Another chapter"])
    path = tmp_path / "works.json"
    path.write_text(json.dumps({"items": [chapter(), second, book]}), encoding="utf-8")
    store, report = run(tmp_path, path)
    assert report.built == 3 and not report.rejects, report.summary()
    rows = list(
        store.query(
            """PREFIX frbr: <http://purl.org/vocab/frbr/core#>
            PREFIX fabio: <http://purl.org/spar/fabio/>
            PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
            SELECT DISTINCT ?book ?print ?online WHERE {
              ?chapter a fabio:BookChapter ; frbr:partOf ?book .
              ?book a fabio:Book ; prism:doi ?doi ;
                frbr:embodiment [ a fabio:PrintObject ; prism:isbn ?print ] ,
                  [ a fabio:DigitalManifestation ; prism:isbn ?online ] }"""
        )
    )
    assert [(r["print"].value, r["online"].value) for r in rows] == [
        ("9783642058530", "9783662079188")
    ]


def test_an_affiliation_read_again_says_what_it_said_the_first_time() -> None:
    """Affiliations seen before come from a cache (kg/readers/crossref.py): a warning is
    given again for every record, and each record gets an organisation of its own."""
    good = {
        "name": "Tomsk Polytechnic University",
        "id": [{"id": "https://ror.org/00a45v709", "id-type": "ROR"}],
    }
    bad = {"name": "Somewhere", "id": [{"id": "https://ror.org/00a45v70x", "id-type": "ROR"}]}
    spaced = {"name": "  Tomsk   Polytechnic University ", "id": []}

    def read(n: int) -> Record:
        work = {
            "DOI": f"10.1234/cache.{n}",
            "type": "journal-article",
            "title": ["A title"],
            "author": [
                {"family": "Kartashova", "given": "A. A.", "affiliation": [good, bad, spaced]}
            ],
        }
        rec = parse_work(work, Location("works.jsonl", f"line {n}"))
        assert isinstance(rec, Record)
        return rec

    first, second = read(1), read(2)
    for rec in (first, second):
        orgs = rec.authors[0].affiliations
        assert [(o.names, o.ror) for o in orgs] == [
            ([("Tomsk Polytechnic University", "und")], "00a45v709"),
            ([("Somewhere", "und")], None),
            ([("Tomsk Polytechnic University", "und")], None),
        ]
        warnings = [i for i in rec.issues if "affiliation[1].id[0]" in i.field]
        assert len(warnings) == 1, rec.issues
    first.authors[0].affiliations[0].names.append(("Changed", "en"))
    assert second.authors[0].affiliations[0].names == [("Tomsk Polytechnic University", "und")]
    assert read(3).authors[0].affiliations[0].names == [("Tomsk Polytechnic University", "und")]
