"""MEDLINE text (PubMed's .nbib export): the two real samples field by field and built,
the tags the samples lack on small files, and broken files that give clean rejects
(naming file, record and tag), never a traceback or a hang."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from mutations import mutations

from kg.build.pipeline import BuildReport, build
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import Reject, Skipped, medline
from kg.records import Notice, Record, Source, Status, Update

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS / "data" / "detect" / "pubmed"  # see tests/data/detect/SOURCES.md
LIMO = SAMPLES / "limo_citations.nbib"
RETRACTIONS = SAMPLES / "neilfws_retractions_first60.medline"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX pso: <http://purl.org/spar/pso/>
"""

Result = Record | Reject | Skipped


def read(path: Path) -> list[Result]:
    return list(medline.read(path, path.name))


def read_text(tmp_path: Path, text: str | bytes, name: str = "t.nbib") -> list[Result]:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return read(path)


def records(results: list[Result]) -> list[Record]:
    return [r for r in results if isinstance(r, Record)]


def rejects(results: list[Result]) -> list[Reject]:
    return [r for r in results if isinstance(r, Reject)]


def by_pmid(results: list[Result], pmid: str) -> Record:
    found = [r for r in records(results) if r.pmid == pmid]
    assert len(found) == 1, pmid
    return found[0]


def run(tmp_path: Path, source: Path) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build([source], out, validate=True, reader="medline")
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


# --- limo_citations.nbib: 2 records, starts with a blank line ----------------


def test_limo_every_record_comes_through() -> None:
    got = read(LIMO)
    assert len(got) == 2 and rejects(got) == []
    assert [r.pmid for r in records(got)] == ["21403915", "25128255"]
    assert all(r.kind == "journal-article" and r.issues == [] for r in records(got))


def test_limo_first_record_field_by_field() -> None:
    rec = by_pmid(read(LIMO), "21403915")
    assert rec.origin.record == "record 1 (line 2) PMID 21403915 [10.1155/2011/831409]"
    assert rec.doi == "10.1155/2011/831409"  # LID and AID "... [doi]"
    # a title continued on the next line (6 spaces), joined with a space
    assert rec.titles == [
        (
            "LIMO EEG: a toolbox for hierarchical LInear MOdeling of ElectroEncephaloGraphic data.",
            "en",
        )
    ]
    assert rec.abstracts[0][0].startswith("Magnetic- and electric-evoked brain responses")
    assert "differences between averaged evoked" in rec.abstracts[0][0]  # trailing space
    assert rec.abstracts[0][1] == "en" and rec.language == "en"
    assert rec.journal is not None
    assert rec.journal.titles == [("Computational intelligence and neuroscience", "und")]
    assert rec.journal.issn_online == "1687-5273"  # "(Electronic)"
    assert (rec.journal.issn_print, rec.journal.issn_l) == (None, None)
    assert (rec.volume, rec.issue) == ("2011", None)
    assert (rec.first_page, rec.last_page) == ("831409", None)  # an article number
    assert (rec.year, rec.date, rec.online) == (2011, None, "2011-02-21")  # DP, DEP
    assert [(a.name, a.family, a.given) for a in rec.authors] == [
        ("Cyril R Pernet", "Pernet", "Cyril R"),  # FAU wins over AU "Pernet CR"
        ("Nicolas Chauveau", "Chauveau", "Nicolas"),
        ("Carl Gaspar", "Gaspar", "Carl"),
        ("Guillaume A Rousselet", "Rousselet", "Guillaume A"),
    ]
    first = rec.authors[0].affiliations
    assert [o.names for o in first] == [
        [
            (
                "Division of Clinical Neurosciences, SFC Brain Imaging Research Centre, "
                "SINAPSE Collaboration, University of Edinburgh, Western General Hospital, "
                "Edinburgh EH4 2XU, UK",  # without the e-mail address
                "und",
            )
        ]
    ]
    assert all(a.affiliations == [] for a in rec.authors[1:])
    assert rec.subjects == [  # MH, the major-topic "*" left out
        "Brain/physiology",
        "Electroencephalography/methods",
        "Evoked Potentials/physiology",
        "Humans",
        "Linear Models",
        "Signal Processing, Computer-Assisted",
        "Software/standards",
    ]
    assert rec.statuses == [] and rec.updates == []


