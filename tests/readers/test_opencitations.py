"""OpenCitations Meta CSV rows and OpenCitations Index citation rows: every sample, every column."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildReport, build
from kg.errors import Location, RecordError
from kg.readers import Skipped, detect_reader
from kg.readers.opencitations import parse_row, split_bracketed, split_names
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS / "data" / "samples" / "opencitations_meta"
INPUT = SAMPLES / "input_csv"
SYNTH = SAMPLES / "paired_synthetic"
ENDGAME = INPUT / "endgame_4.csv"
METADATA = INPUT / "example_metadata.csv"
CITATIONS = INPUT / "example_citations.csv"
REAL = INPUT / "real_data.csv"
RU = INPUT / "test_data_collect_identifiers_ru.csv"
BASE = "https://example.org/kg/"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oco: <https://w3id.org/oc/ontology/>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
"""
HEADER = "id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor"
COLUMNS = HEADER.split(",")


def run(tmp_path: Path, *sources: Path, validate: bool = True) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build(list(sources), out, validate=validate)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    assert isinstance(result, ox.QuerySolutions)
    return [{str(v)[1:]: s[v].value for v in result.variables if s[v] is not None} for s in result]


def row(**cells: str) -> dict[str, str]:
    base = {
        "id": "doi:10.5555/oc.1",
        "title": "A title",
        "author": "",
        "pub_date": "2020",
        "venue": "A Journal [issn:2305-8420]",
        "volume": "",
        "issue": "",
        "page": "",
        "type": "journal article",
        "publisher": "",
        "editor": "",
    }
    return base | cells


def parse(**cells: str) -> Record:
    result = parse_row(row(**cells), Location("oc.csv", "row 1 (line 2)"))
    assert isinstance(result, Record)
    return result


def reject(**cells: str) -> RecordError:
    with pytest.raises(RecordError) as info:
        parse_row(row(**cells), Location("oc.csv", "row 1 (line 2)"))
    return info.value


def warnings(rec: Record) -> list[tuple[str, str]]:
    return [(i.field, i.message) for i in rec.issues]


# --- every sample -----------------------------------------------------------------------------

SAMPLE_FILES = sorted(SAMPLES.rglob("*.csv"))
# sample -> (records read, built, skipped per kind)
FIGURES: dict[str, tuple[int, int, dict[str, int]]] = {
    "endgame_4.csv": (1051, 1051, {}),
    "example_citations.csv": (11, 0, {}),  # citations: records that describe no work (1 rejected)
    "example_metadata.csv": (13, 13, {}),
    "real_data.csv": (0, 0, {"other": 3}),
    "test_data_collect_identifiers_ru.csv": (10, 10, {}),
    "testcase_01_input.csv": (2, 2, {}),
    "testcase_04_input.csv": (2, 2, {}),
    "testcase_06_input.csv": (
        14,
        14,
        {
            "book part": 1,
            "book series": 1,
            "book set": 1,
            "journal": 1,
            "journal issue": 1,
            "journal volume": 1,
            "proceedings": 1,
            "series": 2,
            "standard": 1,
        },
    ),
    "testcase_07_input.csv": (3, 3, {"journal": 1, "journal issue": 1, "journal volume": 1}),
    "testcase_10_input.csv": (2, 2, {"book series": 2}),
}

# rows rejected in a sample: OpenCitations Meta's example has a work that cites itself
REJECTED = {
    "example_citations.csv": [
        "example_citations.csv: row 3 (line 4) [10.24113/ijohmn.v7i4.235]: field 'cited_id': "
        "the work cites itself: citing and cited name the same work"
    ]
}


def test_the_samples_are_all_there() -> None:
    assert sorted(p.name for p in SAMPLE_FILES) == sorted(FIGURES)


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_builds_conforms_and_has_its_figures(tmp_path: Path, sample: Path) -> None:
    _, report = run(tmp_path, sample)
    assert report.files[0].reader == "opencitations"
    rejected = [str(r.error) for r in report.rejects]
    assert rejected == REJECTED.get(sample.name, [])
    assert report.validation is not None and report.validation.conforms, report.summary()
    if not rejected:
        assert report.exit_code == 0
    records, built, skipped = FIGURES[sample.name]
    assert (report.records, report.built, dict(report.files[0].skipped)) == (
        records,
        built,
        skipped,
    )


