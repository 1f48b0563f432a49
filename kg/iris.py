"""Deterministic IRIs for every node kg emits; no blank nodes anywhere.

IRIs come from identifiers when a node has one (DOI, ISSN, ORCID, ROR) and
otherwise from a stable, normalised key hashed to 16 hex digits. Every part
taken from data is percent-encoded, so the IRI is valid whatever the input
(spaces, Cyrillic, slashes and brackets in DOIs).

>>> m = IriMinter("https://example.org/kg/")
>>> m.doi("10.1002/(SICI)1097-4571")
'https://example.org/kg/doi/10.1002/(SICI)1097-4571'
>>> m.journal_issn("2305-8420")
'https://example.org/kg/journal/issn/2305-8420'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from kg.errors import UsageError

DEFAULT_BASE = "https://example.org/kg/"
_BASE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$")
_SAFE_SEGMENT = "!$&'()*+,;=:@-._~"
_SAFE_PATH = _SAFE_SEGMENT + "/"


def segment(value: str) -> str:
    """Percent-encode a value for use as one IRI path segment."""
    return quote(value, safe=_SAFE_SEGMENT)


def path(value: str) -> str:
    """Percent-encode a value that may keep its slashes (a DOI)."""
    return quote(value, safe=_SAFE_PATH)


def digest(*parts: str) -> str:
    """16 hex digits that stand for a normalised key."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def name_key(text: str) -> str:
    """A normalised form of a name: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", letters))


def check_base(base: str) -> str:
    """Return ``base`` if it is an absolute IRI ending in ``/`` or ``#``.

    :raises UsageError: if it is not.
    """
    if not _BASE.match(base):
        raise UsageError(
            f"base IRI {base!r} is not an absolute IRI ending in '/' or '#'",
            hint="for example --base https://data.example.org/kg/",
        )
    return base


class IriMinter:
    """Mints the IRI of each kind of node under one base IRI."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = check_base(base)

    def doi(self, doi: str) -> str:
        return f"{self.base}doi/{path(doi)}"

    def pmid(self, pmid: str) -> str:
        return f"{self.base}pubmed/{segment(pmid)}"

    def article_key(self, *key: str) -> str:
        return f"{self.base}article/{digest(*key)}"

    def journal_issn(self, issn: str) -> str:
        return f"{self.base}journal/issn/{issn}"

    def journal_key(self, *key: str) -> str:
        return f"{self.base}journal/{digest(*key)}"

    def book_isbn(self, isbn: str) -> str:
        return f"{self.base}book/isbn/{isbn}"

    def book_key(self, *key: str) -> str:
        return f"{self.base}book/{digest(*key)}"

    def series_issn(self, issn: str) -> str:
        return f"{self.base}series/issn/{issn}"

    def series_key(self, *key: str) -> str:
        return f"{self.base}series/{digest(*key)}"

    def person_orcid(self, orcid: str) -> str:
        return f"{self.base}person/orcid/{orcid}"

    def person_key(self, *key: str) -> str:
        return f"{self.base}person/{digest(*key)}"

    def org_ror(self, ror: str) -> str:
        return f"{self.base}org/ror/{ror}"

    def org_key(self, *key: str) -> str:
        return f"{self.base}org/{digest(*key)}"

    def citation(self, citing: str, cited: str) -> str:
        """A citation by the IRIs of its citing and cited works."""
        return f"{self.base}citation/{digest(citing, cited)}"

    def identifier(self, scheme: str, value: str) -> str:
        return f"{self.base}identifier/{scheme}/{path(value)}"

    def source(self, name: str, record_id: str | None = None) -> str:
        slug = segment(name_key(name).replace(" ", "-")) or digest(name)
        if record_id is None:
            return f"{self.base}source/{slug}"
        return f"{self.base}source/{slug}/{segment(record_id)}"