def test_limo_second_record_field_by_field() -> None:
    rec = by_pmid(read(LIMO), "25128255")
    assert rec.doi == "10.1016/j.jneumeth.2014.08.003"  # the "[pii]" LID is not a DOI
    assert rec.journal is not None
    assert rec.journal.issn_online == "1872-678X" and rec.journal.issn_l == "0165-0270"
    assert (rec.volume, rec.first_page, rec.last_page) == ("250", "85", "93")
    assert (rec.year, rec.date) == (2015, "2015-07-30")  # "2015 Jul 30"
    assert rec.abstracts[0][0].startswith("BACKGROUND: In recent years")
    assert ("ERP", "en") in rec.keywords and len(rec.keywords) == 6  # OT
    # each AD goes to the author it follows
    assert [(a.name, [o.names[0][0] for o in a.affiliations]) for a in rec.authors] == [
        (
            "C R Pernet",
            [
                "Centre for Clinical Brain Sciences, Neuroimaging Sciences, "
                "University of Edinburgh, Edinburgh, UK"
            ],
        ),
        (
            "M Latinus",
            [
                "Institut de Neurosciences de la Timone UMR 7289, Aix Marseille Universite, "
                "CNRS, 13385 Marseille, France"
            ],
        ),
        ("T E Nichols", ["Department of Statistics, Warwick University, Coventry, UK"]),
        (
            "G A Rousselet",
            ["Institute of Neuroscience and Psychology, University of Glasgow, Glasgow, UK"],
        ),
    ]


def test_limo_builds_and_conforms(tmp_path: Path) -> None:
    store, report = run(tmp_path, LIMO)
    assert (report.records, report.built, report.rejects) == (2, 2, [])
    assert report.validation is not None and report.validation.conforms
    assert report.files[0].reader == "medline"
    found = store.query(P + 'ASK { ?w prism:doi "10.1155/2011/831409" ; a fabio:JournalArticle }')
    assert found


# --- neilfws_retractions_first60.medline: 60 retraction notices (2010) ---------


def test_retractions_every_record_comes_through() -> None:
    got = read(RETRACTIONS)
    assert len(got) == 60 and rejects(got) == []
    recs = records(got)
    assert Counter(r.kind for r in recs) == {"journal-article": 58, "retraction-notice": 2}
    assert sum(r.doi is not None for r in recs) == 33  # 33 AID "[doi]" lines
    assert sum(len(r.updates) for r in recs) == 3  # ROFs that name a DOI
    # 50 ROF lines; the others name the retracted work by PubMed id only
    warned = [r for r in recs if any("only by PubMed id" in i.message for i in r.issues)]
    assert len(warned) == 46
    assert all(r.statuses == [] for r in recs)  # notices are not retracted themselves


def test_retraction_notice_with_doi_links_its_work() -> None:
    rec = by_pmid(read(RETRACTIONS), "20922815")
    assert rec.kind == "retraction-notice" and rec.doi == "10.1002/jnr.22532"
    assert rec.titles[0][0] == (
        "Retraction: spatial and temporal distribution of laminins in permanent focal "
        "ischemic brain damage of the adult rat."
    )
    # "ROF - ... J Neurosci Res. 2008 May 23;. doi:\n      10.1002/jnr.21723. PMID: 18500756"
    assert rec.updates == [
        Update(
            "10.1002/jnr.21723",
            Status(
                "retracted",
                date="2010-11-15",  # the notice's DP "2010 Nov 15"
                notice=Notice(
                    doi="10.1002/jnr.22532", url="https://pubmed.ncbi.nlm.nih.gov/20922815/"
                ),
                sources=[Source(doi="10.1002/jnr.22532")],
            ),
        )
    ]
    assert rec.journal is not None and rec.journal.issn_l == "0360-4012"
    assert (rec.volume, rec.issue, rec.first_page) == ("88", "15", "3424")


