from __future__ import annotations

import pytest

from kg import ids


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("10.1162/qss_a_00292", "10.1162/qss_a_00292"),
        ("https://doi.org/10.1162/QSS_A_00292", "10.1162/qss_a_00292"),
        ("http://dx.doi.org/10.1000/xyz.", "10.1000/xyz"),
        ("doi:10.1002/(SICI)1097-4571(199806)", "10.1002/(sici)1097-4571(199806)"),
        ("DOI 10.1155/2023/9812821 ", "10.1155/2023/9812821"),
        ("11.1000/xyz", None),
        ("10.1/x", None),
        ("not a doi", None),
    ],
)
def test_normalize_doi(raw: str, expected: str | None) -> None:
    assert ids.normalize_doi(raw) == expected


@pytest.mark.parametrize(
    "raw, expected, ok",
    [
        ("2305-8420", "2305-8420", True),
        ("23058420", "2305-8420", True),
        ("2312-6442", "2312-6442", True),
        ("2312-6443", "2312-6443", False),
        ("0378-5955", "0378-5955", True),
        ("2434-561x", "2434-561X", True),
        ("1234-567", None, None),
        ("ISSN 2305-8420", None, None),
    ],
)
def test_issn(raw: str, expected: str | None, ok: bool | None) -> None:
    assert ids.normalize_issn(raw) == expected
    if expected is not None:
        assert ids.issn_checksum_ok(expected) is ok


@pytest.mark.parametrize(
    "raw, expected, ok",
    [
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097", True),
        ("0000000218250097", "0000-0002-1825-0097", True),
        ("0000-0001-5506-523x", "0000-0001-5506-523X", True),
        ("0000-0002-1825-0098", "0000-0002-1825-0098", False),
        ("0000-0002-1825", None, None),
    ],
)
def test_orcid(raw: str, expected: str | None, ok: bool | None) -> None:
    assert ids.normalize_orcid(raw) == expected
    if expected is not None:
        assert ids.orcid_checksum_ok(expected) is ok


@pytest.mark.parametrize(
    "raw, expected, ok",
    [
        ("https://ror.org/00a45v709", "00a45v709", True),
        ("00A45V709", "00a45v709", True),
        ("00a45v708", "00a45v708", False),
        ("10a45v709", None, None),
        ("00a45v7", None, None),
    ],
)
def test_ror(raw: str, expected: str | None, ok: bool | None) -> None:
    assert ids.normalize_ror(raw) == expected
    if expected is not None:
        assert ids.ror_checksum_ok(expected) is ok


def test_a_location_names_only_what_is_there() -> None:
    from kg.errors import Location

    assert str(Location("a.csv", "row 3", "doi")) == "a.csv: row 3: field 'doi'"
    assert str(Location("a.csv", "row 3", "")) == "a.csv: row 3"
    assert str(Location("a.csv", "", None)) == "a.csv"


def test_isbns_in_a_text_are_found_one_by_one() -> None:
    """Two ISBNs separated by a space are two (the pattern took "9783662079188 0" as one)."""
    from kg.ids import ISBN_IN_TEXT, normalize_isbn

    found = ISBN_IN_TEXT.findall("978-3-642-05853-0, 9783662079188 0-306-40615-2; ISSN 1234-5679")
    assert found == ["978-3-642-05853-0", "9783662079188", "0-306-40615-2"]
    assert [normalize_isbn(f) for f in found] == [
        "9783642058530",
        "9783662079188",
        "9780306406157",
    ]