def test_both_headers_are_told_apart_from_other_csv(tmp_path: Path) -> None:
    assert detect_reader(METADATA) == "opencitations"
    assert detect_reader(CITATIONS) == "opencitations"
    assert detect_reader(RU) == "opencitations"  # unquoted header


# --- exact values from the samples ------------------------------------------------------------


def test_the_russian_journal_article(tmp_path: Path) -> None:
    store, _ = run(tmp_path, RU)
    art = f"{BASE}doi/10.17759/chp.2024200411"
    [found] = select(
        store,
        f"""SELECT ?title ?year ?date ?first ?last ?range ?issue ?volume ?journal ?jtitle
            ?print ?online ?publisher WHERE {{
            <{art}> a fabio:JournalArticle ; dcterms:title ?title ;
                fabio:hasPublicationYear ?year ; prism:publicationDate ?date ;
                prism:startingPage ?first ; prism:endingPage ?last ; prism:pageRange ?range ;
                frbr:partOf ?i .
            ?i a fabio:JournalIssue ; prism:issueIdentifier ?issue ; frbr:partOf ?v .
            ?v a fabio:JournalVolume ; prism:volume ?volume ; frbr:partOf ?journal .
            ?journal a fabio:Journal ; dcterms:title ?jtitle ;
                datacite:hasIdentifier [ literal:hasLiteralValue ?print ] ,
                    [ literal:hasLiteralValue ?online ] ;
                dcterms:publisher [ foaf:name ?publisher ] .
            FILTER(?print < ?online) }}""",
    )
    assert found == {
        "title": "Using Simulation Games to Teach History to Students Using Paradigm of "
        "Cultural-Historical Psychology",
        "year": "2024",
        "date": "2024-12-25",
        "first": "94",
        "last": "102",
        "range": "94-102",
        "issue": "4",
        "volume": "20",
        "journal": f"{BASE}journal/issn/1816-5435",
        "jtitle": "Cultural-Historical Psychology",
        "print": "1816-5435",
        "online": "2224-8935",
        "publisher": "Moscow State University of Psychology and Education",
    }
    authors = select(
        store,
        f"""SELECT ?name ?family ?given WHERE {{
            <{art}> pro:isDocumentContextFor ?role .
            ?role pro:isHeldBy [ foaf:name ?name ; foaf:familyName ?family ;
                foaf:givenName ?given ] .
            FILTER NOT EXISTS {{ ?before oco:hasNext ?role }} }}""",
    )
    assert authors == [{"name": "A.M. Nurgaliyeva", "family": "Nurgaliyeva", "given": "A.M."}]


def test_unicode_is_kept_exactly() -> None:
    rows = _rows(RU)
    rec = parse_row(rows[2], Location("ru.csv", "row 3"))
    assert isinstance(rec, Record)
    assert rec.titles == [
        ("Avrupa İnsan Hakları Mahkemesi Uygulamasında Prozelitizm ve İstismarı", "und")
    ]
    assert rec.journal is not None
    assert rec.journal.titles == [
        ("Marmara Üniversitesi Hukuk Fakültesi Hukuk Araştırmaları Dergisi", "und")
    ]
    assert rec.journal.issns() == ["2146-0590"]
    assert [(a.family, a.given) for a in rec.authors] == [("Türkoğlu", "Esra")]
    rec = parse_row(_rows(METADATA)[10], Location("m.csv", "row 11"))
    assert isinstance(rec, Record)
    assert [a.name for a in rec.authors] == ["Dieter Kind", "Hermann Kärner"]


def test_an_orcid_from_example_metadata(tmp_path: Path) -> None:
    store, _ = run(tmp_path, METADATA)
    art = f"{BASE}doi/10.1088/0022-3727/39/14/017"
    found = select(
        store,
        f"""SELECT ?n ?name ?orcid WHERE {{
            <{art}> pro:isDocumentContextFor ?role . ?role pro:isHeldBy ?p .
            BIND(IF(EXISTS {{ ?x oco:hasNext ?role }}, 2, 1) AS ?n)
            ?p foaf:name ?name .
            OPTIONAL {{ ?p datacite:hasIdentifier [ datacite:usesIdentifierScheme datacite:orcid ;
                literal:hasLiteralValue ?orcid ] }} }} ORDER BY ?n""",
    )
    assert found == [
        {"n": "1", "name": "Carolynne Montijn"},
        {"n": "2", "name": "Ute Ebert", "orcid": "0000-0003-3891-6869"},
    ]


