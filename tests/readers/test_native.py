from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.errors import Location, RecordError
from kg.readers.native import parse_record

ORIGIN = Location("records.json", "record 1")


def parse(data: dict[str, Any]):  # noqa: ANN201
    return parse_record(data, ORIGIN)


def test_seed_record_reads_every_field(seed_path: Path) -> None:
    rec = parse(json.loads(seed_path.read_text(encoding="utf-8")))
    assert rec.titles == [
        (
            "Cluster management model of the region development as the basis for ensuring the "
            "integration of science, education and production",
            "en",
        )
    ]
    assert rec.shown_title is not None and rec.shown_title[0].startswith("RETRACTED: Cluster")
    assert rec.language == "ru"
    assert rec.year == 2015 and rec.date is None
    assert rec.doi is None
    assert rec.url == "http://libartrus.com/en/archive/2015/6/10/"
    assert rec.journal is not None
    assert rec.journal.titles == [("Liberal Arts in Russia", "en")]
    assert (rec.journal.issn_print, rec.journal.issn_online) == ("2305-8420", "2312-6442")
    assert (rec.volume, rec.issue) == ("4", "6")
    assert (rec.first_page, rec.last_page, rec.page_range) == ("513", "523", "513-523")
    assert [k for k, _ in rec.keywords][:2] == ["regional clusters", "integration"]
    assert len(rec.keywords) == 7
    [author] = rec.authors
    assert (author.name, author.family, author.given) == ("Kartashova A. A.", "Kartashova", "A. A.")
    [org] = author.affiliations
    assert org.names == [("Tomsk Polytechnic University", "en")]
    assert org.ror == "00a45v709"
    assert org.address is not None
    assert (
        org.address.street,
        org.address.postal_code,
        org.address.locality,
        org.address.country,
    ) == ("30 Lenin Ave.", "634050", "Tomsk", "Russia")
    [status] = rec.statuses
    assert status.kind == "retracted"
    assert [s.url for s in status.sources] == ["http://libartrus.com/en/archive/2015/6/10/"]
    assert rec.issues == []


def test_retracted_prefix_is_stripped_and_creates_a_status() -> None:
    rec = parse({"title": "RETRACTED ARTICLE: A study", "url": "https://example.org/a"})
    assert rec.titles == [("A study", "und")]
    assert rec.shown_title == ("RETRACTED ARTICLE: A study", "und")
    [status] = rec.statuses
    assert status.kind == "retracted"
    assert status.sources[0].url == "https://example.org/a"


def test_a_title_that_merely_mentions_retraction_is_kept() -> None:
    rec = parse({"title": "Retraction Watch and the study of retractions"})
    assert rec.titles == [("Retraction Watch and the study of retractions", "und")]
    assert rec.statuses == []


@pytest.mark.parametrize(
    "record, lang",
    [
        ({"title": "T"}, "und"),
        ({"title": "T", "language": "Russian"}, "ru"),
        ({"title": "T", "language": "ru", "metadata_language": "en"}, "en"),
        ({"title": {"EN-GB": "T"}}, "en-gb"),
        ({"title": [{"text": "T", "lang": "de"}]}, "de"),
    ],
)
def test_text_language(record: dict[str, Any], lang: str) -> None:
    assert parse(record).titles == [("T", lang)]


def test_several_titles_one_per_language() -> None:
    rec = parse({"title": {"ru": "Заголовок", "en": "Title"}, "language": "ru"})
    assert sorted(rec.titles) == [("Title", "en"), ("Заголовок", "ru")]


@pytest.mark.parametrize(
    "record, field",
    [
        ({}, "title"),
        ({"title": "T", "doi": "11.1/x"}, "doi"),
        ({"title": "T", "date": "2015-13-01"}, "date"),
        ({"title": "T", "date": "yesterday"}, "date"),
        ({"title": "T", "year": 2015, "date": "2014-01-02"}, "year"),
        ({"title": "T", "journal": {"issn_print": "2305842"}}, "journal.issn_print"),
        ({"title": "T", "journal": {}}, "journal.title"),
        ({"title": "T", "authors": [{"given": "A."}]}, "authors[0].name"),
        ({"title": "T", "authors": [{"name": "X", "orcid": "0000-0002"}]}, "authors[0].orcid"),
        (
            {"title": "T", "authors": [{"name": "X", "affiliations": [{"ror": "zzz"}]}]},
            "authors[0].affiliations[0].ror",
        ),
        ({"title": "T", "status": {"type": "deleted"}}, "status.type"),
        ({"title": "T", "status": [{"type": "retracted", "date": "2023"}]}, "status[0].date"),
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": "T", "journal": {"title": "J", "issn": "2305-842"}}, "journal.issn"),
        ({"title": "T", "journal": {"title": "J", "eissn": "2305-8420"}}, "journal.eissn"),
        ({"title": "T\x00"}, "title"),
        ({"title": "T", "type": "poster"}, "type"),
    ],
)
def test_bad_field_rejects_the_record_and_names_the_field(
    record: dict[str, Any], field: str
) -> None:
    with pytest.raises(RecordError) as err:
        parse(record)
    assert err.value.location.field == field
    assert str(err.value).startswith(f"records.json: record 1: field '{field}': ")


