"""RIS and BibTeX exports: the real Scopus samples field by field, Web of Science- and
PubMed-style fixtures, and broken files that must give clean rejects."""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildReport, build
from kg.readers import Reject, Skipped, SourceFile, bibtex, detect_reader, exports, read_source, ris
from kg.records import Record

TESTS = Path(__file__).resolve().parent.parent
RIS_SAMPLE = TESTS / "data" / "samples" / "ris" / "litsearchr" / "scopus_92.ris"
BIB_SAMPLE = TESTS / "data" / "samples" / "bibtex" / "litsearchr" / "scopus_final_first200.bib"
CASES = TESTS / "cases" / "formats"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oco: <https://w3id.org/oc/ontology/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
"""

Result = Record | Reject | Skipped


def read_ris(path: Path) -> list[Result]:
    return list(ris.read(path, path.name))


def read_bib(path: Path) -> list[Result]:
    return list(bibtex.read(path, path.name))


def records(results: list[Result]) -> list[Record]:
    return [r for r in results if isinstance(r, Record)]


def rejects(results: list[Result]) -> list[Reject]:
    return [r for r in results if isinstance(r, Reject)]


def by_doi(results: list[Result], doi: str) -> Record:
    found = [r for r in records(results) if r.doi == doi]
    assert len(found) == 1, doi
    return found[0]


def by_key(results: list[Result], key: str) -> Record:
    found = [r for r in records(results) if f"[{key}]" in (r.origin.record or "")]
    assert len(found) == 1, key
    return found[0]


def run(tmp_path: Path, *sources: Path) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build(list(sources), out, validate=True)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    return [
        {str(v)[1:]: s[v].value for v in result.variables if s[v] is not None}  # type: ignore[union-attr]
        for s in result
    ]


def names(rec: Record) -> list[str]:
    return [a.name for a in rec.authors]


# --- the real Scopus RIS sample ---------------------------------------------


def test_ris_sample_every_record_comes_through() -> None:
    got = read_ris(RIS_SAMPLE)
    assert len(got) == 92
    assert rejects(got) == [] and all(isinstance(r, Record) for r in got)
    assert Counter(r.kind for r in records(got)) == {
        "journal-article": 86,  # the erratum stays an article: it names no corrected work
        "proceedings-article": 5,
        "book-chapter": 1,
    }
    assert detect_reader(RIS_SAMPLE) == "ris"


def test_ris_sample_first_record_field_by_field() -> None:
    rec = by_doi(read_ris(RIS_SAMPLE), "10.1016/j.foreco.2019.117694")
    assert rec.origin.record == "record 1 (line 1) [10.1016/j.foreco.2019.117694]"
    assert rec.kind == "journal-article"
    assert rec.titles == [
        (
            "Black-backed woodpecker occupancy in burned and beetle-killed forests: "
            "Disturbance agent matters",
            "und",
        )
    ]
    assert rec.year == 2020 and rec.date is None
    assert rec.journal is not None
    assert rec.journal.titles == [("Forest Ecology and Management", "und")]
    assert rec.volume == "455" and rec.issue is None
    assert rec.first_page == "117694"  # C7, Scopus' article number
    assert names(rec) == [
        "M.W. Tingley",
        "A.N. Stillman",
        "R.L. Wilkerson",
        "S.C. Sawyer",
        "R.B. Siegel",
    ]
    assert (rec.authors[0].family, rec.authors[0].given) == ("Tingley", "M.W.")
    # Scopus lists institutions without saying whose: they belong to the work
    assert all(a.affiliations == [] for a in rec.authors)
    assert [o.names[0][0] for o in rec.affiliations] == [
        "Ecology & Evolutionary Biology, University of Connecticut, 75 N. Eagleville Road, "
        "Unit 3043, Storrs, CT 06269, United States",
        "The Institute for Bird Populations, P.O. Box 1346, Point Reyes StationCA 94956, "
        "United States",
        "USDA Forest Service, Pacific Southwest Region, Vallejo, CA 94592, United States",
    ]
    assert [k for k, _ in rec.keywords] == [
        "Bark beetle",
        "California",
        "Drought",
        "Habitat",
        "Occupancy",
        "Picoides arcticus",
        "Wildfire",
    ]
    assert rec.abstracts[0][0].startswith("In the western United States, the black-backed")
    assert rec.abstracts[0][0].endswith("© 2019 Elsevier B.V.")
    assert rec.url is not None and rec.url.startswith(
        "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85074800841"
    )


def test_ris_sample_chapter_serial_and_unicode_names() -> None:
    got = read_ris(RIS_SAMPLE)
    chapter = by_doi(got, "10.1016/b978-0-12-802749-3.00003-7")
    assert chapter.kind == "book-chapter" and chapter.journal is None
    assert (chapter.first_page, chapter.last_page, chapter.page_range) == ("55", "88", "55-88")
    assert names(chapter) == ["R.L. Hutto", "M.L. Bond", "D.A. DellaSala"]
    # TY SER with Scopus' M3 "Conference Paper": a paper in a book series
    serial = next(r for r in records(got) if r.titles[0][0].startswith("Bird responses to burn"))
    assert serial.kind == "proceedings-article" and serial.doi is None
    assert serial.page_range == "97-115" and serial.year == 2005
    assert serial.affiliations[0].names[0][0] == (
        "Département des Sciences Biologiques, Université du Québec À Montréal, Montréal, "
        "Que. H3C 3P8, Canada"
    )
    all_names = {a.name for r in records(got) for a in r.authors}
    assert {"G. Valkiūnas", "Á. Casas", "C. Ramírez"} <= all_names


def test_ris_sample_builds_and_conforms(tmp_path: Path) -> None:
    store, report = run(tmp_path, RIS_SAMPLE)
    assert report.records == 92 and report.rejects == []
    assert report.validation is not None and report.validation.conforms
    rows = select(
        store,
        """SELECT ?name WHERE {
            ?w prism:doi "10.1016/j.foreco.2019.117694" ; pro:isDocumentContextFor ?role .
            ?role pro:isHeldBy ?p . ?p foaf:name ?name .
            FILTER NOT EXISTS { ?other oco:hasNext ?role } }""",
    )
    assert rows == [{"name": "M.W. Tingley"}]  # the first author: no role before it


# --- the real Scopus BibTeX sample ------------------------------------------


def test_bibtex_sample_every_entry_comes_through() -> None:
    got = read_bib(BIB_SAMPLE)
    assert len(got) == 200
    assert rejects(got) == [] and all(isinstance(r, Record) for r in got)
    assert Counter(r.kind for r in records(got)) == {
        "journal-article": 196,
        "book-chapter": 2,  # @BOOK with document_type = {Book Chapter}
        "proceedings-article": 2,
    }
    assert Counter(r.language for r in records(got)) == {
        "en": 192,
        "de": 4,
        "zh": 2,
        "pl": 1,
        "es": 1,
    }
    assert detect_reader(BIB_SAMPLE) == "bibtex"


def test_bibtex_sample_first_entry_field_by_field() -> None:
    rec = by_key(read_bib(BIB_SAMPLE), "Zlonis201970")
    assert rec.origin.record == "entry 1 (line 2) [Zlonis201970] [10.1016/j.foreco.2019.02.043]"
    assert rec.doi == "10.1016/j.foreco.2019.02.043"
    assert rec.titles == [
        (
            "Burn severity and heterogeneity mediate avian response to wildfire in a "
            "hemiboreal forest",
            "en",  # language={English}
        )
    ]
    assert names(rec) == [
        "E.J. Zlonis",
        "N.G. Walton",
        "B.R. Sturtevant",
        "P.T. Wolter",
        "G.J. Niemi",
    ]
    assert (rec.first_page, rec.last_page, rec.page_range) == ("70", "80", "70-80")
    assert rec.year == 2019 and rec.volume == "439" and rec.language == "en"
    assert len(rec.affiliations) == 5
    assert rec.affiliations[0].names == [
        (
            "Wetland Wildlife Populations and Research Group, Minnesota Department of Natural "
            "Resources, 102 23rd St NE, Bemidji, MN 56601, United States",
            "und",
        )
    ]
    # one ISSN, its medium not given: an ISSN of unknown medium, never guessed print
    assert rec.journal is not None
    assert rec.journal.titles == [("Forest Ecology and Management", "und")]
    assert rec.journal.issns_unknown == ["0378-1127"]
    assert (rec.journal.issn_print, rec.journal.issn_online, rec.journal.issn_l) == (None,) * 3
    assert rec.issues == []


def test_bibtex_sample_names_chapters_and_unicode() -> None:
    got = read_bib(BIB_SAMPLE)
    roach = by_key(got, "Roach2019443")
    # Scopus writes "Thompson, F.R., III": the suffix is not a given name
    assert names(roach) == ["M.C. Roach", "F.R. Thompson III", "T. Jones-Farrand"]
    assert (roach.authors[1].family, roach.authors[1].given) == ("Thompson", "F.R.")
    tracz = next(r for r in records(got) if r.authors and r.authors[0].family == "Tracz")
    assert (tracz.authors[3].family, tracz.authors[3].given) == ("Kwaśny", "Ł.")
    chapter = by_key(got, "Symes2017309")
    assert chapter.kind == "book-chapter" and chapter.journal is None
    assert chapter.doi == "10.1007/978-3-319-43314-1_16"
    assert chapter.page_range == "309-341"
    assert names(chapter)[-1] == "B.J. van Rensburg"
    assert (chapter.authors[-1].family, chapter.authors[-1].given) == ("van Rensburg", "B.J.")
    no_author = by_key(got, "NoAuthor2018299")
    assert no_author.authors == [] and no_author.doi == "10.3188/szf.2018.0299"


def test_bibtex_sample_builds_and_conforms(tmp_path: Path) -> None:
    store, report = run(tmp_path, BIB_SAMPLE)
    assert report.records == 200 and report.rejects == []
    assert report.validation is not None and report.validation.conforms
    rows = select(
        store,
        """SELECT ?title WHERE {
            ?w prism:doi "10.1007/978-3-319-43314-1_16" ; a fabio:BookChapter ;
               dcterms:title ?title }""",
    )
    assert rows == [
        {
            "title": "Grassland to urban forest in 150 years: Avifaunal response in an African "
            "metropolis"
        }
    ]


def test_readers_are_deterministic() -> None:
    for reader, path in ((read_ris, RIS_SAMPLE), (read_bib, BIB_SAMPLE)):
        first = [asdict(r) for r in reader(path)]
        assert first == [asdict(r) for r in reader(path)]


# --- Web of Science- and PubMed-style fixtures -------------------------------


def test_ris_web_of_science_style() -> None:
    got = read_ris(CASES / "ris" / "wos_style.ris")
    assert [type(r).__name__ for r in got] == ["Record", "Record", "Skipped"]
    rec = got[0]
    assert isinstance(rec, Record) and rec.journal is not None
    # EI is Web of Science's eISSN, which makes SN the print ISSN
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("0378-1127", "1872-7042")
    assert rec.journal.publisher is not None
    assert rec.journal.publisher.names == [("ELSEVIER", "und")]
    assert rec.date == "2020-01-15"  # DA "JAN 15" with PY 2020
    assert rec.language == "en" and rec.pmid is None  # AN is a WOS accession number
    assert [k for k, _ in rec.keywords] == ["Bark beetle", "Black-backed woodpecker", "Fire"]
    # "[Family, Given; ...] Institution": the export says whose institution it is
    connecticut = "Univ Connecticut, Dept Ecol & Evolutionary Biol, Storrs, CT 06269 USA"
    birds = "Inst Bird Populat, Point Reyes Stn, CA 94956 USA"
    assert [[o.names[0][0] for o in a.affiliations] for a in rec.authors] == [
        [connecticut],
        [connecticut],
        [birds],
        [birds],
    ]
    assert rec.affiliations == []
    assert rec.abstracts[0][0].endswith("style of a Web of Science RIS export.")
    conf = got[1]
    assert isinstance(conf, Record) and conf.kind == "proceedings-article"
    assert conf.doi == "10.1000/sab.2005.97"  # from "https://doi.org/10.1000/sab.2005.97."
    skipped = got[2]
    assert isinstance(skipped, Skipped) and skipped.kind == "PAT"
    assert skipped.origin.record == "record 3 (line 37)"


def test_ris_pubmed_style() -> None:
    got = read_ris(CASES / "ris" / "pubmed_style.ris")
    assert [r.kind for r in records(got)] == [
        "journal-article",
        "book-chapter",
        "preprint",
        "thesis",
        "report",
        "dataset",
        "journal-article",
    ]
    assert rejects(got) == []
    rec = by_doi(got, "10.1093/jxb/erz123")  # from "10.1093/jxb/erz123 [doi]"
    assert rec.pmid == "31234567"  # AN, with DB PubMed
    assert rec.journal is not None
    assert rec.journal.issn_online == "1460-2431"  # "(Electronic)"
    assert rec.journal.issn_l == "0305-8557"  # "(Linking)"
    assert rec.journal.issn_print is None
    assert rec.date == "2019-07-15" and rec.year == 2019
    assert (rec.volume, rec.issue, rec.page_range) == ("70", "15", "3855-3870")
    assert [(a.family, a.given, a.name) for a in rec.authors] == [
        ("Müller", "J", "J Müller"),  # MEDLINE's "Family Initials"
        ("García-López", "María", "María García-López"),
        ("Thompson", "Frank R.", "Frank R. Thompson III"),
    ]
    assert rec.titles == [("Stomatal responses of a model grass to drought", "en")]
    assert rec.shown_title == ("RETRACTED: Stomatal responses of a model grass to drought", "en")
    assert [(s.kind, [src.name for src in s.sources]) for s in rec.statuses] == [
        ("retracted", ["PubMed"])
    ]
    preprint = by_doi(got, "10.48550/arxiv.2101.00001")
    assert preprint.url == "https://arxiv.org/abs/2101.00001"
    # Scopus' "SN  - 14602431 03058557": two ISSNs, neither medium said
    pair = records(got)[-1]
    assert pair.journal is not None
    assert pair.journal.issns_unknown == ["0305-8557", "1460-2431"]
    assert (pair.journal.issn_print, pair.journal.issn_online) == (None, None)


def test_bibtex_web_of_science_style() -> None:
    got = read_bib(CASES / "bibtex" / "wos_style.bib")
    assert [type(r).__name__ for r in got] == ["Record", "Record", "Skipped"]
    rec = got[0]
    assert isinstance(rec, Record) and rec.journal is not None
    assert rec.origin.record == (
        "entry 1 (line 1) [WOS:000502888600011] [10.1016/j.foreco.2019.117694]"
    )
    assert rec.titles[0][0] == (
        "Black-backed woodpecker occupancy in burned and beetle-killed forests: "
        "Disturbance agent matters"
    )
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("0378-1127", "1872-7042")
    assert rec.date == "2020-01-15"  # Month = {JAN 15}
    assert rec.first_page == "117694"  # Article-Number
    assert rec.authors[0].orcid == "0000-0002-1825-0097"  # ORCID-Numbers
    assert [a.orcid for a in rec.authors[1:]] == [None, None, None]
    connecticut = "Univ Connecticut, Dept Ecol & Evolutionary Biol, Storrs, CT 06269 USA"
    birds = "Inst Bird Populat, Point Reyes Stn, CA 94956 USA"
    assert [[o.names[0][0] for o in a.affiliations] for a in rec.authors] == [
        [connecticut],
        [connecticut],
        [birds],
        [birds],
    ]
    assert rec.affiliations == []
    assert [k for k, _ in rec.keywords] == [
        "Bark beetle",
        "Black-backed woodpecker",
        "Fire",
        "HABITAT SELECTION",
    ]
    conf = got[1]
    assert isinstance(conf, Record) and conf.kind == "proceedings-article"
    assert (conf.first_page, conf.last_page) == ("97", "115")  # "97--115"
    assert names(conf) == ["S. J. Hannon", "P. Drapeau"]
    assert isinstance(got[2], Skipped) and got[2].kind == "patent"


def test_bibtex_pubmed_style_latex_and_issn_pair() -> None:
    got = read_bib(CASES / "bibtex" / "pubmed_style.bib")
    assert [type(r).__name__ for r in got] == ["Record"] * 5 + ["Skipped"]
    rec = by_key(got, "pmid31234567")
    # LaTeX decoded to Unicode, braces around capitals dropped
    assert [(a.family, a.given) for a in rec.authors] == [
        ("Müller", "Jörg"),
        ("García-López", "María"),
        ("Thompson", "F.R."),
        (None, None),
    ]
    assert names(rec) == [
        "Jörg Müller",
        "María García-López",
        "F.R. Thompson III",
        "World Health Organization",  # a braced name stays whole
    ]
    assert rec.titles == [("Effects of Picoides on été & Ökologie", "en")]
    assert rec.shown_title == ("RETRACTED: Effects of Picoides on été & Ökologie", "en")
    assert rec.statuses[0].kind == "retracted"
    assert rec.abstracts == [("Drought closes stomata in 50% of plants.", "en")]  # bare %
    assert rec.doi == "10.1093/jxb/erz123"  # from https://doi.org/10.1093/JXB/ERZ123
    assert rec.pmid == "31234567" and rec.language == "en"
    assert rec.journal is not None
    assert rec.journal.titles == [("Journal of Experimental Botany", "und")]  # @string macro
    assert rec.journal.issns_unknown == ["0305-8557", "1460-2431"]
    assert (rec.journal.issn_print, rec.journal.issn_online) == (None, None)
    assert rec.date == "2019-07-15"  # month = jul, day = 15
    assert [o.names[0][0] for o in rec.affiliations] == [
        "Institut für Botanik, Universität Wien, Austria",
        "Universidad de Sevilla, Spain",
    ]
    assert [k for k, _ in rec.keywords] == ["Drought", "Stomata", "Plant physiology"]
    assert by_key(got, "hutto2015").kind == "book-chapter"
    assert by_key(got, "doe2021").kind == "preprint"
    assert by_key(got, "student2017").kind == "thesis"
    assert by_key(got, "agency2016").kind == "report"
    skipped = got[-1]
    assert isinstance(skipped, Skipped) and skipped.kind == "misc"


def test_fixtures_build_and_conform(tmp_path: Path) -> None:
    store, report = run(tmp_path, CASES / "ris", CASES / "bibtex")
    assert report.rejects == []
    assert report.skipped == 3  # TY PAT, @patent, a @misc web page
    assert sorted(k for f in report.files for k in f.skipped.elements()) == [
        "PAT",
        "misc",
        "patent",
    ]
    assert report.validation is not None and report.validation.conforms


ISSN_QUERY = """
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
SELECT ?j ?issn ?print ?online WHERE {
    ?w prism:doi "10.1093/jxb/erz123" ; frbr:partOf+ ?j . ?j a fabio:Journal .
    OPTIONAL { ?j datacite:hasIdentifier ?i .
               ?i datacite:usesIdentifierScheme datacite:issn ; literal:hasLiteralValue ?issn }
    OPTIONAL { ?j prism:issn ?print } OPTIONAL { ?j prism:eIssn ?online } }
