"""Identifiers: normalise DOIs, ISSNs, ORCIDs and ROR ids, and check their check digits.

Each ``normalize_*`` function returns the canonical form of an identifier, or
``None`` when the text cannot be read as one at all (a malformed value). A
well-formed value with a wrong check digit is still returned; ``*_checksum_ok``
tells whether its check digit is right. kg keeps such a value, reports it, and
the SHACL shapes flag it, so that a typo in a source is seen and never
silently repaired or dropped.

>>> normalize_doi("https://doi.org/10.1000/ABC.def ")
'10.1000/abc.def'
>>> normalize_issn("2312 644x")
'2312-644X'
>>> issn_checksum_ok("2312-6442"), issn_checksum_ok("2312-6443")
(True, False)
>>> normalize_orcid("https://orcid.org/0000-0002-1825-0097")
'0000-0002-1825-0097'
>>> normalize_ror("https://ror.org/00a45v709"), ror_checksum_ok("00a45v709")
('00a45v709', True)
"""

from __future__ import annotations

import re

_DOI_PREFIXES = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|https?://doi\.org/|doi\.org/|doi:\s*|doi\s+)",
    re.IGNORECASE,
)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
_ISSN_BODY = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")
ISSN_PATTERN = re.compile(r"^\d{4}-\d{3}[\dX]$")
_ORCID_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)
ORCID_PATTERN = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?ror\.org/", re.IGNORECASE)
ROR_PATTERN = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}\d{2}$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def normalize_doi(text: str) -> str | None:
    """Lower-cased DOI without URL or ``doi:`` prefix, or None if it is not a DOI."""
    value = _DOI_PREFIXES.sub("", text.strip()).strip()
    value = value.rstrip(".,;")
    value = value.lower()
    return value if DOI_PATTERN.match(value) else None


def normalize_issn(text: str) -> str | None:
    """``NNNN-NNNC`` with an upper-case X, or None if it is not an ISSN."""
    value = re.sub(r"\s+", "", text.strip()).upper()
    value = value.replace("\u2010", "-").replace("\u2013", "-").replace("\u2011", "-")
    m = _ISSN_BODY.match(value)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def issn_check_digit(first7: str) -> str:
    """The ISSN check character for the first seven digits."""
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def issn_checksum_ok(issn: str) -> bool:
    """True if a normalised ISSN's check digit is right."""
    digits = issn.replace("-", "")
    return len(digits) == 8 and issn_check_digit(digits[:7]) == digits[7]


def normalize_orcid(text: str) -> str | None:
    """``NNNN-NNNN-NNNN-NNNC``, or None if it is not an ORCID iD."""
    value = _ORCID_PREFIX.sub("", text.strip()).strip().upper()
    if re.fullmatch(r"\d{15}[\dX]", value):
        value = "-".join(value[i : i + 4] for i in range(0, 16, 4))
    return value if ORCID_PATTERN.match(value) else None


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check of a normalised ORCID iD."""
    digits = orcid.replace("-", "")
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    return digits[15] == ("X" if check == 10 else str(check))


def normalize_ror(text: str) -> str | None:
    """The 9-character ROR id (``0`` + 6 base-32 characters + 2 check digits), or None."""
    value = _ROR_PREFIX.sub("", text.strip()).strip().lower()
    return value if ROR_PATTERN.match(value) else None


def ror_checksum_ok(ror: str) -> bool:
    """ISO 7064 MOD 97-10 check of a normalised ROR id."""
    number = 0
    for ch in ror[1:7]:
        number = number * 32 + _CROCKFORD.index(ch)
    return int(ror[7:]) == 98 - (number * 100) % 97


# an ISBN inside a text (an ISBN, SN or ISBN-list field): 13 digits starting 978/979, or
# 10 (the last may be X), with a hyphen or space between any two, so that two ISBNs
# separated by a space are two; each found is then read by normalize_isbn
ISBN_IN_TEXT = re.compile(
    r"(?<![\dXx-])(?:97[89](?:[\- ]?\d){10}|\d(?:[\- ]?\d){8}[\- ]?[\dXx])(?![\dXx])"
)
_ISBN_PREFIX = re.compile(r"^\s*ISBN(?:-1[03])?\s*:?\s*", re.IGNORECASE)
_ISBN_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]")


def normalize_isbn(text: str) -> str | None:
    """An ISBN as 13 digits (an ISBN-10 with a right check digit becomes its ISBN-13, so
    that both forms of one book meet), an ISBN-10 whose check digit is wrong as its 10
    characters, or None if it is not an ISBN.

    >>> normalize_isbn("ISBN 978-3-16-148410-0"), normalize_isbn("3-16-148410-X")
    ('9783161484100', '9783161484100')
    """
    value = _ISBN_SEPARATORS.sub("", _ISBN_PREFIX.sub("", text)).upper()
    if re.fullmatch(r"97[89]\d{10}", value):
        return value
    if re.fullmatch(r"\d{9}[\dX]", value):
        if not isbn_checksum_ok(value):
            return value
        body = "978" + value[:9]
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
        return body + str((10 - total % 10) % 10)
    return None


def isbn_checksum_ok(isbn: str) -> bool:
    """The check digit of a normalised ISBN-13 (or ISBN-10) is right."""
    if len(isbn) == 13:
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(isbn))
        return total % 10 == 0
    if len(isbn) != 10:
        return False
    values = [10 if d == "X" else int(d) for d in isbn]
    return sum(v * w for v, w in zip(values, range(10, 0, -1), strict=True)) % 11 == 0


_CHECKED = {
    "isbn": ("ISBN", "a wrong check digit", isbn_checksum_ok),
    "issn": ("ISSN", "a wrong check digit", issn_checksum_ok),
    "orcid": ("ORCID iD", "a wrong check digit", orcid_checksum_ok),
    "ror": ("ROR id", "wrong check digits", ror_checksum_ok),
}


def check_digit_problem(kind: str, value: str) -> str | None:
    """The warning every reader gives for a well-formed ``issn``, ``orcid`` or ``ror``
    whose check digit is wrong (kg keeps it, and validation flags it), or None."""
    noun, what, ok = _CHECKED[kind]
    if ok(value):
        return None
    return f"{noun} {value} has {what}; kept as given, and validation will flag it"
