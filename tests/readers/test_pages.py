"""Journal landing pages: HTML meta tags and the text layout of Liberal Arts in Russia."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from mutations import mutations

import kg.readers.pages
from kg.build.pipeline import BuildReport, build
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.readers import ReadResult, Reject, detect_reader, find_sources
from kg.readers.pages import read
from kg.records import Address, Record

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
SEED_TEXT = TESTS / "data" / "seeds" / "000_b38ef33120e0b10c.txt"
SEED_RECORD = ROOT / "data" / "libartrus-2015-seed.json"
PAGES = TESTS / "cases" / "formats" / "pages"
OJS = PAGES / "ojs-article.html"
HIGHWIRE = PAGES / "highwire-several-authors.html"
DC_ONLY = PAGES / "dc-only.html"
RUSSIAN = PAGES / "libartrus-ru-2012-1-1-30.txt"
FIXTURES = [OJS, HIGHWIRE, DC_ONLY, RUSSIAN]
BASE = "https://example.org/kg/"
HASURL = "<http://purl.org/spar/fabio/hasURL>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def results(path: Path) -> list[ReadResult]:
    return list(read(path, path.name))


def one(path: Path) -> Record:
    [rec] = results(path)
    assert isinstance(rec, Record), rec
    return rec


def reject(path: Path) -> str:
    [r] = results(path)
    assert isinstance(r, Reject), r
    return str(r.error)


def messages(rec: Record) -> list[str]:
    return [f"{i.field}: {i.message}" for i in rec.issues]


def nt_build(tmp_path: Path, source: Path, name: str) -> tuple[list[str], BuildReport]:
    out = tmp_path / f"{name}.nt"
    report = build([source], out, validate=True)
    assert report.exit_code == 0 and report.validation is not None
    assert report.validation.conforms
    assert report.rejects == []
    return out.read_text(encoding="utf-8").splitlines(), report


# ---------------------------------------------------------------- the seed (done-when)


def _article(lines: list[str]) -> str:
    [article] = [
        line.split(" ", 1)[0]
        for line in lines
        if f"{TYPE} <http://purl.org/spar/fabio/JournalArticle>" in line
    ]
    return article


def _org(lines: list[str]) -> str:
    [org] = [
        line.rsplit(" ", 2)[1]
        for line in lines
        if "<http://purl.org/spar/pro/relatesToOrganization>" in line
    ]
    return org


def test_the_seed_page_builds_to_the_seed_records_description(tmp_path: Path) -> None:
    """The done-when test: the text of the seed page and data/libartrus-2015-seed.json
    describe the same article, with the same IRI, triple for triple.

    Left aside, because the page does not carry them: the ROR id of Tomsk
    Polytechnic University (00a45v709), which names the organisation's node in
    the record (org/ror/...) and gives it a ROR identifier; the page's URL
    (fabio:hasURL) and, with it, the source of the retracted status
    (prov:wasDerivedFrom the URL in the record; the journal, by title, for the
    page). Everything else must be identical.
    """
    record_lines, _ = nt_build(tmp_path, SEED_RECORD, "record")
    page_lines, report = nt_build(tmp_path, SEED_TEXT, "page")
    assert report.files[0].reader == "page" and report.built == 1

    article = _article(record_lines)
    assert _article(page_lines) == article  # the same IRI: journal ISSN, volume, issue, page
    assert article == f"<{BASE}article/bcf96571b94ec4a4>"

    record_org, page_org = _org(record_lines), _org(page_lines)
    assert record_org == f"<{BASE}org/ror/00a45v709>"

    def comparable(lines: list[str], org: str) -> set[str]:
        sources = {
            line.split(" ", 3)[2] for line in lines if f" {DERIVED} " in line
        }  # the status's source nodes
        kept = set()
        for line in lines:
            subject = line.split(" ", 1)[0]
            if f" {HASURL} " in line or f" {DERIVED} " in line or subject in sources:
                continue
            if "/identifier/ror/" in line:
                continue
            kept.add(line.replace(org[:-1], "<ORG"))
        return kept

    record_set = comparable(record_lines, record_org)
    page_set = comparable(page_lines, page_org)
    assert page_set == record_set
    # and the description really is there (not two empty sets)
    text = "\n".join(sorted(page_set))
    for expected in (
        '"RETRACTED: Cluster management model of the region development as the basis for '
        'ensuring the integration of science, education and production"@en',
        "<http://purl.org/dc/terms/language> <http://id.loc.gov/vocabulary/iso639-1/ru>",
        '<http://prismstandard.org/namespaces/basic/2.0/issn> "2305-8420"',
        '<http://prismstandard.org/namespaces/basic/2.0/eIssn> "2312-6442"',
        '<http://prismstandard.org/namespaces/basic/2.0/keyword> "strategic planning"@en',
        '<http://www.w3.org/2006/vcard/ns#street-address> "30 Lenin Ave."',
        '<http://xmlns.com/foaf/0.1/name> "Tomsk Polytechnic University"@en',
        "<http://purl.org/spar/pso/withStatus> <http://purl.org/spar/pso/retracted-from-publication>",
    ):
        assert expected in text
    assert len(page_set) == 50


def test_the_seed_page_record() -> None:
    rec = one(SEED_TEXT)
    title = (
        "Cluster management model of the region development as the basis for ensuring "
        "the integration of science, education and production"
    )
    assert rec.titles == [(title, "en")]
    assert rec.shown_title == ("RETRACTED: " + title, "en")
    assert rec.language == "ru"  # "Get the full text (Russian)"; the page itself is English
    assert (rec.year, rec.volume, rec.issue) == (2015, "4", "6")
    assert (rec.first_page, rec.last_page, rec.page_range) == ("513", "523", "513-523")
    assert rec.journal is not None
    assert rec.journal.titles == [("Liberal Arts in Russia", "en")]
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("2305-8420", "2312-6442")
    [author] = rec.authors
    assert (author.name, author.family, author.given) == ("Kartashova A. A.", "Kartashova", "A. A.")
    [org] = author.affiliations
    assert org.names == [("Tomsk Polytechnic University", "en")]
    assert org.address == Address("30 Lenin Ave.", "634050", "Tomsk", None, "Russia")
    [abstract] = rec.abstracts
    assert abstract[1] == "en" and abstract[0].startswith("The aim of the article is to trace")
    assert abstract[0].endswith("between science, business and regional authorities.")
    assert [k for k, _ in rec.keywords] == [
        "regional clusters",
        "integration",
        "regional development",
        "strategic planning",
        "science",
        "education",
        "production",
    ]
    [status] = rec.statuses
    assert status.kind == "retracted"
    assert [s.name for s in status.sources] == ["Liberal Arts in Russia"]
    assert rec.doi is None and rec.url is None and rec.issues == []


def test_the_seed_page_gzipped_reads_the_same(tmp_path: Path) -> None:
    gz = tmp_path / "seed.txt.gz"
    gz.write_bytes(gzip.compress(SEED_TEXT.read_bytes()))
    a, b = one(SEED_TEXT), one(gz)
    a.origin = b.origin
    assert a == b


def test_page_files_go_to_the_page_reader(tmp_path: Path) -> None:
    for name in ("a.html", "b.htm", "c.txt", "d.html.gz", "e.txt.gz"):
        (tmp_path / name).write_bytes(b"x")
        assert detect_reader(tmp_path / name) == "page"
    assert {s.reader for s in find_sources([tmp_path])} == {"page"}


# ---------------------------------------------------------------- the text layout


def test_russian_interface_page() -> None:
    rec = one(RUSSIAN)
    assert rec.titles == [("Гуманитарное знание в структуре университетского образования", "ru")]
    assert rec.shown_title is None and rec.statuses == []
    assert rec.language == "ru"
    assert (rec.year, rec.volume, rec.issue, rec.page_range) == (2012, "1", "1", "30-35")
    assert rec.journal is not None
    # no journal title in "2012. Том 1. №1. С. 30-35.": the logo line's text gives it
    assert rec.journal.titles == [("Российский гуманитарный журнал", "ru")]
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("2305-8420", "2312-6442")
    assert [(a.name, a.family, a.given) for a in rec.authors] == [
        ("Соколова Н. В.", "Соколова", "Н. В."),
        ("Терентьев И. П.", "Терентьев", "И. П."),
    ]
    for author in rec.authors:  # one affiliation: every author listed has it
        [org] = author.affiliations
        assert org.names == [("Томский политехнический университет", "ru")]
        assert org.address == Address("пр. Ленина, 30", "634050", "Томск", None, "Россия")
    [(abstract, lang)] = rec.abstracts
    assert lang == "ru" and abstract.count("\n\n") == 1  # two paragraphs
    assert rec.keywords == [
        ("гуманитарное образование", "ru"),
        ("технический университет", "ru"),
        ("учебный план", "ru"),
        ("engineering education", "und"),  # Latin script on the Russian page: not said
    ]
    assert rec.issues == []


def _write(tmp_path: Path, text: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _seed_without(*starts: str) -> str:
    lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith(starts))


def test_missing_lines_are_left_out_not_guessed(tmp_path: Path) -> None:
    text = _seed_without("ISSN", "Get the full text", "Tomsk Polytechnic", "30 Lenin", "•")
    rec = one(_write(tmp_path, text))
    assert rec.language is None  # no "Get the full text (Russian)": not said
    assert rec.journal is not None and rec.journal.issns() == []
    assert rec.journal.titles == [("Liberal Arts in Russia", "en")]
    assert [a.name for a in rec.authors] == ["Kartashova A. A."]
    assert rec.authors[0].affiliations == [] and rec.keywords == []
    assert rec.abstracts[0][0].startswith("The aim of the article")
    assert (rec.volume, rec.first_page) == ("4", "513")


def test_no_author_line_leaves_the_block_out_with_a_warning(tmp_path: Path) -> None:
    rec = one(_write(tmp_path, _seed_without("Kartashova")))
    assert rec.authors == [] and rec.affiliations == []
    assert messages(rec) == [
        "line 11: 'Tomsk Polytechnic University' is not an author line ('Family I. I.', "
        "comma-separated); the lines under the citation line are left out"
    ]


def test_several_affiliations_of_several_authors_are_not_attributed(tmp_path: Path) -> None:
    text = SEED_TEXT.read_text(encoding="utf-8").replace(
        "Kartashova A. A.\nTomsk Polytechnic University\n30 Lenin Ave., 634050 Tomsk, Russia",
        "Kartashova A. A., Ivanov P. S.\nTomsk Polytechnic University\n"
        "30 Lenin Ave., 634050 Tomsk, Russia\nTomsk State University\n"
        "36 Lenin Ave., 634050 Tomsk, Russia",
    )
    rec = one(_write(tmp_path, text))
    assert [a.family for a in rec.authors] == ["Kartashova", "Ivanov"]
    assert all(a.affiliations == [] for a in rec.authors)
    assert [o.names[0][0] for o in rec.affiliations] == [
        "Tomsk Polytechnic University",
        "Tomsk State University",
    ]
    assert rec.affiliations[1].address == Address(
        "36 Lenin Ave.", "634050", "Tomsk", None, "Russia"
    )
    assert "2 affiliations for 2 authors" in messages(rec)[0]


def test_an_unlabelled_issn_is_kept_untyped(tmp_path: Path) -> None:
    text = SEED_TEXT.read_text(encoding="utf-8").replace(
        "ISSN 2312-6442 (Online)", "ISSN 2312-6442"
    )
    rec = one(_write(tmp_path, text))
    assert rec.journal is not None
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("2305-8420", None)
    assert rec.journal.issns_unknown == ["2312-6442"]
    assert rec.issues == []


def test_a_text_that_is_not_a_landing_page_is_one_reject(tmp_path: Path) -> None:
    path = _write(tmp_path, "Minutes of the meeting\n\nWe met on Tuesday. Vol. 4 was read.\n")
    assert reject(path) == (
        "page.txt: page: not a journal landing page: no title/citation line found (expected "
        "a line like 'Liberal Arts in Russia. 2015. Vol. 4. No. 6. Pp. 513-523.')"
    )


def test_a_citation_line_without_a_title_is_one_reject(tmp_path: Path) -> None:
    text = _seed_without("RETRACTED")
    assert reject(_write(tmp_path, text)) == (
        "page.txt: page: field 'title': no title line above the citation line"
    )


def test_a_text_that_is_not_utf8_is_one_reject(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(RUSSIAN.read_text(encoding="utf-8").encode("cp1251"))
    assert reject(path) == "page.txt: page: not UTF-8 text (byte 0, line 1)"


# ---------------------------------------------------------------- HTML


def test_ojs_page() -> None:
    rec = one(OJS)
    assert rec.titles == [("Soil moisture memory in boreal peatlands after drainage", "en-us")]
    assert rec.doi == "10.12345/jne.v12i1.1187"
    assert rec.url == "https://journals.example.org/jne/article/view/1187"
    assert (rec.year, rec.date, rec.language) == (2021, "2021-03-15", "en")
    assert (rec.volume, rec.issue, rec.first_page, rec.last_page) == ("12", "1", "45", "62")
    assert [k for k, _ in rec.keywords] == ["peatland", "soil moisture", "drainage"]
    assert rec.abstracts[0][0].startswith("Drained peatlands lose")
    # "Laura Mäkinen": which part is the family name is not said, so it is not split
    assert [(a.name, a.family, a.given) for a in rec.authors] == [
        ("Laura Mäkinen", None, None),
        ("Pavel Sokolov", None, None),
    ]
    assert [a.affiliations[0].names[0][0] for a in rec.authors] == [
        "University of Eastern Finland",
        "Tomsk State University",
    ]
    assert rec.licenses == ["https://creativecommons.org/licenses/by/4.0"]
    # OJS's one citation_issn is the online ISSN if the journal has one, else the
    # print one; the page does not say which (its footer just says "ISSN 2345-6787"),
    # so it is kept as an ISSN of unknown medium
    assert rec.journal is not None
    assert rec.journal.titles == [("Journal of Northern Ecosystems", "en-us")]
    assert (rec.journal.issn_print, rec.journal.issn_online) == (None, None)
    assert rec.journal.issns_unknown == ["2345-6787"]
    assert rec.issues == []


def test_highwire_page_with_several_authors() -> None:
    rec = one(HIGHWIRE)
    # Highwire wins over DC (DC.Title, DC.Date and DC.Publisher differ)
    assert rec.titles == [("Ribosome stalling signals in cold-adapted Pseudomonas", "en")]
    assert rec.shown_title == (
        "RETRACTED: Ribosome stalling signals in cold-adapted Pseudomonas",
        "en",
    )
    [status] = rec.statuses
    assert status.kind == "retracted"
    assert [s.url for s in status.sources] == [
        "https://www.amp-journal.example.com/content/41/7/1033"
    ]
    assert (rec.year, rec.date, rec.online) == (2019, "2019-07-04", "2019-06-20")
    assert (rec.doi, rec.pmid) == ("10.5555/amp.2019.0412", "31234567")
    assert rec.abstracts == [
        (
            "Cold-adapted bacteria must keep translation going near 0 °C.\n\n"
            "We map ribosome stalling sites in Pseudomonas grown at 4 °C.",
            "en",
        )
    ]
    assert [k for k, _ in rec.keywords] == [
        "ribosome",
        "translation",
        "cold adaptation",
        "Pseudomonas",
    ]
    assert rec.journal is not None
    assert rec.journal.publisher is not None
    assert rec.journal.publisher.names == [("Society for Microbial Physiology", "en")]
    # typed by the page's own text: "Print ISSN: 1234-5679 | Online ISSN: 1873-2291"
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("1234-5679", "1873-2291")
    assert [(a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Okafor", "Chidinma N.", "0000-0002-1825-0097"),
        ("Lindqvist", "Erik", None),
        ("Haak", "Laure", "0000-0001-5109-3700"),
    ]
    assert [[o.names[0][0] for o in a.affiliations] for a in rec.authors] == [
        ["Department of Microbiology, University of Ibadan, Ibadan, Nigeria"],
        [
            "Department of Molecular Biology, Umeå University, Umeå, Sweden",
            "Umeå Centre for Microbial Research, Umeå, Sweden",
        ],
        [],
    ]
    assert (rec.volume, rec.issue, rec.page_range) == ("41", "7", "1033-1047")
    assert rec.issues == []


def test_issns_the_page_does_not_label_stay_untyped(tmp_path: Path) -> None:
    html = HIGHWIRE.read_text(encoding="utf-8").replace(
        "Print ISSN: 1234-5679 | Online ISSN: 1873-2291", "ISSN 1234-5679, 1873-2291"
    )
    rec = one(_write(tmp_path, html, "page.html"))
    assert rec.journal is not None
    assert (rec.journal.issn_print, rec.journal.issn_online) == (None, None)
    assert rec.journal.issns_unknown == ["1234-5679", "1873-2291"]
    assert rec.journal.titles == [("Annals of Microbial Physiology", "en")]
    assert rec.issues == []


def test_prism_tags_type_the_issns(tmp_path: Path) -> None:
    html = (
        HIGHWIRE.read_text(encoding="utf-8")
        .replace("Print ISSN: 1234-5679 | Online ISSN: 1873-2291", "")
        .replace(
            "<head>",
            '<head>\n<meta name="prism.issn" content="1234-5679">'
            '<meta name="prism.eIssn" content="1873-2291">',
        )
    )
    rec = one(_write(tmp_path, html, "page.html"))
    assert rec.journal is not None
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("1234-5679", "1873-2291")


def test_dublin_core_only_page() -> None:
    rec = one(DC_ONLY)
    assert rec.titles == [
        ("Региональные кластеры и инновационная политика", "ru"),
        ("Regional clusters and innovation policy", "en"),  # DC.title.alternative xml:lang
    ]
    assert rec.doi == "10.54321/vre.2018.3.7"  # from DC.identifier "doi:..."
    assert rec.url == "http://vre.example.ru/archive/2018/3/7/"
    assert (rec.year, rec.date, rec.language) == (2018, "2018-09-30", "ru")
    assert [(a.family, a.given) for a in rec.authors] == [
        ("Смирнова", "Ольга Викторовна"),
        ("Ким", "Александр"),
    ]
    assert [k for k, _ in rec.keywords] == ["кластер", "инновации", "региональная политика"]
    assert rec.abstracts == [
        ("В статье рассматривается кластерная политика российских регионов в 2012–2016 гг.", "ru")
    ]
    assert rec.journal is not None
    assert rec.journal.titles == [("Вестник региональной экономики", "ru")]
    assert rec.journal.publisher is not None
    assert rec.journal.publisher.names == [("Издательство Томского университета", "ru")]
    assert rec.journal.issns() == []  # the page's ISSN is in its text, not in a meta tag


def test_a_day_first_date_gives_its_year_only(tmp_path: Path) -> None:
    html = OJS.read_text(encoding="utf-8").replace("2021/03/15", "15/03/2021")
    html = html.replace('name="DC.Date', 'name="X.Date')
    rec = one(_write(tmp_path, html, "page.html"))
    assert (rec.year, rec.date) == (2021, None)
    assert "citation_date: '15/03/2021' may be day/month or month/day" in messages(rec)[0]


def test_other_kinds_of_work(tmp_path: Path) -> None:
    html = OJS.read_text(encoding="utf-8").replace(
        '<meta name="citation_journal_title" content="Journal of Northern Ecosystems"/>',
        '<meta name="citation_conference_title" content="Nordic Peat Days 2021"/>',
    )
    rec = one(_write(tmp_path, html, "page.html"))
    assert rec.kind == "proceedings-article" and rec.journal is None and rec.volume is None
    assert rec.container is not None and rec.container.kind == "proceedings"
    assert rec.container.titles == [("Nordic Peat Days 2021", "und")]
    chapter = html.replace(
        '<meta name="citation_conference_title" content="Nordic Peat Days 2021"/>',
        '<meta name="citation_inbook_title" content="Peatlands of the North"/>'
        '<meta name="citation_isbn" content="978-0-306-40615-7"/>',
    )
    book = one(_write(tmp_path, chapter, "chapter.html")).container
    assert book is not None and book.kind == "book"
    assert book.titles == [("Peatlands of the North", "und")]
    assert book.isbns.all() == ["9780306406157"]


def test_a_page_in_a_declared_legacy_charset(tmp_path: Path) -> None:
    html = DC_ONLY.read_text(encoding="utf-8").replace("charset=utf-8", "charset=windows-1251")
    html = html.replace('encoding="UTF-8"', 'encoding="windows-1251"')
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp1251"))
    assert one(path).titles == one(DC_ONLY).titles


def test_a_page_without_meta_tags_is_one_reject(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "<html><head><title>Home</title></head><body>Hi</body></html>", "a.html"
    )
    assert reject(path) == (
        "a.html: page: not a journal landing page: no citation_* (Highwire Press) or DC.* "
        "(Dublin Core) meta tags found"
    )


def test_a_page_without_a_title_is_one_reject(tmp_path: Path) -> None:
    html = OJS.read_text(encoding="utf-8")
    html = html.replace('name="citation_title"', 'name="x"').replace('name="DC.Title"', 'name="y"')
    assert reject(_write(tmp_path, html, "a.html")) == (
        "a.html: page: field 'citation_title': the page has no title (no citation_title or "
        "DC.title meta tag)"
    )


# ---------------------------------------------------------------- broken files


def test_a_page_cut_off_in_its_head_is_one_reject(tmp_path: Path) -> None:
    data = HIGHWIRE.read_bytes()
    path = tmp_path / "cut.html"
    path.write_bytes(data[: data.index(b'<meta name="citation_author" content="Haak') + 30])
    assert reject(path) == (
        "cut.html: page: the file ends inside the page's <head> (truncated?): its meta tags "
        "may be incomplete, so the page is not read"
    )


def test_a_page_cut_off_after_its_head_keeps_the_record_with_a_warning(tmp_path: Path) -> None:
    data = HIGHWIRE.read_bytes()
    path = tmp_path / "cut.html"
    path.write_bytes(data[: data.index(b"<h1")])
    rec = one(path)
    assert [a.family for a in rec.authors] == ["Okafor", "Lindqvist", "Haak"]
    assert messages(rec) == [
        "html: the page ends without </html> (cut off?); its meta tags were all read"
    ]


def test_a_cut_gzip_stream_is_a_clean_reject(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(HIGHWIRE.read_bytes())[:300])
    report = build([path], tmp_path / "out.nt", validate=False)
    [r] = report.rejects
    assert "the compressed file is cut off or corrupt" in str(r.error)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        bytes((i * 7919) % 256 for i in range(5000)),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x01\x02",
    ],
    ids=["png", "noise", "pdf"],
)
@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_binary_files_are_one_reject(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert reject(path) == f"{name}: page: binary data, not a landing page (HTML or text)"


def test_an_empty_file_is_one_reject(tmp_path: Path) -> None:
    assert reject(_write(tmp_path, "\n  \n", "a.html")) == "a.html: page: the file is empty"


def test_a_file_over_the_size_limit_is_rejected_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    head = HIGHWIRE.read_bytes()
    with path.open("wb") as f:
        f.write(head)
        f.write(b"<!-- padding -->\n" * (kg.readers.pages.MAX_PAGE_BYTES // 17 + 1))
    assert path.stat().st_size > kg.readers.pages.MAX_PAGE_BYTES
    assert reject(path) == (
        "huge.html: page: the file is larger than 16 MiB, the limit for a landing page "
        "(MAX_PAGE_BYTES in kg/readers/pages/__init__.py); not read"
    )


def test_a_gzip_bomb_is_rejected_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb") as f:
        for _ in range(20):
            f.write(b" " * (1024 * 1024))
    assert path.stat().st_size < 100_000
    assert "larger than 16 MiB" in reject(path)


# ---------------------------------------------------------------- whole builds


def test_every_fixture_builds_valid_and_deterministic(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for f in [*FIXTURES, SEED_TEXT]:
        shutil.copy(f, folder / f.name)
    out1, out2 = tmp_path / "a.nt", tmp_path / "b.nt"
    report = build([folder], out1, validate=True)
    assert report.validation is not None and report.validation.conforms
    assert {f.name.split("/")[-1]: (f.reader, f.records, f.rejected) for f in report.files} == {
        f.name: ("page", 1, 0) for f in [*FIXTURES, SEED_TEXT]
    }
    assert report.built == 5 and report.rejects == []
    build([folder], out2, validate=False)
    assert out1.read_bytes() == out2.read_bytes()
    # the Russian and the English page of one journal meet on one journal node
    text = out1.read_text(encoding="utf-8")
    journal = f"<{BASE}journal/issn/2305-8420>"
    titles = sorted(
        line.split(" ", 2)[2]
        for line in text.splitlines()
        if line.startswith(f"{journal} <http://purl.org/dc/terms/title>")
    )
    assert titles == ['"Liberal Arts in Russia"@en .', '"Российский гуманитарный журнал"@ru .']
    # an ISSN of unknown medium names the journal and is its ISSN identifier,
    # never prism:issn or prism:eIssn
    ojs = f"<{BASE}journal/issn/2345-6787>"
    assert (
        f"{ojs} <http://purl.org/spar/datacite/hasIdentifier> <{BASE}identifier/issn/2345-6787> ."
        in text
    )
    assert '"2345-6787"' in text and 'basic/2.0/issn> "2345-6787"' not in text
    assert 'eIssn> "2345-6787"' not in text


@pytest.mark.parametrize("original", [*FIXTURES, SEED_TEXT], ids=lambda p: p.name)
def test_mutated_pages_are_read_or_rejected(tmp_path: Path, original: Path) -> None:
    mapper = Mapper(IriMinter())
    data = original.read_bytes()
    for i, mutated in enumerate(mutations(data, seed=len(data), rounds=15)):
        path = tmp_path / f"m{i}{original.suffix}"
        path.write_bytes(mutated)
        [item] = read(path, path.name)  # one page, one result
        assert isinstance(item, Record | Reject)
        if isinstance(item, Reject):
            assert str(item.error).startswith(f"{path.name}: page: "), item.error
        else:
            mapper.map_record(item)  # what was read maps without error