def test_a_url_that_is_not_absolute_is_left_out_with_a_warning() -> None:
    rec = parse({"title": "T", "url": "libartrus.com/x"})
    assert rec.url is None
    assert [(i.field, i.message) for i in rec.issues] == [
        ("url", "'libartrus.com/x' is not an absolute URL such as 'https://...'; left out")
    ]


def test_wrong_check_digits_are_kept_and_reported() -> None:
    rec = parse(
        {
            "title": "T",
            "journal": {"title": "J", "issn_online": "2312-6443"},
            "authors": [{"name": "X", "orcid": "0000-0002-1825-0098"}],
        }
    )
    assert rec.journal is not None and rec.journal.issn_online == "2312-6443"
    assert rec.authors[0].orcid == "0000-0002-1825-0098"
    assert [i.field for i in rec.issues] == ["journal.issn_online", "authors[0].orcid"]
    assert "wrong check digit" in rec.issues[0].message


@pytest.mark.parametrize(
    "pages, split",
    [
        ("513-523", ("513", "523", "513-523")),
        ("513–523", ("513", "523", "513-523")),
        ("e0123", ("e0123", None, None)),
        ("S1 - S10", ("S1", "S10", "S1-S10")),
    ],
)
def test_pages(pages: str, split: tuple[str, str | None, str | None]) -> None:
    rec = parse({"title": "T", "pages": pages})
    assert (rec.first_page, rec.last_page, rec.page_range) == split


def test_status_with_notice_reasons_and_sources() -> None:
    rec = parse(
        {
            "title": "T",
            "status": {
                "type": "Retraction",
                "date": "2023-06-28",
                "notice_doi": "https://doi.org/10.1155/2023/9812821",
                "reasons": "+Concerns/Issues about Data;+Paper Mill",
                "source": "Retraction Watch",
                "record_id": "56626",
            },
        }
    )
    [status] = rec.statuses
    assert status.kind == "retracted"
    assert status.date == "2023-06-28"
    assert status.notice is not None and status.notice.doi == "10.1155/2023/9812821"
    assert status.reasons == ["Concerns/Issues about Data", "Paper Mill"]
    assert [(s.name, s.record_id) for s in status.sources] == [("Retraction Watch", "56626")]


def test_name_is_composed_when_only_family_and_given_are_given() -> None:
    rec = parse({"title": "T", "authors": [{"family": "Kartashova", "given": "A. A."}]})
    assert rec.authors[0].name == "Kartashova, A. A."


def test_a_shown_title_without_a_retraction_prefix_says_nothing_about_status() -> None:
    rec = parse({"title": "A study", "shown_title": "A study (corrected version)"})
    assert rec.shown_title == ("A study (corrected version)", "und")
    assert rec.statuses == []


def test_the_record_id_names_the_record_in_messages() -> None:
    with pytest.raises(RecordError) as err:
        parse({"id": "qss-2024", "title": "T", "doi": "nope"})
    assert str(err.value).startswith("records.json: record 1 [id qss-2024]: field 'doi': ")


def test_a_record_that_is_not_an_object() -> None:
    with pytest.raises(RecordError) as err:
        parse_record(["title"], ORIGIN)
    assert str(err.value) == "records.json: record 1: expected an object, got a list"


@pytest.mark.parametrize("year", [0, -5, "-005", 10000, "2015.5"])
def test_impossible_years_are_rejected(year: object) -> None:
    with pytest.raises(RecordError, match="field 'year'"):
        parse({"title": "T", "year": year})


def test_a_chapter_with_its_book_and_a_book_with_its_isbn_and_series() -> None:
    chapter = parse(
        {
            "type": "book-chapter",
            "title": "A chapter",
            "doi": "10.1007/978-3-662-07918-8_3",
            "book": {
                "title": "Insulation of High-Voltage Equipment",
                "isbn_print": "978-3-642-05853-0",
                "isbn_electronic": "9783662079188",
                "publisher": "Springer",
                "series": {"title": "Power Systems", "issn": "1612-1287"},
            },
        }
    )
    c = chapter.container
    assert chapter.kind == "book-chapter" and c is not None and c.kind == "book"
    assert (c.isbns.print, c.isbns.electronic) == ("9783642058530", "9783662079188")
    assert c.series is not None and c.series.issns() == ["1612-1287"]
    book = parse(
        {"type": "book", "title": "The book", "isbn": ["3-642-05853-1"], "series": "Power Systems"}
    )
    assert book.kind == "book" and book.isbns is not None
    assert book.isbns.all() == ["9783642058530"]  # the ISBN-10 made ISBN-13
    assert book.series is not None and book.series.titles[0][0] == "Power Systems"
    paper = parse({"type": "Conference paper", "title": "A paper", "book": "Proc. of X 2020"})
    assert paper.kind == "proceedings-article" and paper.container is not None
    assert paper.container.kind == "proceedings"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"title": "T", "book": "A book"}, "book"),  # a journal article is in no book
        ({"title": "T", "type": "book-chapter", "isbn": "9783642058530"}, "isbn"),
        ({"title": "T", "type": "book-chapter", "book": {"isbn": "12345"}}, "book.isbn"),
        ({"title": "T", "type": "book-chapter", "book": {}}, "book.title"),
        ({"title": "T", "type": "poster"}, "type"),
    ],
)
def test_books_that_cannot_be_read_reject_the_record(record: dict[str, Any], field: str) -> None:
    with pytest.raises(RecordError) as err:
        parse(record)
    assert err.value.location.field == field