def test_retraction_notices_that_cannot_be_linked() -> None:
    got = read(RETRACTIONS)
    # the ROF names the notice's own DOI
    first = by_pmid(got, "20679414")
    assert first.kind == "journal-article" and first.updates == []
    assert first.date == "2010-12-01"  # "2010 Dec 1"
    assert [i.field for i in first.issues] == ["ROF", "ROF"]
    assert "names itself" in first.issues[0].message
    # the retracted work named by PubMed id only: kept as an article, with one warning
    second = by_pmid(got, "20931257")
    assert second.kind == "journal-article" and second.updates == []
    assert [(i.field, i.message) for i in second.issues] == [
        (
            "ROF",
            "this retraction notice names no retracted work only by PubMed id 16362798; "
            "kg links works by DOI, so it keeps the notice as a journal article, without "
            "the link",
        )
    ]
    # a notice without a DOI of its own still gives its work the status
    third = by_pmid(got, "21046708")
    assert third.doi is None and third.kind == "journal-article"
    assert [u.target_doi for u in third.updates] == ["10.1111/j.1365-2516.2009.02124.x"]
    status = third.updates[0].status
    assert status.notice == Notice(url="https://pubmed.ncbi.nlm.nih.gov/21046708/")
    assert status.sources == [Source(name="PubMed", record_id="21046708")]


def test_retraction_notice_titled_retracted_keeps_its_title() -> None:
    rec = by_pmid(read(RETRACTIONS), "20973163")
    assert rec.titles[0][0] == (
        "RETRACTED: A novel membrane-based anti-diabetic action of atorvastatin."
    )
    assert rec.shown_title is None and rec.statuses == []


def test_retractions_build_and_conform(tmp_path: Path) -> None:
    store, report = run(tmp_path, RETRACTIONS)
    assert (report.records, report.rejects) == (60, [])
    # 4 notices share a page of their issue with another; without a DOI each is named by
    # its PubMed id, so all 60 stay apart (by page they were merged into one work)
    assert (report.built, report.merged) == (60, 0)
    assert report.validation is not None and report.validation.conforms
    rows = store.query(
        P + "SELECT ?t WHERE { ?n a fabio:RetractionNotice ; cito:retracts ?w . "
        "?w prism:doi ?t } ORDER BY ?t"
    )
    assert isinstance(rows, ox.QuerySolutions)
    targets = [s["t"].value for s in rows]
    assert targets == [
        "10.1002/jnr.21723",
        "10.1111/j.1365-2516.2009.02124.x",
        "10.1182/blood-2009-07-232231",
    ]


# --- what the samples lack -----------------------------------------------------

RETRACTED = """
PMID- 20000001
TI  - [Effect of something on something else].
TT  - Vliyanie chego-to na chto-to.
LA  - rus
DP  - 2015 Jan-Feb
VI  - 12
IP  - 1
PG  - 123-9
IS  - 0000-0019 (Print)
TA  - Vestn Ross Akad Med Nauk
FAU - Ivanov, Ivan Petrovich
AU  - Ivanov IP
AD  - Moscow State University, Moscow, Russia.
AD  - Institute of Biology, Moscow, Russia. ivanov@example.org
AUID- ORCID: 0000-0002-1825-0097
FAU - Petrov, A B
AU  - Petrov AB
CN  - Russian Study Group
AB  - An abstract in English.
OT  - rats
LID - S1234(15)00001-1 [pii]
LID - 10.1234/abc.2015.1 [doi]
PT  - Journal Article
PT  - Retracted Publication
RIN - Retraction in: Vestn Ross Akad Med Nauk. 2016;13(2):99. doi: 10.1234/abc.2016.9.
      PMID: 20000002
PMID- 20000003
TI  - A record right after another, without a blank line.
DP  - 2010 Jun
PG  - E519-20
AU  - Smith JA
AU  - Jones B
PT  - Preprint
"""