ORDER BY ?issn
"""


def test_issns_of_unknown_medium_in_rdf(tmp_path: Path) -> None:
    store, report = run(tmp_path / "bib", CASES / "bibtex" / "pubmed_style.bib")
    assert report.validation is not None and report.validation.conforms
    journal = "https://example.org/kg/journal/issn/0305-8557"
    # identifiers with the ISSN scheme: never prism:issn (print) or prism:eIssn (online)
    assert select(store, ISSN_QUERY) == [
        {"j": journal, "issn": "0305-8557"},
        {"j": journal, "issn": "1460-2431"},
    ]
    # the PubMed-style RIS says which is which; sorted unknown ISSNs name the same journal
    store, _ = run(tmp_path / "both", CASES / "ris" / "pubmed_style.ris", CASES / "bibtex")
    rows = select(store, ISSN_QUERY)
    assert {r["j"] for r in rows} == {journal}
    assert {r.get("online") for r in rows} == {"1460-2431"}


# --- broken files: clean rejects, the other records kept ---------------------


def ris_lines() -> list[str]:
    return RIS_SAMPLE.read_text(encoding="utf-8").split("\n")


def test_ris_truncated_keeps_the_records_before(tmp_path: Path) -> None:
    lines = ris_lines()
    starts = [i for i, line in enumerate(lines) if line.startswith("TY  - ")]
    cut = tmp_path / "cut.ris"
    cut.write_text("\n".join(lines[: starts[49] + 5]), encoding="utf-8")
    got = read_ris(cut)
    assert len(records(got)) == 49
    [reject] = rejects(got)
    assert got[-1] is reject
    assert reject.error.location.record == f"record 50 (line {starts[49] + 1})"
    assert "ends in the middle of this record" in reject.error.problem


def test_ris_missing_er_rejects_only_that_record(tmp_path: Path) -> None:
    lines = ris_lines()
    ends = [i for i, line in enumerate(lines) if line.startswith("ER  -")]
    del lines[ends[9]]
    broken = tmp_path / "broken.ris"
    broken.write_text("\n".join(lines), encoding="utf-8")
    got = read_ris(broken)
    assert len(records(got)) == 91
    [reject] = rejects(got)
    assert reject.error.location.record is not None
    assert reject.error.location.record.startswith("record 10 (line ")
    assert "no 'ER  -' line ends this record" in reject.error.problem
    assert isinstance(reject.raw, str) and reject.raw.startswith("TY  - JOUR")


def test_ris_bad_bytes_and_bad_doi_reject_their_record(tmp_path: Path) -> None:
    data = RIS_SAMPLE.read_bytes()
    data = data.replace("Valkiūnas".encode(), "Valki\xfbnas".encode("latin-1"), 1)
    data = data.replace(b"DO  - 10.1002/wsb.1016", b"DO  - not a DOI at all", 1)
    broken = tmp_path / "broken.ris"
    broken.write_bytes(data)
    got = read_ris(broken)
    assert len(records(got)) == 90
    problems = sorted((r.error.location.field, r.error.problem) for r in rejects(got))
    assert problems == [
        ("AU", "not UTF-8 text (byte 0xFB); save the file as UTF-8"),
        ("DO", "'not a DOI at all' is not a DOI"),
    ]


def test_ris_gzipped_and_cut_gzip(tmp_path: Path) -> None:
    gz = tmp_path / "scopus.ris.gz"
    gz.write_bytes(gzip.compress(RIS_SAMPLE.read_bytes()))
    assert detect_reader(gz) == "ris"
    got = list(read_source(SourceFile(gz, gz.name, "ris")))
    assert len(records(got)) == 92
    cut = tmp_path / "cut.ris.gz"
    cut.write_bytes(gz.read_bytes()[: len(gz.read_bytes()) // 2])
    got = list(read_source(SourceFile(cut, cut.name, "ris")))
    assert 0 < len(records(got)) < 92
    [reject] = rejects(got)
    assert "cut off or corrupt" in reject.error.problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no RIS records (no 'TY  -' line)"),
        ("TI  - a title\nER  - \n", "tag lines outside a record (no 'TY  -' line)"),
        (
            "TY  - JOUR\nPY  - 2020\nER  - \n",
            "the record has no title and no DOI or ISBN to name it",
        ),
    ],
)
def test_ris_files_without_usable_records(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "x.ris"
    path.write_text(text, encoding="utf-8")
    got = read_ris(path)
    assert [r.error.problem for r in rejects(got)][:1] == [problem]
    assert records(got) == []


def bib_text() -> str:
    return BIB_SAMPLE.read_text(encoding="utf-8")


def test_bibtex_truncated_keeps_the_entries_before(tmp_path: Path) -> None:
    text = bib_text()
    start = text.index("@ARTICLE{Roach2019443")
    cut = tmp_path / "cut.bib"
    cut.write_text(text[: start + 300], encoding="utf-8")
    got = read_bib(cut)
    assert len(records(got)) == 1
    [reject] = rejects(got)
    assert reject.error.location.record == "entry 2 (line 22) [Roach2019443]"
    assert "the file ends in the middle of this entry" in reject.error.problem


def test_bibtex_broken_entry_rejects_only_itself(tmp_path: Path) -> None:
    text = bib_text()
    # an unclosed brace in the title of the third entry
    third = text.index("title={Patterns and drivers of long-term changes")
    broken_text = text[:third] + text[third:].replace("},\n", ",\n", 1)
    broken = tmp_path / "broken.bib"
    broken.write_text(broken_text, encoding="utf-8")
    got = read_bib(broken)
    assert len(records(got)) == 199
    [reject] = rejects(got)
    assert reject.error.location.record is not None
    assert reject.error.location.record.startswith("entry 3 (line 42) [Flesch2019499]")
    assert reject.error.problem.startswith("broken BibTeX:")
    assert isinstance(reject.raw, str) and reject.raw.startswith("@ARTICLE{Flesch2019499")


def test_bibtex_duplicates_bad_bytes_and_bad_doi(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(
        b"@article{a, title={One}, year={2001}, year={2002}}\n"
        b"@article{b, title={Caf\xe9}, year={2003}}\n"
        b"@article{c, title={Three}, doi={not a doi}}\n"
        b"@article{d, title={Four}, doi={10.1000/xyz}}\n"
        b"@article{d, title={Five}, doi={10.1000/five.}}\n"
    )
    got = read_bib(path)
    assert [
        (r.error.location.record, r.error.location.field, r.error.problem) for r in rejects(got)
    ] == [
        ("entry 1 (line 1) [a]", None, "a field is given twice (year)"),
        ("entry 2 (line 2) [b]", "title", "not UTF-8 text (byte 0xE9); save the file as UTF-8"),
        ("entry 3 (line 3) [c]", "doi", "'not a doi' is not a DOI"),
    ]
    four, five = records(got)
    assert (four.doi, five.doi) == ("10.1000/xyz", "10.1000/five")
    # a key used twice names nothing in kg's records: the entry is kept, with a warning
    assert [i.message for i in five.issues] == ["the key 'd' is used by an earlier entry too"]


def test_bibtex_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.bib"
    path.write_text("% nothing here\n", encoding="utf-8")
    [reject] = read_bib(path)
    assert isinstance(reject, Reject)
    assert reject.error.problem == "no BibTeX entries (no '@type{key, ...}')"


def test_helpers() -> None:
    assert exports.doi_of("https://doi.org/10.1016%2Fj.foreco.2019.117694") == (
        "10.1016/j.foreco.2019.117694"
    )
    assert exports.doi_of("(doi:10.1000/abc)") == "10.1000/abc"
    assert exports.doi_of("10.1000/a(b)c).") == "10.1000/a(b)c"
    assert exports.issns_of("0305-8557; 1460-2431") == [("0305-8557", None), ("1460-2431", None)]
    assert exports.issns_of("1460-2431 (Electronic)") == [("1460-2431", "online")]
    assert exports.date_parts("2019/12/01/") == (2019, 12, 1)
    assert exports.date_parts("JAN 15 2020") == (2020, 1, 15)
    assert bibtex.decode(r"{\"o}\'{e}{\&} 50\% -- x") == "öé& 50% – x"
    assert bibtex.decode(r"10.1000/a\_b", latex=False) == "10.1000/a_b"
    assert bibtex.decode("The {DNA} of {US} $5 grants") == "The DNA of US $5 grants"


def test_bibtex_gzipped(tmp_path: Path) -> None:
    gz = tmp_path / "scopus.bib.gz"
    gz.write_bytes(gzip.compress(BIB_SAMPLE.read_bytes()))
    assert detect_reader(gz) == "bibtex"
    got = list(read_source(SourceFile(gz, gz.name, "bibtex")))
    assert len(records(got)) == 200 and rejects(got) == []
    cut = tmp_path / "cut.bib.gz"
    cut.write_bytes(gz.read_bytes()[:5000])
    [reject] = list(read_source(SourceFile(cut, cut.name, "bibtex")))
    assert isinstance(reject, Reject) and "cut off or corrupt" in reject.error.problem


def test_language_tags_titles_abstracts_and_keywords(tmp_path: Path) -> None:
    """The record's language tags its texts where their script fits it; Scopus's
    "English title [Original title]" is two titles; ``und`` where nothing says."""
    bib = tmp_path / "lang.bib"
    bib.write_text(
        "@article{en1, title={Fire and birds}, abstract={Birds like fire.},\n"
        "  author_keywords={fire; birds}, language={English}}\n"
        "@article{de1, title={Der Mittelspecht [The middle spotted woodpecker]},\n"
        "  language={German}}\n"
        "@article{de2, title={Woodpeckers [Der Mittelspecht]}, language={German},\n"
        "  source={Scopus}}\n"
        "@article{ru1, title={Regional clusters}, language={Russian}}\n"
        "@article{ru2, title={Региональные кластеры}, language={Russian}}\n"
        "@article{none, title={No language}}\n",
        encoding="utf-8",
    )
    got = {r.origin.record.split("[")[1].rstrip("] "): r for r in read_bib(bib)}
    en = got["en1"]
    assert en.titles == [("Fire and birds", "en")]
    assert en.abstracts == [("Birds like fire.", "en")]
    assert en.keywords == [("fire", "en"), ("birds", "en")]
    # not from Scopus: the bracket is not known to be a translation of an English title
    assert got["de1"].titles == [("Der Mittelspecht [The middle spotted woodpecker]", "de")]
    assert got["de2"].titles == [("Woodpeckers", "en"), ("Der Mittelspecht", "de")]
    assert got["ru1"].titles == [("Regional clusters", "und")]  # Latin script: not Russian
    assert got["ru2"].titles == [("Региональные кластеры", "ru")]
    assert got["none"].titles == [("No language", "und")]


def test_chapters_and_papers_keep_their_book_and_proceedings(tmp_path: Path) -> None:
    bib = tmp_path / "books.bib"
    bib.write_text(
        "@incollection{ch1, title={A chapter}, booktitle={The Book},\n"
        "  isbn={978-3-642-05853-0, 9783662079188}, publisher={Springer}, year={2004},\n"
        "  doi={10.1007/978-3-662-07918-8_3}}\n"
        "@inproceedings{p1, title={A paper}, booktitle={Proc. of the Conference},\n"
        "  issn={0302-9743}, year={2020}}\n"
        "@book{b1, title={The Book}, isbn={3-642-05853-1}, publisher={Springer}}\n"
        "@article{p2, title={A conference paper in a journal}, journal={Ecological Applications},\n"
        "  issn={19395582}, volume={25}, document_type={Conference Paper}}\n",
        encoding="utf-8",
    )
    got = {r.origin.record.split("[")[1].split("]")[0]: r for r in read_bib(bib)}
    chapter = got["ch1"].container
    assert chapter is not None and chapter.kind == "book"
    assert chapter.titles == [("The Book", "und")]
    assert chapter.isbns.all() == ["9783642058530", "9783662079188"]
    assert chapter.publisher is not None and chapter.publisher.names == [("Springer", "und")]
    paper = got["p1"].container
    assert paper is not None and paper.kind == "proceedings"
    assert paper.series is not None and paper.series.issns() == ["0302-9743"]
    in_journal = got["p2"]  # Scopus: a conference paper published in a journal issue
    assert in_journal.kind == "proceedings-article" and in_journal.container is None
    assert in_journal.journal is not None and in_journal.journal.issns() == ["1939-5582"]
    assert in_journal.volume == "25"
    book = got["b1"]
    assert book.isbns is not None and book.isbns.all() == ["9783642058530"]  # the ISBN-10's
    ris = tmp_path / "chapter.ris"
    ris.write_text(
        "TY  - CHAP\nTI  - A chapter\nT2  - The Book\nSN  - 9783642058530\nER  - \n"
        "TY  - JOUR\nDO  - 10.1000/untitled\nT2  - A Journal\nER  - \n",
        encoding="utf-8",
    )
    chap, untitled = read_ris(ris)
    assert isinstance(chap, Record) and chap.container is not None
    assert chap.container.titles == [("The Book", "und")]
    assert chap.container.isbns.all() == ["9783642058530"]
    assert isinstance(untitled, Record) and untitled.titles == []  # kept: its DOI names it
    assert untitled.doi == "10.1000/untitled"