def test_example_metadata_kinds_and_rows_without_id(tmp_path: Path) -> None:
    store, report = run(tmp_path, METADATA)
    kinds = select(
        store,
        "SELECT ?c (COUNT(?w) AS ?n) WHERE { ?w a ?c . "
        "VALUES ?c { fabio:JournalArticle fabio:BookChapter fabio:Book } } GROUP BY ?c ORDER BY ?c",
    )
    assert kinds == [
        {"c": "http://purl.org/spar/fabio/Book", "n": "3"},  # one row, two chapters' books
        {"c": "http://purl.org/spar/fabio/BookChapter", "n": "2"},
        {"c": "http://purl.org/spar/fabio/JournalArticle", "n": "10"},
    ]
    # each chapter is part of its book, which keeps the venue's title and ISBNs
    books = select(
        store,
        "SELECT DISTINCT ?title ?isbn WHERE { "
        "?ch a fabio:BookChapter ; frbr:partOf ?b . ?b a fabio:Book ; dcterms:title ?t ; "
        "datacite:hasIdentifier/literal:hasLiteralValue ?isbn . BIND(STR(?t) AS ?title) } "
        "ORDER BY ?title ?isbn",
    )
    assert [(b["title"], b["isbn"]) for b in books] == [
        ("Insulation of High-Voltage Equipment", "9783642058530"),
        ("Insulation of High-Voltage Equipment", "9783662079188"),
        ("Physics and Applications of Pseudosparks", "9781461366874"),
        ("Physics and Applications of Pseudosparks", "9781461537861"),
    ]
    # two rows have no id: they are named by journal, volume, issue and first page
    no_doi = select(
        store,
        """SELECT ?title ?page WHERE { ?w a fabio:JournalArticle ; dcterms:title ?title ;
            prism:startingPage ?page FILTER NOT EXISTS { ?w prism:doi ?d } } ORDER BY ?page""",
    )
    assert no_doi == [
        {
            "title": "Spatial Distribution of Ion Current Around HVDC Bundle Conductors",
            "page": "380",
        },
        {"title": "Space-charge effects in high-density plasmas", "page": "454"},
    ]
    # a book chapter gets no journal: its venue is a book, named by its smallest ISBN
    chapter = f"{BASE}doi/10.1007/978-3-662-07918-8_3"
    assert select(store, f"SELECT ?c WHERE {{ <{chapter}> frbr:partOf ?c }}") == [
        {"c": f"{BASE}book/isbn/9783642058530"}
    ]
    assert report.issues == []


def test_endgame_first_row_and_article_number_pages() -> None:
    rows = _rows(ENDGAME)
    rec = parse_row(rows[0], Location("endgame_4.csv", "row 1"))
    assert isinstance(rec, Record)
    assert rec.doi == "10.1016/j.adaj.2022.08.008"
    assert (rec.year, rec.date, rec.volume, rec.issue) == (2022, None, "153", "12")
    assert [(a.family, a.orcid) for a in rec.authors] == [
        ("Baraka", "0000-0001-7259-5515"),
        ("Tekeya", None),
        ("Bakry", None),
        ("Fontana", "0000-0003-2357-7534"),
    ]
    # "1121-1133-1" is not a range first-last: first page and the range as printed
    assert (rec.first_page, rec.last_page, rec.page_range) == ("1121", None, "1121-1133-1")
    assert warnings(rec) == [
        (
            "page",
            "'1121-1133-1' is not a range first-last; kg kept the first page 1121 "
            "and the range as printed",
        )
    ]
    pages = {}
    for i, r in enumerate(rows):
        if r["page"] == "209-1-209-16":
            result = parse_row(r, Location("endgame_4.csv", f"row {i + 1}"))
            assert isinstance(result, Record)
            pages[r["page"]] = (result.first_page, result.last_page, result.issues)
    assert pages == {"209-1-209-16": ("209-1", "209-16", [])}


