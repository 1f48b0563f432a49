"""JATS XML: the real samples field by field, notices, and files that must be refused safely."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.readers.jats
from kg.build.pipeline import BuildReport, build
from kg.readers import Reject, Skipped, detect_reader
from kg.readers.jats import read
from kg.records import (
    Address,
    Author,
    Notice,
    Organization,
    Record,
    Source,
    Status,
    Update,
)

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS / "data" / "samples" / "jats_xml"
ELIFE = SAMPLES / "elife" / "elife00005.xml"
PONE = SAMPLES / "pmc_oa" / "pone.0000217.nxml"
CASES = TESTS / "cases" / "formats" / "jats"
NOTICE = CASES / "retraction_notice.xml"
TARGET = CASES / "retracted_target.xml"
BASE = "https://example.org/kg/"
P = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
"""
DOCTYPE = (
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange '
    'DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">'
)


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


def results(path: Path) -> list[Record | Reject | Skipped]:
    return list(read(path, path.name))


def one(path: Path) -> Record:
    got = results(path)
    assert len(got) == 1 and isinstance(got[0], Record), got
    return got[0]


def only_reject(path: Path) -> Reject:
    got = results(path)
    assert len(got) == 1 and isinstance(got[0], Reject), got
    return got[0]


def article(
    tmp_path: Path,
    meta: str,
    *,
    article_type: str = "research-article",
    doctype: bool = True,
    name: str = "a.xml",
    extra: str = "",
) -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + (DOCTYPE if doctype else "")
        + '\n<article xmlns:xlink="http://www.w3.org/1999/xlink" '
        + f'article-type="{article_type}"{extra}>\n<front><article-meta>\n'
        + meta
        + "\n</article-meta></front></article>\n",
        encoding="utf-8",
    )
    return path


TITLE = "<title-group><article-title>A title</article-title></title-group>"


# --- the real samples ------------------------------------------------------------------


@pytest.mark.parametrize("sample", [ELIFE, PONE], ids=lambda p: p.name)
def test_every_jats_sample_builds_and_validates(tmp_path: Path, sample: Path) -> None:
    _, report = run(tmp_path, sample)
    assert report.files[0].reader == "jats"
    assert report.rejects == []
    assert report.built == 1 and report.skipped == 0
    assert report.validation is not None and report.validation.conforms, report.summary()
    assert report.exit_code == 0


def test_both_samples_together(tmp_path: Path) -> None:
    store, report = run(tmp_path, SAMPLES)
    assert (report.records, report.built, len(report.rejects)) == (2, 2, 0)
    assert report.validation is not None and report.validation.conforms
    rows = select(
        store, "SELECT ?a ?d WHERE { ?a a fabio:JournalArticle ; prism:doi ?d } ORDER BY ?d"
    )
    assert [r["d"] for r in rows] == ["10.1371/journal.pone.0000217", "10.7554/elife.00005"]


