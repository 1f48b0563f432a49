"""CSL-JSON (Zotero, Crossref content negotiation, NCBI's citation exporter): the real
samples field by field and built, the shapes a CSL file comes in (array, one item,
``{"items": [...]}``, JSON Lines), and broken items and files that give rejects naming
file, record and field, never a traceback or a hang."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from mutations import mutations

from kg.build.pipeline import build
from kg.errors import KgError
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, Skipped, SourceFile, csl, read_source
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS / "data" / "detect" / "csl"  # real CSL-JSON files (their sources: SOURCES.md there)
ZOTERO = SAMPLES / "zotero-chinese_gbt7714-data.json"
DEEP_REVIEW = SAMPLES / "manubot_crossref-deep-review-csl_raw.json"
SCIHUB = SAMPLES / "manubot_pubmed-scihub-study-csl_raw.json"
FILES = [ZOTERO, DEEP_REVIEW, SCIHUB]

Result = Record | Reject | Skipped


def read(path: Path) -> list[Result]:
    return list(csl.read(path, path.name))


def records(results: list[Result]) -> list[Record]:
    return [r for r in results if isinstance(r, Record)]


def rejects(results: list[Result]) -> list[Reject]:
    return [r for r in results if isinstance(r, Reject)]


def by_key(results: list[Result], key: str) -> Record:
    found = [r for r in records(results) if (r.origin.record or "").endswith(f"[{key}]")]
    assert len(found) == 1, key
    return found[0]


def write(tmp_path: Path, items: Any, name: str = "items.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def item(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "k1", "type": "article-journal", "title": "A title"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def one(tmp_path: Path, **fields: Any) -> Result:
    results = read(write(tmp_path, [item(**fields)]))
    assert len(results) == 1
    return results[0]


# --- the real samples ---------------------------------------------------------------


def test_zotero_sample_counts_by_type() -> None:
    results = read(ZOTERO)
    assert len(results) == 141 and not rejects(results)
    kinds = Counter(r.kind for r in records(results))
    assert kinds == {
        "book": 30,  # 34 "book" items, 4 of them whole periodicals (skipped)
        "journal-article": 18,
        "book-chapter": 10,
        "dataset": 9,
        "proceedings-article": 7,
        "thesis": 6,
        "report": 6,
        "preprint": 4,  # "article" items from arXiv, bioRxiv, ChinaXiv, PSSXiv
    }
    skipped = Counter(r.kind for r in results if isinstance(r, Skipped))
    assert skipped == {
        "webpage": 11,
        "standard": 10,
        "map": 10,
        "patent": 8,
        "book (periodical)": 4,
        "article-newspaper": 2,
        "personal_communication": 2,
        "manuscript": 2,  # in an archive, not on a preprint server
        "motion_picture": 1,
        "graphic": 1,
    }


def test_cjk_article_literal_names_and_string_date_parts() -> None:
    results = read(ZOTERO)
    rec = by_key(results, "gbt7714.b.4:3")
    assert rec.kind == "journal-article"
    assert rec.titles == [("互联网药品可信交易环境中主体资质审核备案模式", "zh")]
    assert rec.language == "zh"
    assert [a.name for a in rec.authors] == ["于潇", "刘义", "柴跃廷", "孙宏波"]
    assert all(a.family is None and a.given is None for a in rec.authors)  # kept whole
    assert rec.journal is not None
    assert rec.journal.titles == [("清华大学学报（自然科学版）", "und")]
    assert (rec.volume, rec.issue) == ("52", "11")
    assert (rec.first_page, rec.last_page, rec.page_range) == ("1518", "1523", "1518-1523")
    assert (rec.year, rec.date) == (2012, None)  # [["2012"]]
    dated = by_key(results, "gbt7714.b.4:8")  # [["2024", 5, 9]]: strings and numbers
    assert (dated.year, dated.date) == (2024, "2024-05-09")
    assert dated.url == "http://kns.cnki.net/kcms/detail/11.2104.u.20240507.1737.002.html"
    assert dated.first_page is None  # an article online first, no pages yet
    month = by_key(results, "10.1016/j.elspec.2023.147370")  # the DOI from its doi.org URL
    assert (month.year, month.date, month.url) == (2023, None, None)  # [[2023, 8]]


def test_language_tags_follow_the_script() -> None:
    results = read(ZOTERO)
    tags = Counter(tag for r in records(results) for _, tag in r.titles)
    assert tags == {"zh": 55, "en": 34, "ja": 1}
    assert by_key(results, "gbt7714.b.1:17").titles == [("最新図書館用語大辞典", "ja")]
    # Chinese records give Chinese titles; English ones English (no "en" on CJK text)
    for rec in records(results):
        for title, tag in rec.titles:
            if tag == "en":
                assert title.isascii() or not any("\u4e00" <= c <= "\u9fff" for c in title)


def test_journal_article_with_particles_issn_markup_and_doi() -> None:
    rec = by_key(read(ZOTERO), "10.1038/nature13308")
    assert rec.titles == [("The genome of Eucalyptus grandis", "en")]  # <i> dropped
    assert rec.journal is not None and rec.journal.issns_unknown == ["1476-4687"]
    assert rec.journal.issn_print is None and rec.journal.issn_online is None
    assert len(rec.authors) == 80 and rec.authors[0].name == "Alexander A. Myburg"
    merwe = rec.authors[17]
    assert (merwe.name, merwe.family, merwe.given) == (
        "Karen van der Merwe",
        "van der Merwe",
        "Karen",
    )
    assert rec.authors[-1].name == "Jeremy Schmutz"  # in order
    assert (rec.date, rec.url) == ("2014-06-19", "https://www.nature.com/articles/nature13308.pdf")


def test_chapters_papers_books_and_their_containers() -> None:
    results = read(ZOTERO)
    chapter = by_key(results, "gbt7714.b.2:9")
    assert chapter.kind == "book-chapter"
    assert [a.name for a in chapter.authors] == ["L. Weinstein", "M. N. Swartz"]  # no editors
    assert chapter.container is not None
    assert chapter.container.kind == "book"
    assert chapter.container.titles == [("Pathologic physiology: mechanisms of disease", "und")]
    assert chapter.container.isbns.all() == ["9780721684727"]
    assert chapter.container.publisher is not None
    assert chapter.container.publisher.names == [("Saunders", "und")]
    assert chapter.journal is None and chapter.isbns is None

    paper = by_key(results, "gbt7714.b.5:5")
    assert paper.kind == "proceedings-article"
    assert paper.container is not None and paper.container.kind == "proceedings"
    assert paper.container.titles == [("中国国家生物安全框架实施国际合作项目研讨会论文集", "und")]
    assert paper.container.isbns.all() == ["9787802090385"]
    assert [a.name for a in paper.authors] == ["汪学军"]

    book = by_key(results, "gbt7714.b.1:18")
    assert book.kind == "book" and book.isbns is not None
    assert book.isbns.all() == ["9780071181815"]
    assert [(a.name, a.family, a.given) for a in book.authors] == [
        ("Peyton Z. Peebles Jr.", "Peebles", "Peyton Z.")
    ]
    assert book.publisher is not None and book.publisher.names == [("McGraw-Hill", "und")]
    old = by_key(results, "gbt7714.b.1:14")  # a 10-digit ISBN, as 13 digits
    assert old.isbns is not None and old.isbns.all() == ["9787801495471"]
    edited = by_key(results, "gbt7714.b.1:11")  # editors only: no authors
    assert edited.authors == []

    thesis = by_key(results, "gbt7714.b.6:5")
    assert thesis.kind == "thesis" and thesis.publisher is not None
    assert thesis.publisher.names == [("University of California", "und")]


def test_preprints_by_their_server() -> None:
    results = read(ZOTERO)
    arxiv = by_key(results, "10.48550/arxiv.1112.6136")  # the DOI from a doi.org URL
    assert arxiv.kind == "preprint" and arxiv.url is None  # the URL is the DOI
    chinaxiv = by_key(results, "gbt7714.b.14:1")
    assert (
        chinaxiv.kind == "preprint" and chinaxiv.url == "http://www.chinaxiv.org/abs/202303.00020"
    )
    assert by_key(results, "10.1101/029983").kind == "preprint"  # bioRxiv


def test_datasets_and_reports() -> None:
    results = read(ZOTERO)
    data = by_key(results, "10.3972/glacier001.2013.db")
    assert data.kind == "dataset" and [a.name for a in data.authors] == [
        "刘时银",
        "郭万钦",
        "许君利",
    ]
    assert data.year == 2012
    report = by_key(results, "gbt7714.b.7:4")
    assert report.kind == "report" and report.page_range == "8-9"
    org = by_key(results, "gbt7714.b.7:5")  # an organisation as a literal name
    assert [a.name for a in org.authors] == [
        "U.S. Department of Transportation Federal Highway Administration"
    ]


def test_crossref_content_negotiation_sample() -> None:
    results = read(DEEP_REVIEW)
    assert len(results) == 1  # its 555 references are not records (test_references.py)
    rec = results[0]
    assert isinstance(rec, Record)
    assert rec.kind == "journal-article" and rec.doi == "10.1098/rsif.2017.0387"
    assert rec.titles == [
        ("Opportunities and obstacles for deep learning in biology and medicine", "en")
    ]
    assert len(rec.authors) == 36
    assert (rec.authors[0].name, rec.authors[0].orcid) == ("Travers Ching", "0000-0002-5577-3516")
    assert rec.authors[1].name == "Daniel S. Himmelstein"
    assert sum(1 for a in rec.authors if a.orcid) == sum(
        1 for a in json.loads(DEEP_REVIEW.read_text())[0]["author"] if "ORCID" in a
    )
    assert rec.journal is not None
    assert rec.journal.titles == [("Journal of The Royal Society Interface", "und")]
    assert rec.journal.issns_unknown == ["1742-5662", "1742-5689"]  # medium not said
    assert rec.journal.publisher is not None
    assert rec.journal.publisher.names == [("The Royal Society", "und")]
    assert (rec.volume, rec.issue, rec.first_page) == ("15", "141", "20170387")
    assert (rec.year, rec.date, rec.printed, rec.online) == (2018, None, "2018-04", "2018-04-04")
    assert (rec.pmid, rec.language, rec.url) == ("29618526", "en", None)  # URL is the DOI
    # the one reference that gives only its key names no work
    assert [(i.field, i.kind) for i in rec.issues] == [("reference[115]", "warning")]


def test_ncbi_sample_with_jats_in_the_abstract() -> None:
    (rec,) = read(SCIHUB)
    assert isinstance(rec, Record)
    assert rec.doi == "10.7554/elife.32822" and rec.pmid == "29424689"
    assert rec.titles == [("Sci-Hub provides access to nearly all scholarly literature.", "und")]
    (abstract, tag) = rec.abstracts[0]
    assert tag == "und"  # no language given
    assert "<ext-link" not in abstract and "xlink" not in abstract
    assert "Our interactive browser at https://greenelab.github.io/scihub allows" in abstract
    assert rec.journal is not None and rec.journal.issns_unknown == ["2050-084X"]
    assert [a.name for a in rec.authors][:2] == ["Daniel S Himmelstein", "Ariel Rodriguez Romero"]
    assert rec.authors[5].family == "Greshake Tzovaras"
    assert (rec.date, rec.volume, rec.url) == (
        "2018-03-01",
        "7",
        "https://www.ncbi.nlm.nih.gov/pubmed/29424689",
    )


def test_samples_build_and_validate(tmp_path: Path) -> None:
    out = tmp_path / "out.nt"
    report = build(FILES, out, reader="csl", validate=True)
    assert (report.records, report.built, report.skipped, report.rejects) == (92, 92, 51, [])
    assert report.validation is not None and report.validation.conforms
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    solutions = store.query("SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n }")
    assert isinstance(solutions, ox.QuerySolutions)
    names = {str(s["n"].value) for s in solutions if s["n"] is not None}
    assert {"杨洪升", "Karen van der Merwe", "Travers Ching"} <= names
    tagged = store.query('ASK { ?w <http://purl.org/dc/terms/title> "四库馆私家抄校书考略"@zh }')
    assert tagged


# --- the shapes of a CSL file -------------------------------------------------------


def test_one_item_items_wrapper_json_lines_and_gzip(tmp_path: Path) -> None:
    a, b = item(id="a", DOI="10.1000/a"), item(id="b", DOI="10.1000/b")
    single = read(write(tmp_path, a, "one.json"))
    assert [r.doi for r in records(single)] == ["10.1000/a"]
    wrapped = read(write(tmp_path, {"items": [a, b]}, "api.json"))
    assert [r.doi for r in records(wrapped)] == ["10.1000/a", "10.1000/b"]
    lines = tmp_path / "items.jsonl"
    lines.write_text(f"{json.dumps(a)}\n{{broken\n{json.dumps(b)}\n", encoding="utf-8")
    results = read(lines)
    assert [r.doi for r in records(results)] == ["10.1000/a", "10.1000/b"]
    (bad,) = rejects(results)
    assert str(bad.error).startswith("items.jsonl: line 2: broken JSON")
    packed = tmp_path / "items.json.gz"
    packed.write_bytes(gzip.compress(json.dumps([a, b]).encode()))
    assert len(records(read(packed))) == 2


def test_truncated_array_keeps_the_items_before(tmp_path: Path) -> None:
    text = json.dumps([item(id="a"), item(id="b"), item(id="c")], indent=1)
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"c"') + 10], encoding="utf-8")
    results = read(path)
    assert [r.origin.record for r in records(results)] == [
        "record 1 (line 2) [a]",
        "record 2 (line 7) [b]",
    ]
    (bad,) = rejects(results)
    assert "cut.json: record 3" in str(bad.error) and "truncated" in str(bad.error)


def test_not_csl_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("TY  - JOUR\n", encoding="utf-8")
    (bad,) = read(path)
    assert isinstance(bad, Reject) and str(bad.error).startswith("x.json: line 1: not CSL-JSON")
    empty = tmp_path / "e.json"
    empty.write_text("  \n", encoding="utf-8")
    (none,) = read(empty)
    assert isinstance(none, Reject) and "empty" in str(none.error)


# --- bad items: a reject naming file, record and field ------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"DOI": "not a doi"}, "DOI", "'not a doi' is not a DOI"),
        ({"title": None}, "title", "no title and no DOI or ISBN"),
        ({"type": None}, "type", "needs a type"),
        ({"author": "Smith"}, "author", "expected a list of authors"),
        ({"author": ["Smith"]}, "author[0]", "expected an object"),
        ({"author": [{"family": ["Smith"]}]}, "author[0].family", "expected text, got list"),
        ({"title": {"en": "A"}}, "title", "expected text, got dict"),
        ({"title": "Bell\u0007"}, "title", "control or invalid character"),
    ],
)
def test_bad_item_is_rejected_naming_the_field(
    tmp_path: Path, fields: dict[str, Any], field: str, problem: str
) -> None:
    good = item(id="good")
    path = write(tmp_path, [good, item(**fields), good])
    results = read(path)
    assert len(records(results)) == 2  # the good items still come through
    (bad,) = rejects(results)
    assert bad.error.location.path == "items.json"
    assert (bad.error.location.record or "").startswith("record 2 (line 1)")
    assert bad.error.location.field == field
    assert problem in bad.error.problem


def test_bytes_that_are_not_utf8_reject_their_item(tmp_path: Path) -> None:
    data = json.dumps([item(id="a"), item(id="b", title="Caf\u00e9")], ensure_ascii=False).encode()
    path = tmp_path / "latin1.json"
    path.write_bytes(data.replace("Café".encode(), "Café".encode("latin-1")))
    results = read(path)
    assert len(records(results)) == 1
    (bad,) = rejects(results)
    assert bad.error.location.field == "title"
    assert "not UTF-8 text (byte 0xE9)" in bad.error.problem


def test_item_that_is_not_an_object(tmp_path: Path) -> None:
    results = read(write(tmp_path, [item(), "just text"]))
    (bad,) = rejects(results)
    assert (
        str(bad.error)
        == "items.json: record 2 (line 1): expected a CSL-JSON item (an object), got str"
    )


def test_an_item_named_by_its_doi_alone_is_kept(tmp_path: Path) -> None:
    rec = one(tmp_path, title=None, DOI="https://doi.org/10.1000/XYZ")
    assert isinstance(rec, Record) and rec.doi == "10.1000/xyz" and rec.titles == []


# --- fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "year", "date"),
    [
        ({"date-parts": [[2024, 5, 9]]}, 2024, "2024-05-09"),
        ({"date-parts": [["2024", "05", "09"]]}, 2024, "2024-05-09"),
        ({"date-parts": [["2013"]]}, 2013, None),
        ({"date-parts": [[2020, 21]]}, 2020, None),  # a season (spring), not a month
        ({"date-parts": [[2021, 2, 30]]}, 2021, None),  # no such day
        ({"raw": "2005 Jan 15"}, 2005, "2005-01-15"),
        ({"literal": "2019/12/01"}, 2019, "2019-12-01"),
        ("2011-07-03", 2011, "2011-07-03"),
        ({"date-parts": [["2011-07-03"]]}, 2011, "2011-07-03"),
        ({"date-parts": [[None]]}, None, None),
    ],
)
def test_dates(tmp_path: Path, issued: Any, year: int | None, date: str | None) -> None:
    rec = one(tmp_path, issued=issued)
    assert isinstance(rec, Record) and (rec.year, rec.date) == (year, date)
    assert not rec.issues


def test_one_pretty_printed_item_with_text_after_it(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(item(DOI="10.1000/a"), indent=2) + "\n}junk\n", encoding="utf-8")
    results = read(path)
    assert [r.doi for r in records(results)] == ["10.1000/a"]
    (bad,) = rejects(results)
    assert str(bad.error) == "one.json: line 6: unexpected text after the JSON value"


def test_a_date_that_is_no_date_is_a_warning(tmp_path: Path) -> None:
    rec = one(tmp_path, issued={"date-parts": [["spring"]]})
    assert isinstance(rec, Record) and rec.year is None
    assert [i.field for i in rec.issues] == ["issued.date-parts"]


def test_names(tmp_path: Path) -> None:
    authors = [
        {"family": "张", "given": "三"},
        {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
        {"literal": "World Health Organization"},
        {"family": "", "given": ""},
    ]
    rec = one(tmp_path, author=authors, editor=[{"family": "Editor", "given": "E."}])
    assert isinstance(rec, Record)
    assert [(a.name, a.family, a.given) for a in rec.authors] == [
        ("张三", "张", "三"),
        ("Ludwig van Beethoven", "Beethoven", "Ludwig"),
        ("Vincent van Gogh", "van Gogh", "Vincent"),
        ("World Health Organization", None, None),
    ]
    assert [i.field for i in rec.issues] == ["author[4]"]


def test_issns_keywords_language_and_pmid(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        ISSN="0028-0836, 1476-4687",
        keyword="sequencing; genome, plants; 基因组",
        language="zh-CN",
        title="基因组测序方法 DNA",
        PMID="PMID: 0123",
    )
    assert isinstance(rec, Record) and rec.journal is not None
    assert rec.journal.issns_unknown == ["0028-0836", "1476-4687"]
    assert rec.keywords == [("sequencing", "und"), ("genome, plants", "und"), ("基因组", "zh")]
    assert rec.titles == [("基因组测序方法 DNA", "zh")]
    assert rec.pmid == "123"
    listed = one(tmp_path, ISSN=["1742-5689", "nonsense"], PMID="n/a", language="Klingon!")
    assert isinstance(listed, Record) and listed.journal is not None
    assert listed.journal.issns_unknown == ["1742-5689"]
    assert {i.field for i in listed.issues} == {"ISSN[1]", "PMID", "language"}
    kana = one(tmp_path, language="zh-CN", title="光コヒーレンス断層")
    assert isinstance(kana, Record) and kana.titles == [("光コヒーレンス断層", "ja")]


def test_retracted_title(tmp_path: Path) -> None:
    rec = one(tmp_path, title="RETRACTED: A study", DOI="10.1000/r")
    assert isinstance(rec, Record)
    assert rec.titles == [("A study", "und")]
    assert rec.shown_title == ("RETRACTED: A study", "und")
    assert [s.kind for s in rec.statuses] == ["retracted"]


# --- robustness: mutated real samples -------------------------------------------------


@pytest.mark.parametrize("original", FILES, ids=lambda p: p.name)
def test_mutated_samples_are_read_or_rejected(tmp_path: Path, original: Path) -> None:
    mapper = Mapper(IriMinter())
    data = original.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}.json"
        path.write_bytes(mutated)
        started = time.monotonic()
        try:
            results = list(read_source(SourceFile(path, path.name, "csl")))
        except KgError:  # a whole-file error, reported as one line
            results = []
        assert time.monotonic() - started < 10, f"mutation {i} too slow"
        for result in results:
            assert isinstance(result, Record | Reject | Skipped)
            if isinstance(result, Reject):
                assert str(result.error).startswith(path.name), result.error
            if isinstance(result, Record):
                mapper.map_record(result)  # what was read maps without error
