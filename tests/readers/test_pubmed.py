"""PubMed XML: the real samples field by field, retractions and other notices, bad
articles rejected by name, files refused safely, and mutated files never a traceback."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from mutations import mutations

from kg.build.pipeline import BuildReport, build
from kg.readers import Reject, Skipped
from kg.readers.pubmed import read
from kg.readers.pubmed.article import expand_pages
from kg.records import Author, Notice, Organization, Record, Source, Status, Update

DATA = Path(__file__).resolve().parent.parent / "data" / "pubmed"
BIOPYTHON = DATA / "biopython_pubmed2_2articles.xml"
NCBIUTILS = DATA / "ncbiutils_pubmed_5articles.xml"
RETRACTED = DATA / "neilfws_example_retracted_pmid993.xml"
SAMPLES = [BIOPYTHON, NCBIUTILS, RETRACTED]
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def results(path: Path) -> list[Record | Reject | Skipped]:
    return list(read(path, path.name))


def records(path: Path) -> list[Record]:
    got = results(path)
    assert all(isinstance(r, Record) for r in got), got
    return [r for r in got if isinstance(r, Record)]


def variant(tmp_path: Path, sample: Path, *changes: tuple[str, str], name: str = "v.xml") -> Path:
    """A copy of a real sample with each (old, new) text replaced once (it must be there)."""
    text = sample.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, *sources: Path) -> tuple[ox.Store, BuildReport]:
    out = tmp_path / "out.nt"
    report = build(list(sources), out, reader="pubmed")
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    return store, report


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [str(v)[1:] for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


# --- the real samples, field by field ----------------------------------------------------


def test_biopython_sample_current_dtd() -> None:
    first, second = records(BIOPYTHON)
    assert first.origin.record == "article 1 (line 4) [PMID 11748933]"
    assert (first.kind, first.pmid, first.doi) == (
        "journal-article",
        "11748933",
        "10.1006/cryo.2001.2328",
    )
    # NLM's final period is not part of the title
    assert first.titles == [
        (
            "Is cryopreservation a homogeneous process? Ultrastructure and motility of untreated, "
            "prefreezing, and postthawed spermatozoa of Diplodus puntazzo (Cetti)",
            "en",
        )
    ]
    assert first.language == "en"
    j = first.journal
    assert j is not None
    assert (j.titles, j.issn_print, j.issn_online, j.issn_l) == (
        [("Cryobiology", "und")],
        "0011-2240",
        None,
        "0011-2240",
    )
    assert (first.volume, first.issue) == ("42", "4")
    assert (first.first_page, first.last_page, first.page_range) == ("244", "255", "244-255")
    assert (first.year, first.printed, first.online, first.date) == (2001, "2001-06", None, None)
    assert [a.name for a in first.authors] == [
        "A R Taddei",
        "F Barbato",
        "L Abelli",
        "S Canese",
        "F Moretti",
        "K J Rana",
        "A M Fausto",
        "M Mazzini",
    ]
    # the &#xe0; character reference, and no final period
    assert first.authors[0] == Author(
        "A R Taddei",
        "Taddei",
        "A R",
        affiliations=[
            Organization(
                names=[
                    (
                        "Dipartimento di Scienze Ambientali, Università degli Studi della "
                        "Tuscia, 01100 Viterbo, Italy",
                        "und",
                    )
                ]
            )
        ],
    )
    assert first.authors[1].affiliations == []
    assert first.subjects[:3] == ["Animals", "Cell Membrane", "Cryopreservation"]
    assert len(first.subjects) == 11 and "Sea Bream" in first.subjects
    abstract = first.abstracts[0]
    assert abstract[1] == "en" and abstract[0].startswith("This study subdivides")
    assert "(P < 0.001)" in abstract[0] and "Copyright" not in abstract[0]
    assert first.statuses == [] and first.updates == [] and first.issues == []
    assert second.origin.record == "article 2 (line 4) [PMID 11700088]"
    assert second.doi == "10.1006/jmre.2001.2429"
    assert second.journal is not None
    assert second.journal.titles == [
        ("Journal of magnetic resonance (San Diego, Calif. : 1997)", "und")
    ]
    assert (second.first_page, second.last_page) == ("117", "123")
    assert second.authors[-1] == Author("F De Luca", "De Luca", "F")


def test_ncbiutils_sample_older_dtd() -> None:
    recs = records(NCBIUTILS)
    assert [r.pmid for r in recs] == ["35196497", "33278872", "24792780", "30158200", "151222"]
    assert [r.doi for r in recs] == [
        "10.1016/j.celrep.2022.110408",
        "10.33321/cdi.2020.44.90",
        "10.3109/15563650.2014.913175",
        "10.1136/bmj.k3225",
        None,
    ]
    cell, cdi, clin, bmj, morph = recs
    assert [r.origin.record for r in recs][1:3] == [
        "article 2 (line 279) [PMID 33278872]",
        "article 3 (line 444) [PMID 24792780]",
    ]
    # non-ASCII kept; electronic ISSN by IssnType
    assert cell.titles == [
        (
            "SENP2 suppresses browning of white adipose tissues by de-conjugating SUMO from C/EBPβ",
            "en",
        )
    ]
    assert cell.journal is not None
    assert (cell.journal.issn_print, cell.journal.issn_online) == (None, "2211-1247")
    assert cell.first_page == "110408" and cell.last_page is None
    assert cell.keywords[0] == ("C/EBPβ", "en") and len(cell.keywords) == 10
    assert len(cell.authors) == 12
    # "Electronic address: ..." is not part of the organisation's name
    assert cell.authors[10].affiliations == [
        Organization(
            names=[
                (
                    "Biomedical Research Institute, Seoul National University Hospital, "
                    "Seoul, Korea",
                    "und",
                )
            ]
        )
    ]
    # an empty AbstractText is left out; the label is kept
    assert cdi.abstracts[0][0].startswith("ABSTRACT: Strict physical distancing")
    assert cdi.abstracts[0][0].count("\n\n") == 0
    # a PubModel="Electronic" article's ArticleDate is its online date
    assert (cdi.online, cdi.date, cdi.year, cdi.printed) == ("2020-10-25", "2020-10-25", 2020, None)
    assert cdi.keywords[0] == ("Australia", "en")  # white space trimmed
    assert len(cdi.authors[0].affiliations) == 2
    # structured abstract: each section a paragraph with its label
    paragraphs = clin.abstracts[0][0].split("\n\n")
    assert [p.split(":")[0] for p in paragraphs] == [
        "INTRODUCTION",
        "OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSION",
    ]
    # MedlinePgn 525-30 is pages 525 to 530; print and electronic dates apart
    assert (clin.first_page, clin.last_page, clin.page_range) == ("525", "530", "525-530")
    assert (clin.printed, clin.online, clin.date) == ("2014-06", "2014-05-05", "2014-05-05")
    assert clin.journal is not None and clin.journal.issn_l == "1556-3650"
    # inline markup dropped, its text kept; a group author last
    assert "(eg, SOST, WNT16, and ESR1)" in " ".join(bmj.abstracts[0][0].split())
    assert "<i>" not in bmj.abstracts[0][0]
    assert bmj.first_page == "k3225"
    assert bmj.authors[-1] == Author("GEFOS/GENOMOS consortium and the 23andMe research team")
    assert bmj.authors[7].affiliations[0].names == [
        (
            "Lady Davis Institute, Jewish General Hospital, McGill University, Montréal, "
            "Québec, Canada",
            "und",
        )
    ]
    # MedlineDate "1978 Jul-Sep": the year; no DOI: known by PMID, pages and journal
    assert (morph.year, morph.printed, morph.date) == (1978, "1978", None)
    assert (morph.first_page, morph.last_page) == ("229", "232")
    assert all(r.issues == [] for r in recs), [r.issues for r in recs]


def test_retracted_sample_pmid_993() -> None:
    [rec] = records(RETRACTED)
    assert rec.origin.record == "article 1 (line 5) [PMID 993]"
    assert (rec.pmid, rec.doi, rec.kind) == ("993", None, "journal-article")
    assert (rec.first_page, rec.last_page) == ("557", "565")  # MedlinePgn 557-65
    assert rec.journal is not None and rec.journal.issn_print == "0264-6021"
    assert rec.journal.titles == [("The Biochemical journal", "und")]
    assert "(Gullis & Rowe, 1975a)" in rec.abstracts[0][0]
    assert len(rec.subjects) == 20
    # Retracted Publication + RetractionIn: one status, the notice by its PubMed page,
    # dated by the notice's citation (Biochem J. 1977 Apr 15)
    assert rec.statuses == [
        Status(
            "retracted",
            date="1977-04-15",
            notice=Notice(url="https://pubmed.ncbi.nlm.nih.gov/195582/"),
            sources=[Source(name="PubMed", record_id="993")],
        )
    ]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_builds_and_validates(tmp_path: Path, sample: Path) -> None:
    _, report = run(tmp_path, sample)
    assert report.rejects == [] and report.skipped == 0
    assert report.built == {BIOPYTHON: 2, NCBIUTILS: 5, RETRACTED: 1}[sample]
    assert report.validation is not None and report.validation.conforms, report.summary()


def test_the_retracted_article_in_the_graph(tmp_path: Path) -> None:
    store, _ = run(tmp_path, RETRACTED)
    rows = select(
        store,
        """SELECT ?pmid ?url ?date WHERE {
            ?a fabio:hasPubMedId ?pmid ; pso:holdsStatusInTime ?s ; cito:isRetractedBy ?n .
            ?s pso:withStatus pso:retracted-from-publication ; dcterms:date ?date .
            ?n a fabio:RetractionNotice ; fabio:hasURL ?url ; cito:retracts ?a }""",
    )
    assert rows == [
        {"pmid": "993", "url": "https://pubmed.ncbi.nlm.nih.gov/195582/", "date": "1977-04-15"}
    ]


def test_gzipped_file_reads_the_same(tmp_path: Path) -> None:
    gz = tmp_path / "pubmed25n0001.xml.gz"
    gz.write_bytes(gzip.compress(NCBIUTILS.read_bytes()))
    assert [r.pmid for r in records(gz)] == [r.pmid for r in records(NCBIUTILS)]


# --- fields the samples do not show, on edited copies of them ---------------------------


def test_orcid_ror_elocation_doi_vernacular_title_and_other_abstract(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        RETRACTED,
        (
            "<Initials>RJ</Initials>",
            '<Initials>RJ</Initials><Identifier Source="ORCID">https://orcid.org/0000-0002-1825-0097'
            "</Identifier><AffiliationInfo><Affiliation>University of Bristol, UK. "
            "r.gullis@bris.ac.uk"
            '</Affiliation><Identifier Source="ROR">https://ror.org/0524sp257</Identifier>'
            "</AffiliationInfo>",
        ),
        (
            "<Initials>CE</Initials>",
            '<Initials>CE</Initials><Identifier Source="ORCID">0000-0002-1825-009X</Identifier>',
        ),
        (
            "</Pagination>",
            '</Pagination><ELocationID EIdType="doi" ValidYN="Y">10.1042/bj1480557</ELocationID>',
        ),
        ("<Language>eng</Language>", "<Language>rus</Language>"),
        (
            "<AuthorList",
            "<VernacularTitle>Стимуляция синаптическими медиаторами.</VernacularTitle><AuthorList",
        ),
        (
            "<CitationSubset>",
            '<OtherAbstract Type="Publisher" Language="rus"><AbstractText>Норадреналин '
            "стимулировал.</AbstractText></OtherAbstract><CitationSubset>",
        ),
        (
            "<ArticleTitle>The stimulation",
            "<ArticleTitle>[The stimulation",
        ),
        ("synaptic membranes.</ArticleTitle>", "synaptic membranes].</ArticleTitle>"),
    )
    [rec] = records(path)
    assert rec.doi == "10.1042/bj1480557"
    assert rec.language == "ru"
    assert rec.titles == [
        (
            "The stimulation by synaptic transmitters of the incorporation of oleate into the "
            "phospholipid of synaptic membranes",
            "en",
        ),
        ("Стимуляция синаптическими медиаторами", "ru"),
    ]
    assert rec.abstracts[1] == ("Норадреналин стимулировал.", "ru")
    gullis, rowe = rec.authors
    assert gullis.orcid == "0000-0002-1825-0097"
    assert gullis.affiliations == [
        Organization(names=[("University of Bristol, UK", "und")], ror="0524sp257")
    ]
    assert rowe.orcid == "0000-0002-1825-009X"  # a wrong check digit: kept, with a warning
    assert any("AuthorList/Author[2]/Identifier" == i.field for i in rec.issues), rec.issues


def test_the_old_dtds_single_affiliation_is_for_the_authors_as_a_whole(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        RETRACTED,
        (
            "<AuthorList",
            "<Affiliation>Department of Biochemistry, University of Bristol, Bristol BS8 1TD, "
            "U.K.</Affiliation><AuthorList",
        ),
    )
    [rec] = records(path)
    assert rec.affiliations == [
        Organization(
            names=[
                ("Department of Biochemistry, University of Bristol, Bristol BS8 1TD, U.K.", "und")
            ]
        )
    ]
    assert all(a.affiliations == [] for a in rec.authors)


def test_a_long_affiliation_without_spaces_is_read_quickly(tmp_path: Path) -> None:
    long = "x" * 300_000 + "@" + "y" * 300_000
    path = variant(
        tmp_path,
        RETRACTED,
        ("<Initials>RJ</Initials>", f"<Initials>RJ</Initials><Affiliation>{long}</Affiliation>"),
    )
    [rec] = records(path)  # a quadratic search would take minutes
    assert rec.authors[0].affiliations[0].names[0][0] == long


def test_dates_pages_and_editors(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        BIOPYTHON,
        ("<Year>2001</Year><Month>Jun</Month>", "<MedlineDate>2001 Jun 12</MedlineDate>"),
        (
            "<StartPage>244</StartPage><EndPage>255</EndPage><MedlinePgn>244-55</MedlinePgn>",
            "<MedlinePgn>S244-8, 260</MedlinePgn>",
        ),
        (
            '<AuthorList CompleteYN="Y">',
            '<AuthorList Type="editors"><Author><LastName>Ed</LastName>'
            '</Author></AuthorList><AuthorList CompleteYN="Y">',
        ),
        ("<Year>2001</Year><Month>Nov</Month>", "<Year>2001</Year><Season>Winter</Season>"),
        (
            '<Author ValidYN="Y"><LastName>Testa</LastName>',
            '<Author ValidYN="N"><LastName>Testa</LastName>',
        ),
    )
    first, second = records(path)
    assert (first.date, first.printed) == ("2001-06-12", "2001-06-12")
    assert (first.first_page, first.last_page, first.page_range) == ("S244", "S248", "S244-S248")
    assert any("only the first range" in i.message for i in first.issues)
    assert "Ed" not in [a.family for a in first.authors] and len(first.authors) == 8
    assert second.printed == "2001-12"
    assert [a.family for a in second.authors] == [
        "Casieri",
        "Carpinelli",
        "Canese",
        "Podo",
        "De Luca",
    ]


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("123-9", ("123", "129")),
        ("557-65", ("557", "565")),
        ("1023-1031", ("1023", "1031")),
        ("S12-4", ("S12", "S14")),
        ("e1234", ("e1234", None)),
        ("k3225", ("k3225", None)),
        ("110408", ("110408", None)),
    ],
)
def test_medline_page_ranges_are_written_in_full(text: str, pages: tuple[str, str | None]) -> None:
    assert expand_pages(text) == pages


@pytest.mark.parametrize("text", ["129-23", "", "12 13", "iii-ix"])
def test_page_ranges_that_are_not(text: str) -> None:
    with pytest.raises(ValueError):
        expand_pages(text)


# --- retractions and other notices --------------------------------------------------------

NOTICE_TYPE = (
    '<PublicationType UI="D016428">Journal Article</PublicationType>',
    '<PublicationType UI="D016441">Retraction of Publication</PublicationType>',
)


def notice_of(ref_source: str, pmid: str = "11700088") -> tuple[str, str]:
    return (
        "<MeshHeadingList>",
        '<CommentsCorrectionsList><CommentsCorrections RefType="RetractionOf">'
        f'<RefSource>{ref_source}</RefSource><PMID Version="1">{pmid}</PMID>'
        "</CommentsCorrections></CommentsCorrectionsList><MeshHeadingList>",
    )


def test_a_retraction_notice_retracts_its_target_by_doi(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        BIOPYTHON,
        NOTICE_TYPE,
        notice_of("J Magn Reson. 2001 Nov;153(1):117-23. doi: 10.1006/jmre.2001.2429."),
    )
    notice, target = records(path)
    assert notice.kind == "retraction-notice"
    assert notice.updates == [
        Update(
            "10.1006/jmre.2001.2429",
            Status(
                "retracted",
                notice=Notice(doi="10.1006/cryo.2001.2328"),
                sources=[Source(doi="10.1006/cryo.2001.2328")],
            ),
        )
    ]
    assert target.statuses == []
    store, report = run(tmp_path, path)
    assert report.validation is not None and report.validation.conforms, report.summary()
    rows = select(
        store,
        "SELECT ?nd ?td WHERE { ?n a fabio:RetractionNotice ; prism:doi ?nd ; cito:retracts ?t . "
        "?t prism:doi ?td ; pso:holdsStatusInTime/pso:withStatus pso:retracted-from-publication }",
    )
    assert rows == [{"nd": "10.1006/cryo.2001.2328", "td": "10.1006/jmre.2001.2429"}]


def test_a_notice_naming_its_target_by_pmid_only_warns(tmp_path: Path) -> None:
    path = variant(
        tmp_path, BIOPYTHON, NOTICE_TYPE, notice_of("J Magn Reson. 2001 Nov;153(1):117-23")
    )
    notice, _ = records(path)
    assert notice.updates == [] and notice.kind == "journal-article"
    messages = " ".join(i.message for i in notice.issues)
    assert "PMID 11700088, not a DOI" in messages and "kg keeps it as a journal article" in messages
    _, report = run(tmp_path, path)
    assert report.validation is not None and report.validation.conforms, report.summary()


def test_a_notice_without_a_doi_gives_the_status_with_its_pubmed_page(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        RETRACTED,
        (
            "<PublicationType>Retracted Publication</PublicationType>",
            "<PublicationType>Retraction of Publication</PublicationType>",
        ),
        (
            '<CommentsCorrections RefType="RetractionIn">',
            '<CommentsCorrections RefType="RetractionOf">',
        ),
        (
            "Biochem J. 1977 Apr 15;164(1):287-8",
            "Biochem J. 1977 Apr 15;164(1):287-8. doi: 10.1042/bj1640287",
        ),
    )
    [rec] = records(path)
    assert rec.kind == "journal-article" and rec.statuses == []
    assert rec.updates == [
        Update(
            "10.1042/bj1640287",
            Status(
                "retracted",
                notice=Notice(url="https://pubmed.ncbi.nlm.nih.gov/993/"),
                sources=[Source(name="PubMed", record_id="993")],
            ),
        )
    ]
    _, report = run(tmp_path, path)
    assert report.validation is not None and report.validation.conforms, report.summary()


def test_erratum_and_expression_of_concern_links(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        RETRACTED,
        (
            '<CommentsCorrections RefType="RetractionIn">',
            '<CommentsCorrections RefType="ErratumIn">',
        ),
        ("<PublicationType>Retracted Publication</PublicationType>", ""),
        (
            "</CommentsCorrectionsList>",
            '<CommentsCorrections RefType="ExpressionOfConcernIn"><RefSource>Biochem J. 1976. '
            "doi: 10.1042/bj0000001</RefSource></CommentsCorrections></CommentsCorrectionsList>",
        ),
    )
    [rec] = records(path)
    assert [(s.kind, s.notice) for s in rec.statuses] == [
        ("corrected", Notice(url="https://pubmed.ncbi.nlm.nih.gov/195582/")),
        ("expression-of-concern", Notice(doi="10.1042/bj0000001")),
    ]


def test_a_retracted_title_gives_the_status(tmp_path: Path) -> None:
    path = variant(
        tmp_path, BIOPYTHON, ("<ArticleTitle>Is cryo", "<ArticleTitle>RETRACTED: Is cryo")
    )
    first, _ = records(path)
    assert first.titles[0][0].startswith("Is cryopreservation")
    assert first.shown_title is not None and first.shown_title[0].startswith("RETRACTED: ")
    assert first.statuses == [
        Status("retracted", sources=[Source(name="PubMed", record_id="11748933")])
    ]


# --- other roots and elements --------------------------------------------------------------


def test_book_articles_are_skipped_and_delete_citations_passed_over(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        BIOPYTHON,
        (
            "<PubmedArticle>",
            "<PubmedBookArticle><BookDocument><PMID>20301295</PMID></BookDocument>"
            "</PubmedBookArticle><DeleteCitation><PMID>1</PMID></DeleteCitation><PubmedArticle>",
        ),
    )
    got = results(path)
    assert isinstance(got[0], Skipped)
    assert got[0].kind == "PubMed book article"
    assert got[0].origin.record == "article 1 (line 4) [PMID 20301295]"
    assert [r.pmid for r in got[1:] if isinstance(r, Record)] == ["11748933", "11700088"]


def test_a_medline_citation_set_and_a_single_article(tmp_path: Path) -> None:
    text = RETRACTED.read_text(encoding="utf-8")
    citation = text[text.index("<MedlineCitation ") : text.index("<PubmedData>")]
    old = tmp_path / "medline.xml"
    old.write_text(f"<MedlineCitationSet>{citation}</MedlineCitationSet>", encoding="utf-8")
    [rec] = records(old)
    assert (rec.pmid, rec.origin.record) == ("993", "article 1 (line 1) [PMID 993]")
    assert rec.statuses[0].kind == "retracted"
    single = tmp_path / "single.xml"
    article = text[text.index("<PubmedArticle>") : text.index("</PubmedArticleSet>")]
    single.write_text(article, encoding="utf-8")
    assert [r.pmid for r in records(single)] == ["993"]


def test_named_entities_are_read_from_the_html_table(tmp_path: Path) -> None:
    path = variant(
        tmp_path, RETRACTED, ("<ArticleTitle>The stim", "<ArticleTitle>&eacute;&beta; The stim")
    )
    [rec] = records(path)
    assert rec.titles[0][0].startswith("éβ The stim")


# --- bad articles and bad files -------------------------------------------------------------


ARTICLE_2 = '<Article PubModel="Print"><Journal><ISSN IssnType="Print">1090-7807'
ARTICLE_2_END = "</Article><MedlineJournalInfo><Country>United States"


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        (
            [('<PMID Version="1">11700088</PMID>', "<PMID>x1</PMID>")],
            "MedlineCitation/PMID",
            "'x1' is not a number",
        ),
        ([('<PMID Version="1">11700088</PMID>', "")], "MedlineCitation/PMID", "no PMID"),
        (
            [
                (ARTICLE_2, ARTICLE_2.replace("<Article ", "<Paper ")),
                (ARTICLE_2_END, ARTICLE_2_END.replace("</Article>", "</Paper>")),
            ],
            "MedlineCitation/Article",
            "the citation has no Article",
        ),
    ],
)
def test_a_bad_article_is_rejected_naming_it_and_the_element(
    tmp_path: Path, changes: list[tuple[str, str]], field: str, problem: str
) -> None:
    path = variant(tmp_path, BIOPYTHON, *changes, name="bad.xml")
    got = results(path)
    assert isinstance(got[0], Record) and got[0].pmid == "11748933"  # the good one comes through
    assert isinstance(got[1], Reject), got
    loc = got[1].error.location
    assert loc.path == "bad.xml"
    assert loc.record is not None and loc.record.startswith("article 2 (line 4)")
    assert loc.field == field and problem in got[1].error.problem
    assert got[1].raw.startswith("<PubmedArticle>")


def test_a_character_xml_forbids_ends_the_file_at_its_line(tmp_path: Path) -> None:
    path = variant(
        tmp_path, RETRACTED, ("Noradrenaline stimulated", "Noradrenaline &#1; stimulated")
    )
    [reject] = results(path)
    assert isinstance(reject, Reject)
    assert reject.error.location.record == "line 42"
    assert "broken XML at line 42" in reject.error.problem


def test_an_article_without_title_or_doi_is_rejected(tmp_path: Path) -> None:
    title = re.search(r"<ArticleTitle>.*</ArticleTitle>", RETRACTED.read_text())
    assert title is not None
    path = variant(tmp_path, RETRACTED, (title.group(), "<ArticleTitle/>"))
    [reject] = results(path)
    assert isinstance(reject, Reject)
    assert str(reject.error.location) == (
        "v.xml: article 1 (line 5) [PMID 993]: field 'Article/ArticleTitle'"
    )


def test_a_file_cut_off_keeps_the_articles_before(tmp_path: Path) -> None:
    data = NCBIUTILS.read_bytes()
    cut = data.index(b'<PMID Version="1">30158200') + 10
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    got = results(path)
    assert [r.pmid for r in got if isinstance(r, Record)] == ["35196497", "33278872", "24792780"]
    assert isinstance(got[-1], Reject) and len(got) == 4
    assert got[-1].error.location.record == "line 654"
    assert "truncated" in got[-1].error.problem


def test_a_broken_byte_on_the_last_line_is_not_called_a_cut(tmp_path: Path) -> None:
    data = BIOPYTHON.read_bytes()  # the articles are all on line 4, the last line
    at = data.index(b"Proton MRI")
    path = tmp_path / "flipped.xml"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
    got = results(path)
    assert isinstance(got[0], Record) and isinstance(got[-1], Reject)
    assert got[-1].error.problem.startswith("broken XML at line 4, column ")
    assert "truncated" not in got[-1].error.problem


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>\n"
    )
    [reject] = results(path)
    assert isinstance(reject, Reject)
    assert reject.error.location.record == "line 3" and "entities" in reject.error.problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<article><front/></article>", "not PubMed XML: the root element is <article>"),
        ("<PubmedArticleSet></PubmedArticleSet>", "holds no <PubmedArticle>"),
        ("", "empty"),
        ("PMID- 123\nTI  - a title\n", "not an XML document"),
    ],
)
def test_files_that_are_not_pubmed_xml(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "x.xml"
    path.write_text(text)
    [reject] = results(path)
    assert isinstance(reject, Reject) and problem in reject.error.problem, reject


# --- robustness: mutated real samples -------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_mutated_samples_are_read_or_rejected_never_a_traceback(
    tmp_path: Path, sample: Path
) -> None:
    data = sample.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data))):
        path = tmp_path / f"m{i}.xml"
        path.write_bytes(mutated)
        got = results(path)  # any exception fails the test
        assert got, i
        for item in got:
            assert isinstance(item, Record | Reject | Skipped), (i, item)
            if isinstance(item, Reject):
                assert item.error.location.path == path.name
                assert item.error.problem