def test_elife_sample_values() -> None:
    rec = one(ELIFE)
    assert rec.kind == "journal-article"
    assert rec.doi == "10.7554/elife.00005"
    assert rec.titles == [("Molecular architecture of human polycomb repressive complex 2", "en")]
    assert rec.language == "en"
    assert rec.journal is not None
    assert rec.journal.titles == [("eLife", "und")]
    assert (rec.journal.issn_print, rec.journal.issn_online, rec.journal.issn_l) == (
        None,
        "2050-084X",
        None,
    )
    assert rec.journal.publisher == Organization(
        names=[("eLife Sciences Publications, Ltd", "und")]
    )
    assert (rec.volume, rec.issue) == ("1", None)
    assert (rec.first_page, rec.last_page, rec.page_range) == ("e00005", None, None)
    # pub-date date-type="pub" publication-format="electronic"; the collection year is not a date
    assert (rec.year, rec.date, rec.online, rec.printed) == (2012, "2012-10-30", "2012-10-30", None)
    assert [a.name for a in rec.authors] == [
        "Claudio Ciferri",
        "Gabriel C Lander",
        "Alessio Maiolica",
        "Franz Herzog",
        "Ruedi Aebersold",
        "Eva Nogales",
    ]  # the reviewing editor is not an author
    assert (rec.authors[1].family, rec.authors[1].given) == ("Lander", "Gabriel C")
    assert all(a.orcid is None for a in rec.authors)
    berkeley = Address(locality="Berkeley", country="United States")
    zurich = Address(locality="Zurich", country="Switzerland")
    assert rec.authors[0].affiliations == [
        Organization(
            names=[("Department of Molecular and Cell Biology, University of California", "und")],
            address=berkeley,
        )
    ]
    assert [o.names[0][0] for o in rec.authors[4].affiliations] == [
        "Department of Biology, Institute of Molecular Systems Biology, ETH Zurich",
        "Faculty of Science, University of Zurich",
    ]
    assert rec.authors[4].affiliations[1].address == zurich
    assert [o.names[0][0] for o in rec.authors[5].affiliations] == [
        "Department of Molecular and Cell Biology, University of California",
        "Life Sciences Division, Lawrence Berkeley National Laboratory",
        "Howard Hughes Medical Institute, UC Berkeley",
    ]
    assert rec.keywords == [
        ("cryo-EM", "en"),
        ("Gene silencing", "en"),
        ("labeling", "en"),
        ("chemical cross-linking", "en"),
        ("chromatin", "en"),
        ("Human", "en"),
    ]
    assert rec.subjects == ["Biophysics and structural biology"]
    assert rec.licenses == ["http://creativecommons.org/licenses/by/3.0/"]
    # the main abstract only (not the eLife digest), without its trailing "DOI: ..." paragraph
    assert len(rec.abstracts) == 1
    text, lang = rec.abstracts[0]
    assert lang == "en"
    assert text.startswith("Polycomb Repressive Complex 2 (PRC2) is essential for gene silencing")
    assert text.endswith("chromatin-based regulation of PRC2 activity.")
    assert "DOI" not in text and "\n" not in text
    assert rec.issues == [] and rec.statuses == [] and rec.updates == []


def test_pmc_sample_values() -> None:
    rec = one(PONE)
    assert rec.doi == "10.1371/journal.pone.0000217"
    assert rec.pmid == "17299597"
    assert rec.titles == [
        ("Quantifying Organismal Complexity using a Population Genetic Approach", "en")
    ]
    assert rec.journal is not None
    assert rec.journal.titles == [("PLoS ONE", "und")]  # NLM 2.3: journal-title without a group
    assert (rec.journal.issn_print, rec.journal.issn_online) == (None, "1932-6203")  # pub-type epub
    assert rec.journal.publisher == Organization(names=[("Public Library of Science", "und")])
    assert (rec.volume, rec.issue, rec.first_page, rec.last_page) == ("2", "2", "e217", None)
    assert (rec.year, rec.date, rec.online, rec.printed) == (2007, "2007-02-14", "2007-02-14", None)
    assert [(a.given, a.family) for a in rec.authors] == [
        ("Olivier", "Tenaillon"),
        ("Olin K.", "Silander"),
        ("Jean-Philippe", "Uzan"),
        ("Lin", "Chao"),
    ]
    inserm = (
        "Institut National de la Santé et de la Recherche Médicale (INSERM) U722, Faculté de "
        "Médecine Xavier Bichat, Université Denis Diderot-Paris VII, Paris, France"
    )
    ucsd = (
        "Division of Biology, University of California San Diego, La Jolla, California, "
        "United States of America"
    )
    eth = (
        "Eidgenössische Technische Hochschule (ETH) Zurich, Ecology and Evolution, ETH-Zentrum "
        "NW, Zurich, Switzerland"
    )
    # affiliations without <institution> are kept as printed, without their label "1"
    assert [[o.names[0][0] for o in a.affiliations] for a in rec.authors] == [
        [inserm, ucsd],
        [ucsd, eth],
        [
            "Institut d'Astrophysique de Paris, Université Pierre et Marie Curie-Paris VI, "
            "Centre National de la Recherche Scientifique (CNRS) UMR 7095, Paris, France"
        ],
        [ucsd],
    ]
    assert rec.keywords == []
    # the "Research Article" heading repeats the article type: not a subject
    assert rec.subjects[:2] == ["Evolutionary Biology", "Computational Biology/Systems Biology"]
    assert "Research Article" not in rec.subjects and len(rec.subjects) == 6
    paragraphs = rec.abstracts[0][0].split("\n\n")
    assert paragraphs[0] == "Background"
    assert paragraphs[1].startswith("Various definitions of biological complexity")
    assert paragraphs[2] == "Methodology"
    assert paragraphs[4] == "Conclusions/Significance"
    assert len(paragraphs) == 6