def test_endgame_group_authors_keep_their_name() -> None:
    rows = _rows(ENDGAME)
    group = next(r for r in rows if "the SAGES II Study Group" in r["author"])
    rec = parse_row(group, Location("endgame_4.csv", "row"))
    assert isinstance(rec, Record)
    last = rec.authors[-1]
    assert (last.name, last.family, last.given) == ("the SAGES II Study Group", None, None)


def test_endgame_two_issns_on_every_journal_that_lists_two() -> None:
    rows = _rows(ENDGAME)
    two = [r for r in rows if r["venue"].count("issn:") == 2]
    assert len(two) == 614
    for i, r in enumerate(two):
        rec = parse_row(r, Location("endgame_4.csv", f"row {i}"))
        assert isinstance(rec, Record) and rec.journal is not None
        listed = [
            w.split(":", 1)[1].rstrip("]")
            for w in r["venue"].split()
            if w.startswith("[issn:") or w.startswith("issn:")
        ]
        assert rec.journal.issns() == listed


def test_synthetic_types_volume_issue_and_ids(tmp_path: Path) -> None:
    store, report = run(tmp_path, SYNTH / "testcase_06_input.csv")
    found = select(
        store,
        "SELECT ?t ?c WHERE { ?w a ?c ; dcterms:title ?t "
        'FILTER(?c != fabio:Journal && STRSTARTS(STR(?t), "Title")) }',
    )
    # what each work is part of: a journal, a book, proceedings, a report's series
    venues = select(
        store,
        "SELECT ?t ?v ?c WHERE { ?w dcterms:title ?t ; frbr:partOf+ ?x . "
        "?x a ?c ; dcterms:title ?vt BIND(STR(?vt) AS ?v) } ORDER BY ?t",
    )
    assert [(v["t"], v["v"], v["c"].rsplit("/", 1)[1]) for v in venues] == [
        ("Title13", "Venue13", "Journal"),
        ("Title17", "Venue17", "AcademicProceedings"),
        ("Title2", "Venue2", "Book"),
        ("Title22", "Venue22", "Series"),
    ]
    classes = sorted(found, key=lambda c: int(c["t"][5:]))
    assert [(c["t"], c["c"].rsplit("/", 1)[1]) for c in classes] == [
        ("Title1", "Book"),
        ("Title2", "BookChapter"),
        ("Title4", "Book"),
        ("Title7", "Book"),
        ("Title8", "Book"),
        ("Title9", "Dataset"),
        ("Title10", "Thesis"),
        ("Title11", "Book"),
        ("Title13", "JournalArticle"),
        ("Title16", "Book"),
        ("Title17", "ProceedingsPaper"),
        ("Title19", "Book"),
        ("Title20", "Book"),
        ("Title22", "ReportDocument"),
    ]

    rec = parse_row(_rows(SYNTH / "testcase_04_input.csv")[0], Location("t4.csv", "row 1"))
    assert isinstance(rec, Record)
    # 10.001/b-1 is not a DOI to kg: left out with a warning, the second DOI is used
    assert rec.doi == "10.0001/2"
    assert (rec.volume, rec.issue, rec.year, rec.date) == ("6", "5-6", 1995, None)
    assert rec.journal is not None and rec.journal.issns() == ["1479-6708"]
    assert rec.journal.publisher is not None
    assert rec.journal.publisher.names == [("Pub1", "und")]
    assert [(a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Surname1", "Name1", "0000-0003-0530-4305"),
        ("Surname2", "Name2", "0000-0002-8420-0696"),
    ]
    assert warnings(rec) == [("id", "'10.001/b-1' is not a DOI kg can use (10.NNNN/...); left out")]

    rec = parse_row(_rows(SYNTH / "testcase_04_input.csv")[1], Location("t4.csv", "row 2"))
    assert isinstance(rec, Record)
    assert (rec.kind, rec.pmid, rec.doi, rec.journal) == ("book-chapter", "11111111", None, None)


def test_citation_rows_state_citations_and_describe_no_work() -> None:
    # tests/readers/test_references.py has the rest: the Index's columns, bad cells
    rows = [r for r in _rows(CITATIONS) if r["citing_id"] != r["cited_id"]]  # one cites itself
    assert len(rows) == 10
    results = [parse_row(row, Location("c.csv", f"row {i}")) for i, row in enumerate(rows, 1)]
    assert all(isinstance(r, Record) and not r.describes for r in results)
    for row, rec in zip(rows, results, strict=True):
        assert isinstance(rec, Record)
        assert rec.doi == row["citing_id"].removeprefix("doi:").lower()
        (ref,) = rec.references
        assert ref.doi == row["cited_id"].removeprefix("doi:").lower()
        assert ref.created == (row["citing_publication_date"] or None)


# --- columns, one by one ----------------------------------------------------------------------


def test_fields() -> None:
    rec = parse(
        id="doi:10.5555/OC.1 pmid:0038034492 url:https://example.org/w isbn:9783319444536",
        title="Growth of <i>E. coli</i>",
        author="Massari, Arcangelo [orcid:0000-0002-8420-0696 viaf:1]; MIT Press; Min, ",
        pub_date="2024-01-22",
        venue="Quantitative Science Studies [issn:2641-3337 omid:br/1]",
        volume="5",
        issue="1",
        page="50–75",
        publisher="MIT Press [crossref:281 ror:01111rn36 wikidata:q1]",
        editor="Peroni, Silvio",
    )
    assert rec.origin == Location("oc.csv", "row 1 (line 2) [10.5555/oc.1]")
    assert (rec.doi, rec.pmid, rec.url) == ("10.5555/oc.1", "38034492", "https://example.org/w")
    assert rec.titles == [("Growth of E. coli", "und")]
    assert (rec.year, rec.date) == (2024, "2024-01-22")
    assert (rec.volume, rec.issue) == ("5", "1")
    assert (rec.first_page, rec.last_page, rec.page_range) == ("50", "75", "50-75")
    assert [(a.name, a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Arcangelo Massari", "Massari", "Arcangelo", "0000-0002-8420-0696"),
        ("MIT Press", None, None, None),
        ("Min", "Min", None, None),
    ]
    j = rec.journal
    assert j is not None
    assert (j.titles, j.issns()) == ([("Quantitative Science Studies", "und")], ["2641-3337"])
    assert j.publisher is not None
    assert (j.publisher.names, j.publisher.ror, j.publisher.wikidata) == (
        [("MIT Press", "und")],
        "01111rn36",
        "Q1",
    )
    assert rec.issues == []


@pytest.mark.parametrize(
    ("oc_type", "kind"),
    [
        ("journal article", "journal-article"),
        ("Journal Article", "journal-article"),
        ("book chapter", "book-chapter"),
        ("proceedings article", "proceedings-article"),
        ("book", "book"),
        ("edited book", "book"),
        ("monograph", "book"),
        ("reference book", "book"),
        ("report", "report"),
        ("dissertation", "thesis"),
        ("dataset", "dataset"),
        ("data file", "dataset"),
        ("reference entry", "reference-entry"),
    ],
)
def test_types(oc_type: str, kind: str) -> None:
    rec = parse(type=oc_type, volume="3", issue="2")
    assert rec.kind == kind
    if kind != "journal-article":  # the venue is a book, a proceedings, a series: not mapped
        assert (rec.journal, rec.volume, rec.issue) == (None, None, None)


@pytest.mark.parametrize(
    "oc_type",
    [
        "journal",
        "journal issue",
        "journal volume",
        "book series",
        "book part",
        "peer review",
        "web content",
        "standard",
        "other",
        "",
    ],
)
def test_types_kg_does_not_map_are_skipped(oc_type: str) -> None:
    result = parse_row(row(type=oc_type), Location("oc.csv", "row 1"))
    assert result == Skipped(oc_type or "no type", Location("oc.csv", "row 1"))


def test_a_retracted_title() -> None:
    rec = parse(title="RETRACTED: Cluster management model")
    assert rec.titles == [("Cluster management model", "und")]
    assert rec.shown_title == ("RETRACTED: Cluster management model", "und")
    assert [(s.kind, [src.name for src in s.sources]) for s in rec.statuses] == [
        ("retracted", ["OpenCitations Meta"])
    ]


def test_partial_dates_give_the_year() -> None:
    assert (parse(pub_date="2025-2").year, parse(pub_date="2025-2").date) == (2025, None)
    assert parse(pub_date="2022-10-1").date == "2022-10-01"
    assert (parse(pub_date="").year, parse(pub_date="").date) == (None, None)


def test_issns() -> None:
    j = parse(venue="J [issn:1816-5435 issn:2224-8935]").journal
    assert j is not None
    # the column does not say print or online, and kg does not guess
    assert (j.issn_print, j.issn_online, j.issns_unknown) == (
        None,
        None,
        ["1816-5435", "2224-8935"],
    )
    rec = parse(venue="J [issn:2305-8420 issn:2312-6442 issn:1816-5435]")
    assert rec.journal is not None
    assert rec.journal.issns() == ["1816-5435", "2305-8420", "2312-6442"]  # sorted
    assert warnings(rec) == []
    rec = parse(venue="J [issn:2312-6443]")
    assert rec.journal is not None and rec.journal.issns() == ["2312-6443"]
    assert warnings(rec) == [
        (
            "venue",
            "ISSN 2312-6443 has a wrong check digit; kept as given, and validation will flag it",
        )
    ]
    rec = parse(venue="J [issn:0000-0000]")
    assert rec.journal is not None and rec.journal.issns() == []
    assert warnings(rec)[0][0] == "venue"
    # brackets that are part of the title
    j = parse(venue="Annals [Internet] [issn:2305-8420]").journal
    assert j is not None and j.titles == [("Annals [Internet]", "und")]
    # an ISSN alone names the journal
    j = parse(venue="[issn:2305-8420]").journal
    assert j is not None and (j.titles, j.issns()) == ([], ["2305-8420"])
    assert parse(venue="", publisher="").journal is None


def test_bad_ids_are_warnings_when_the_rest_is_fine() -> None:
    rec = parse(id="doi:10.5555/a doi:10.5555/b pmid:PMC1 url:www.example.com 10.5555/c")
    assert (rec.doi, rec.pmid, rec.url) == ("10.5555/a", None, None)
    assert warnings(rec) == [
        ("id", "a second DOI 10.5555/b is left out (kg keeps the first, 10.5555/a)"),
        ("id", "'PMC1' is not a PubMed id (digits); left out"),
        ("id", "'www.example.com' is not an absolute URL such as 'https://...'; left out"),
        ("id", "'10.5555/c' is not an identifier written schema:value; left out"),
    ]
    rec = parse(author="Ebert, Ute [orcid:0000-0003-3891-686X]; Roe, Ann [orcid:12345]")
    assert [a.orcid for a in rec.authors] == ["0000-0003-3891-686X", None]
    assert warnings(rec) == [
        (
            "author",
            "author 1 (Ute Ebert): ORCID iD 0000-0003-3891-686X has a wrong check digit; "
            "kept as given, and validation will flag it",
        ),
        ("author", "author 2 (Ann Roe): '12345' is not an ORCID iD; left out"),
    ]
    rec = parse(publisher="P [ror:nope]")
    assert warnings(rec) == [("publisher", "'nope' is not a ROR id; left out")]


@pytest.mark.parametrize(
    ("cells", "field", "problem"),
    [
        ({"title": "", "id": ""}, "title", "the row has no title and no DOI"),
        ({"pub_date": "2024-13-01"}, "pub_date", "'2024-13-01' has no month 13"),
        ({"pub_date": "Jan 2024"}, "pub_date", "'Jan 2024' is not a date"),
        ({"venue": "J [issn:12345]"}, "venue", "'12345' is not an ISSN (expected NNNN-NNNC)"),
        ({"venue": "J [issn:2305-8420"}, "venue", "a '[' without its ']'"),
        ({"venue": "J issn:2305-8420]"}, "venue", "a ']' without its '['"),
        ({"venue": "J [issn:2305-8420 [x]]"}, "venue", "brackets inside brackets"),
        ({"venue": "J [issn:2305-8420 print]"}, "venue", "'print', which is not schema:value"),
        ({"author": "Roe, Ann [orcid:0000-0003-3891-6869; Doe, J"}, "author", "a '[' without"),
        ({"author": "Roe, Ann [orcid:]"}, "author", "'orcid:' is not an identifier"),
        ({"publisher": "P [crossref:1"}, "publisher", "a '[' without its ']'"),
        ({"title": "bad \x01 char"}, "title", "control or invalid character U+0001"),
    ],
)
def test_unusable_cells_reject_the_row_naming_the_column(
    cells: dict[str, str], field: str, problem: str
) -> None:
    error = reject(**cells)
    assert error.location.field == field
    assert problem in error.problem
    assert str(error).startswith("oc.csv: row 1 (line 2)")


def test_a_short_row_is_rejected() -> None:
    cells: dict[str, Any] = row()
    cells["type"] = cells["publisher"] = cells["editor"] = None
    with pytest.raises(RecordError) as info:
        parse_row(cells, Location("oc.csv", "row 1"))
    assert info.value.location.field == "type"
    assert "the row ends before this column" in info.value.problem


def test_pages() -> None:
    assert (parse(page="e0123").first_page, parse(page="e0123").last_page) == ("e0123", None)
    rec = parse(page="209-1-209-16")
    assert (rec.first_page, rec.last_page, rec.page_range, rec.issues) == (
        "209-1",
        "209-16",
        "209-1-209-16",
        [],
    )
    rec = parse(page="12 13")
    assert rec.first_page is None and warnings(rec)[0][0] == "page"


def test_helpers() -> None:
    assert split_names("A, B [orcid:1;2]; C") == ["A, B [orcid:1;2]", "C"]
    assert split_names(" ; ") == []
    assert split_bracketed("Pub [crossref:1 ROR:01111rn36]") == (
        "Pub",
        [("crossref", "1"), ("ror", "01111rn36")],
    )
    assert split_bracketed("X []") == ("X", [])


# --- damaged files ----------------------------------------------------------------------------


def test_a_truncated_file_keeps_the_rows_before_the_break(tmp_path: Path) -> None:
    text = METADATA.read_text(encoding="utf-8")
    src = tmp_path / "cut.csv"
    src.write_text(text[: text.index("Diffusion correction") + 10], encoding="utf-8")
    _, report = run(tmp_path, src)
    assert report.built == 9
    [bad] = report.rejects
    assert str(bad.error) == "cut.csv: line 10: broken CSV: unexpected end of data"


def test_a_line_cut_short_is_rejected_alone(tmp_path: Path) -> None:
    lines = RU.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][: lines[4].index("Red mud used") + 20]  # row 4 loses its last cells
    src = tmp_path / "short.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, report = run(tmp_path, src)
    assert (report.records, report.built) == (10, 9)
    [bad] = report.rejects
    assert str(bad.error) == (
        "short.csv: row 4 (line 5): field 'author': the row ends before this column "
        "(a cut-off line?)"
    )
    assert report.validation is not None and report.validation.conforms


def test_a_mutated_bracket_rejects_its_row_and_the_others_are_read(tmp_path: Path) -> None:
    text = RU.read_text(encoding="utf-8")
    src = tmp_path / "mutated.csv.gz"
    src.write_bytes(
        gzip.compress(text.replace("issn:2224-8935],20,4,94", "issn:2224-8935,20,4,94").encode())
    )
    store, report = run(tmp_path, src)
    assert (report.records, report.built) == (10, 9)
    [bad] = report.rejects
    assert str(bad.error) == (
        "mutated.csv.gz: row 1 (line 2) [10.17759/chp.2024200411]: field 'venue': "
        "a '[' without its ']' in 'Cultural-Historical Psychology [issn:1816-5435 "
        "issn:2224-8935' (cut off?)"
    )
    assert bad.raw is not None and bad.raw["id"] == "doi:10.17759/chp.2024200411"
    # the other article of the same journal is still there
    assert select(
        store,
        f"SELECT ?j WHERE {{ <{BASE}doi/10.17759/chp.2024200412> "
        "frbr:partOf/frbr:partOf/frbr:partOf ?j }",
    ) == [{"j": f"{BASE}journal/issn/1816-5435"}]


def test_builds_are_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    build([SAMPLES], a / "out.nt", validate=False)
    build([SAMPLES], b / "out.nt", validate=False)
    assert (a / "out.nt").read_bytes() == (b / "out.nt").read_bytes()


def _rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_row_without_a_title_is_kept_when_an_identifier_names_it() -> None:
    rec = parse(title="")
    assert rec.titles == [] and rec.doi == "10.5555/oc.1"
    book = parse(title="", id="isbn:9783642058530", type="book", venue="")
    assert book.isbns is not None and book.isbns.all() == ["9783642058530"]