def test_tags_the_samples_lack(tmp_path: Path) -> None:
    got = read_text(tmp_path, RETRACTED.replace("\n", "\r\n"))
    assert rejects(got) == [] and len(records(got)) == 2
    rec, preprint = records(got)
    # a bracketed title is NLM's English translation; TT the romanised original
    assert rec.titles == [
        ("Effect of something on something else", "en"),
        ("Vliyanie chego-to na chto-to.", "ru-latn"),
    ]
    assert rec.language == "ru"
    assert rec.abstracts == [("An abstract in English.", "und")]  # LA is not English
    assert rec.keywords == [("rats", "und")]
    assert (rec.year, rec.date) == (2015, None)  # "2015 Jan-Feb"
    assert (rec.first_page, rec.last_page, rec.page_range) == ("123", "129", "123-129")
    assert rec.journal is not None
    assert rec.journal.titles == [("Vestn Ross Akad Med Nauk", "und")]  # TA without JT
    assert rec.journal.issn_print == "0000-0019"
    assert [(a.name, a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Ivan Petrovich Ivanov", "Ivanov", "Ivan Petrovich", "0000-0002-1825-0097"),
        ("A B Petrov", "Petrov", "A B", None),
        ("Russian Study Group", None, None, None),  # CN
    ]
    assert [o.names[0][0] for o in rec.authors[0].affiliations] == [
        "Moscow State University, Moscow, Russia",
        "Institute of Biology, Moscow, Russia",
    ]
    assert rec.doi == "10.1234/abc.2015.1"
    assert rec.statuses == [
        Status(
            "retracted",
            notice=Notice(
                doi="10.1234/abc.2016.9", url="https://pubmed.ncbi.nlm.nih.gov/20000002/"
            ),
            sources=[Source(name="PubMed", record_id="20000001")],
        )
    ]
    assert preprint.kind == "preprint" and preprint.pmid == "20000003"
    # AU alone (records before 2002): "Family Initials"
    assert [(a.name, a.family, a.given) for a in preprint.authors] == [
        ("JA Smith", "Smith", "JA"),
        ("B Jones", "Jones", "B"),
    ]
    assert (preprint.year, preprint.first_page, preprint.last_page) == (2010, "E519", "E520")


def test_bookshelf_chapter_and_book(tmp_path: Path) -> None:
    text = (
        "PMID- 20301295\nBTI - GeneReviews\nTI  - Alpha-Thalassemia.\n"
        "PB  - University of Washington, Seattle\nDP  - 1993\nFAU - Tamary, Hannah\n"
        "PT  - Review\nPT  - Book Chapter\nLA  - eng\n\n"
        "PMID- 20301296\nBTI - A whole book\nPB  - NCBI\nDP  - 2001\nPT  - Book\n"
    )
    chapter, book = records(read_text(tmp_path, text))
    assert chapter.kind == "book-chapter" and chapter.journal is None
    assert chapter.container is not None
    assert chapter.container.titles == [("GeneReviews", "und")]
    assert chapter.container.publisher is not None
    assert chapter.container.publisher.names == [("University of Washington, Seattle", "und")]
    assert (book.kind, book.titles, book.year) == ("book", [("A whole book", "und")], 2001)


def test_retracted_article_builds_with_its_notice(tmp_path: Path) -> None:
    path = tmp_path / "r.nbib"
    path.write_text(RETRACTED)
    store, report = run(tmp_path, path)
    assert report.rejects == [] and report.built == 2
    assert report.validation is not None and report.validation.conforms
    query = (
        'ASK { ?w prism:doi "10.1234/abc.2015.1" ; pso:holdsStatusInTime ?s ; '
        'cito:isRetractedBy ?n . ?n prism:doi "10.1234/abc.2016.9" }'
    )
    assert store.query(P + query)


ERRATA = """PMID- 30000001
TI  - An article corrected.
TA  - J Foo
DP  - 2018
LID - 10.1234/x.1 [doi]
EIN - J Foo. 2019;1:2. doi: 10.1234/x.2. PMID: 30000002
ECI - J Foo. 2020;1:3. PMID: 30000004

PMID- 30000002
TI  - Erratum: An article corrected.
TA  - J Foo
LID - 10.1234/x.2 [doi]
PT  - Published Erratum
DP  - 2019 Mar 5
EFR - J Foo. 2018;1:1. doi: 10.1234/x.1. PMID: 30000001

PMID- 30000003
TI  - An erratum with a stray ROF.
TA  - J Foo
DP  - 2019
PT  - Published Erratum
ROF - J Foo. 2018;1:1. doi: 10.1234/x.9
"""


def test_errata_and_expressions_of_concern(tmp_path: Path) -> None:
    got = read_text(tmp_path, ERRATA)
    article, erratum, stray = records(got)
    pubmed = [Source(name="PubMed", record_id="30000001")]
    assert article.statuses == [
        Status(
            "corrected",
            notice=Notice(doi="10.1234/x.2", url="https://pubmed.ncbi.nlm.nih.gov/30000002/"),
            sources=pubmed,
        ),
        Status(
            "expression-of-concern",
            notice=Notice(url="https://pubmed.ncbi.nlm.nih.gov/30000004/"),
            sources=pubmed,
        ),
    ]
    assert erratum.kind == "correction"
    assert erratum.updates == [
        Update(
            "10.1234/x.1",
            Status(
                "corrected",
                date="2019-03-05",
                notice=Notice(doi="10.1234/x.2", url="https://pubmed.ncbi.nlm.nih.gov/30000002/"),
                sources=[Source(doi="10.1234/x.2")],
            ),
        )
    ]
    assert stray.kind == "journal-article" and stray.updates == []
    assert [i.field for i in stray.issues] == ["ROF", "EFR"]


def test_errata_build_and_conform(tmp_path: Path) -> None:
    path = tmp_path / "e.nbib"
    path.write_text(ERRATA)
    store, report = run(tmp_path, path)
    assert report.rejects == [] and report.validation is not None
    assert report.validation.conforms
    query = 'ASK { ?n a fabio:Correction ; cito:corrects ?w . ?w prism:doi "10.1234/x.1" }'
    assert store.query(P + query)


def test_bad_records_reject_only_themselves(tmp_path: Path) -> None:
    text = (
        "PMID- 1\nTI  - Good one.\n\n"
        "PMID- 2\nTI  - A title\nthat lost its indentation.\n\n"
        "PMID- 3x\nTI  - Bad id.\n\n"
        "PMID- 4\nTI  - Bad DOI.\nLID - 10.12/ [doi]\n\n"
        "PMID- 5\nTI  - Bad bytes \xff.\n\n"
        "PMID- 6\nAB  - No title, no DOI.\n\n"
        "PMID- 7\nTI  - Good too.\n"
    ).encode("latin-1")
    got = read_text(tmp_path, text)
    assert [r.pmid for r in records(got)] == ["1", "7"]
    assert [str(r.error) for r in rejects(got)] == [
        "t.nbib: record 2 (line 4) PMID 2: field 'TI': line 6 is neither a tag line "
        "('TAG - value') nor a continuation",
        "t.nbib: record 3 (line 8): field 'PMID': '3x' is not a PubMed id (a number)",
        "t.nbib: record 4 (line 11) PMID 4: field 'LID': '10.12/' is not a DOI",
        "t.nbib: record 5 (line 15) PMID 5: field 'TI': not UTF-8 text (byte 0xFF); save "
        "the file as UTF-8",
        "t.nbib: record 6 (line 18) PMID 6: field 'TI': the record has no title and no DOI "
        "or ISBN to name it",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "t.nbib: empty file"),
        ("\n\n  \n", "t.nbib: no MEDLINE records (no 'PMID- ' or other tag lines)"),
    ],
)
def test_files_without_records(tmp_path: Path, text: str, problem: str) -> None:
    got = read_text(tmp_path, text)
    assert [str(r.error) for r in rejects(got)] == [problem] and records(got) == []


def test_bom_and_gzip(tmp_path: Path) -> None:
    import gzip

    data = LIMO.read_bytes()
    assert len(records(read_text(tmp_path, b"\xef\xbb\xbf" + data.lstrip()))) == 2
    assert len(records(read_text(tmp_path, gzip.compress(data), "t.nbib.gz"))) == 2


# --- mutations: truncations, flipped bytes, deleted chunks ------------------------


@pytest.mark.parametrize("original", [LIMO, RETRACTIONS], ids=lambda p: p.name)
def test_mutated_files_are_read_or_rejected(tmp_path: Path, original: Path) -> None:
    mapper = Mapper(IriMinter())
    data = original.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}{original.suffix}"
        path.write_bytes(mutated)
        for item in read(path):
            assert isinstance(item, Record | Reject | Skipped)
            if isinstance(item, Reject):
                assert str(item.error).startswith(path.name), item.error
            if isinstance(item, Record):
                mapper.map_record(item)  # what was read maps without error