def test_sample_graph_has_typed_issn_and_authors(tmp_path: Path) -> None:
    store, _ = run(tmp_path, ELIFE, validate=False)
    rows = select(
        store,
        """SELECT ?e WHERE { ?a prism:doi "10.7554/elife.00005" ;
        frbr:partOf+ ?j . ?j prism:eIssn ?e }""",
    )
    assert rows == [{"e": "2050-084X"}]
    assert select(store, "SELECT ?i WHERE { ?j prism:issn ?i }") == []


def test_detection_and_gzip(tmp_path: Path) -> None:
    assert detect_reader(PONE) == "jats"
    gz = tmp_path / "pone.0000217.nxml.gz"
    with gzip.open(gz, "wb") as f:
        f.write(PONE.read_bytes())
    assert detect_reader(gz) == "jats"
    assert one(gz).doi == one(PONE).doi
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gz.read_bytes()[:2000])
    rej = only_reject(cut)
    assert "compressed file is cut off" in rej.error.problem


# --- hand-made fixtures: the parts of JATS the samples lack ---------------------------------


def test_orcid_ror_typed_issns_pages_and_translations() -> None:
    rec = one(TARGET)
    assert rec.doi == "10.5555/jats.target.1" and rec.pmid == "12345678"
    # &nbsp; comes from the DTD kg does not load; the footnote marker is not part of the title
    assert rec.titles == [
        ("Effects of testing on tests", "en"),
        ("Влияние тестирования на тесты", "ru"),
    ]
    assert rec.subtitles == [("A study in vitro", "en")]
    assert rec.journal is not None
    assert (rec.journal.issn_print, rec.journal.issn_online, rec.journal.issn_l) == (
        "0317-8471",
        "1050-124X",
        "0317-8471",
    )
    assert (rec.first_page, rec.last_page, rec.page_range) == ("513", "523", "513-523")
    assert (rec.printed, rec.online, rec.year, rec.date) == (
        "2021-03",
        "2021-01-02",
        2021,
        "2021-01-02",
    )
    assert rec.authors == [
        Author(
            name="Josiah Carberry",
            family="Carberry",
            given="Josiah",
            orcid="0000-0002-1825-0097",
            affiliations=[
                Organization(
                    names=[("Department of Psychoceramics, Brown University", "und")],
                    ror="05gq02987",
                    address=Address(
                        street="69 Brown Street",
                        postal_code="02912",
                        locality="Providence",
                        region="RI",
                        country="USA",
                    ),
                )
            ],
        ),
        Author(
            name="Ana Lima",
            family="Lima",
            given="Ana",
            affiliations=[
                Organization(
                    names=[("Universidade de Teste", "und")],
                    address=Address(locality="Lisboa", country="Portugal"),
                )
            ],
        ),
        Author(name="The Test Consortium"),
    ]
    assert rec.keywords == [("testing", "en"), ("meta-tests", "en"), ("тестирование", "ru")]
    assert rec.abstracts == [
        ("Tests were tested in vitro at p < 0.05…\n\nSecond & last paragraph.", "en")
    ]
    assert rec.licenses == ["https://creativecommons.org/licenses/by/4.0/"]
    assert rec.issues == []


def test_retraction_notice_record() -> None:
    rec = one(NOTICE)
    assert rec.kind == "retraction-notice"
    assert rec.titles == [("Retraction: Effects of testing on tests", "en")]  # kept whole
    assert rec.shown_title is None and rec.statuses == []
    assert rec.updates == [
        Update(
            "10.5555/jats.target.1",
            Status(
                "retracted",
                date="2023-09-14",
                notice=Notice(doi="10.5555/jats.notice.1"),
                sources=[Source(doi="10.5555/jats.notice.1", name="publisher")],
            ),
        )
    ]


def test_the_notice_retracts_the_target_article(tmp_path: Path) -> None:
    store, report = run(tmp_path, CASES / "retraction_notice.xml", TARGET)
    assert report.rejects == [] and report.built == 2
    assert report.validation is not None and report.validation.conforms, report.summary()
    rows = select(
        store,
        """SELECT ?notice ?target ?date ?src WHERE {
            ?notice a fabio:RetractionNotice ; cito:retracts ?target .
            ?target a fabio:JournalArticle ; cito:isRetractedBy ?notice ;
                fabio:hasRetractionDate ?date ;
                pso:holdsStatusInTime ?s .
            ?s pso:withStatus pso:retracted-from-publication ; prov:wasDerivedFrom ?src .
        }""",
    )
    assert rows == [
        {
            "notice": f"{BASE}doi/10.5555/jats.notice.1",
            "target": f"{BASE}doi/10.5555/jats.target.1",
            "date": "2023-09-14",
            "src": f"{BASE}doi/10.5555/jats.notice.1",
        }
    ]
    # the notice holds no status of its own
    assert (
        select(store, "SELECT ?s WHERE { ?n a fabio:RetractionNotice ; pso:holdsStatusInTime ?s }")
        == []
    )


def test_a_notice_alone_leaves_its_target_known_by_doi(tmp_path: Path) -> None:
    store, report = run(tmp_path, NOTICE)
    assert report.rejects == [] and report.named_only == 1
    assert report.validation is not None and report.validation.conforms
    assert select(
        store, f"SELECT ?d WHERE {{ <{BASE}doi/10.5555/jats.target.1> prism:doi ?d }}"
    ) == [{"d": "10.5555/jats.target.1"}]


def test_correction_and_expression_of_concern(tmp_path: Path) -> None:
    meta = (
        '<article-id pub-id-type="doi">10.5555/n.2</article-id>'
        + TITLE
        + '<pub-date pub-type="epub"><day>1</day><month>2</month><year>2020</year></pub-date>'
        + '<related-article related-article-type="{t}" ext-link-type="doi" '
        'xlink:href="https://doi.org/10.5555/x.1"/>'
    )
    rec = one(article(tmp_path, meta.format(t="corrected-article"), article_type="correction"))
    assert rec.kind == "correction"
    assert [(u.target_doi, u.status.kind, u.status.date) for u in rec.updates] == [
        ("10.5555/x.1", "corrected", "2020-02-01")
    ]
    rec = one(
        article(tmp_path, meta.format(t="object-of-concern"), article_type="expression-of-concern")
    )
    assert rec.kind == "journal-article"
    assert [u.status.kind for u in rec.updates] == ["expression-of-concern"]


def test_a_notice_naming_its_target_by_pmc_id_only_is_an_article_with_a_warning(
    tmp_path: Path,
) -> None:
    meta = (
        '<article-id pub-id-type="doi">10.5555/n.3</article-id>'
        + TITLE
        + '<related-article related-article-type="retracted-article" ext-link-type="pmc" '
        'xlink:href="PMC4113230"/>'
    )
    rec = one(article(tmp_path, meta, article_type="retraction"))
    assert rec.kind == "journal-article" and rec.updates == []
    assert [i.field for i in rec.issues] == ["related-article[1]", "related-article"]
    assert "PMC4113230" in rec.issues[0].message


def test_a_retracted_title_gives_the_article_its_status(tmp_path: Path) -> None:
    meta = "<title-group><article-title>RETRACTED: Bad science</article-title></title-group>"
    rec = one(article(tmp_path, meta))
    assert rec.titles == [("Bad science", "en")]
    assert rec.shown_title == ("RETRACTED: Bad science", "en")
    assert [s.kind for s in rec.statuses] == ["retracted"]


def test_other_article_types_are_skipped_and_counted(tmp_path: Path) -> None:
    path = article(tmp_path, TITLE, article_type="announcement")
    got = results(path)
    assert len(got) == 1 and isinstance(got[0], Skipped) and got[0].kind == "announcement"
    _, report = run(tmp_path, path, validate=False)
    assert report.skipped == 1 and report.rejects == []


def test_language_and_named_entities(tmp_path: Path) -> None:
    meta = (
        "<title-group><article-title>Caf&eacute;&nosuchentity; au lait</article-title>"
        "</title-group>"
    )
    rec = one(article(tmp_path, meta, extra=' xml:lang="fr"'))
    assert rec.language == "fr"
    assert rec.titles == [("Café au lait", "fr")]
    assert [i.field for i in rec.issues] == ["article-title"]
    assert "&nosuchentity;" in rec.issues[0].message
    # without a DOCTYPE a named entity is not well-formed XML: the file is refused
    rej = only_reject(article(tmp_path, meta, doctype=False, name="b.xml"))
    assert rej.error.location.record == "line 5"
    assert rej.error.problem == "broken XML at line 5, column 40: Entity 'eacute' not defined"


def test_a_namespaced_article_reads_like_any_other(tmp_path: Path) -> None:
    path = tmp_path / "ns.xml"
    path.write_text(
        '<article xmlns="http://jats.nlm.nih.gov/ns/archiving/1.3/"><front><article-meta>'
        '<article-id pub-id-type="doi">10.5555/ns.1</article-id>'
        + TITLE
        + "</article-meta></front></article>",
        encoding="utf-8",
    )
    rec = one(path)
    assert (rec.doi, rec.titles) == ("10.5555/ns.1", [("A title", "en")])


@pytest.mark.parametrize(
    "meta, field, problem",
    [
        (
            '<article-id pub-id-type="doi">not a doi</article-id>' + TITLE,
            "article-id",
            "'not a doi' is not a DOI",
        ),
        (
            '<article-id pub-id-type="pmid">123</article-id>',
            "title-group/article-title",
            "no title and no DOI",
        ),
    ],
)
def test_bad_articles_are_rejected_naming_the_element(
    tmp_path: Path, meta: str, field: str, problem: str
) -> None:
    rej = only_reject(article(tmp_path, meta))
    assert rej.error.location.field == field
    assert problem in rej.error.problem
    assert isinstance(rej.raw, str) and rej.raw.startswith("<front")


# --- files that must be refused, cleanly and at once -------------------------------------


def test_xxe_is_refused_without_reading_the_entity() -> None:
    rej = only_reject(CASES / "xxe.xml")
    assert rej.error.location.record == "line 2"
    assert "declares entities" in rej.error.problem and "XXE" in rej.error.problem
    assert "root:" not in str(rej.error)  # nothing of /etc/passwd


def test_billion_laughs_is_refused() -> None:
    rej = only_reject(CASES / "billion_laughs.xml")
    assert rej.error.location.record == "line 3"
    assert "billion laughs" in rej.error.problem


def test_entities_declared_past_the_first_bytes_are_refused_too(tmp_path: Path) -> None:
    # a long comment pushes the declaration beyond the first chunk kg looks at
    path = tmp_path / "late.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE article [\n<!--' + "x" * 100_000 + "-->\n"
        '<!ENTITY e "boom">]>\n<article><front><article-meta>'
        "<title-group><article-title>&e;</article-title></title-group>"
        "</article-meta></front></article>\n",
        encoding="utf-8",
    )
    rej = only_reject(path)
    assert "declares entities" in rej.error.problem


def test_a_truncated_file_names_the_line() -> None:
    rej = only_reject(CASES / "truncated.xml")
    assert rej.error.location.record == "line 32"
    assert rej.error.problem.startswith("the file ends before the document does (truncated?)")


def test_a_broken_article_set_keeps_the_articles_before_the_break(tmp_path: Path) -> None:
    body = TARGET.read_text(encoding="utf-8").split("<article ", 1)[1]
    whole = "<article " + body.strip().replace("&nbsp;", " ").replace("&hellip;", "")  # no DOCTYPE
    path = tmp_path / "set.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<pmc-articleset>\n' + whole + "\n" + whole[:1500],
        encoding="utf-8",
    )
    got = results(path)
    assert [type(r).__name__ for r in got] == ["Record", "Reject"]
    assert isinstance(got[0], Record) and got[0].doi == "10.5555/jats.target.1"
    assert isinstance(got[1], Reject) and "truncated" in got[1].error.problem
    # a mismatched tag in the middle is broken XML, named by line
    path.write_text(
        "<pmc-articleset>\n" + whole + "\n<article><front></article>\n</pmc-articleset>",
        encoding="utf-8",
    )
    got = results(path)
    assert isinstance(got[1], Reject)
    assert got[1].error.problem.startswith("broken XML at line")


def test_not_jats_is_refused() -> None:
    rej = only_reject(CASES / "not_jats.xml")
    assert rej.error.location.record == "line 2"
    assert "not a JATS article: the root element is <rss>" in rej.error.problem


@pytest.mark.parametrize("text", ["", "plain text, not XML"])
def test_empty_and_non_xml_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.xml"
    path.write_text(text, encoding="utf-8")
    rej = only_reject(path)
    assert "empty" in rej.error.problem or "not an XML document" in rej.error.problem


def test_files_over_the_size_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.readers.jats, "MAX_BYTES", 10_000)
    big = tmp_path / "big.xml"
    shutil.copy(ELIFE, big)
    rej = only_reject(big)
    assert "larger than" in rej.error.problem


@pytest.mark.parametrize(
    "fixture", ["xxe.xml", "billion_laughs.xml", "truncated.xml", "not_jats.xml"]
)
def test_hostile_fixtures_give_one_reject_in_a_build(tmp_path: Path, fixture: str) -> None:
    _, report = run(tmp_path, CASES / fixture, validate=False)
    assert report.built == 0 and len(report.rejects) == 1
    assert report.exit_code == 3
