"""kg's record model: what every reader produces and the mapping consumes.

A :class:`Record` is one article, already normalised: identifiers in canonical
form, texts paired with their language tag, pages split. Readers build records
(kg/native.py reads kg's own format); kg/mapping.py turns them into RDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.errors import Location

# A text and its language tag ("und" when the language is not known).
LangText = tuple[str, str]


@dataclass(slots=True)
class Address:
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None

    def is_empty(self) -> bool:
        return not (self.street or self.postal_code or self.locality or self.region or self.country)


@dataclass(slots=True)
class Organization:
    names: list[LangText] = field(default_factory=list)
    ror: str | None = None
    wikidata: str | None = None
    address: Address | None = None


@dataclass(slots=True)
class Author:
    name: str
    family: str | None = None
    given: str | None = None
    orcid: str | None = None
    affiliations: list[Organization] = field(default_factory=list)


@dataclass(slots=True)
class Journal:
    titles: list[LangText] = field(default_factory=list)
    issn_print: str | None = None
    issn_online: str | None = None
    issn_l: str | None = None
    publisher: Organization | None = None

    def issns(self) -> list[str]:
        return [i for i in (self.issn_l, self.issn_print, self.issn_online) if i]


@dataclass(slots=True)
class Notice:
    """The notice that announced a status (a retraction notice, a correction)."""

    doi: str | None = None
    url: str | None = None


@dataclass(slots=True, frozen=True)
class Source:
    """What asserted a status: a web page, a database record or a named party."""

    url: str | None = None  # an absolute URL, safe as an IRI
    name: str | None = None  # e.g. "Retraction Watch", "publisher"
    record_id: str | None = None  # the record's id in that database


@dataclass(slots=True)
class Status:
    """A publication status such as ``retracted``, with what is known about it."""

    kind: str
    date: str | None = None  # xsd:date or xsd:dateTime lexical form
    notice: Notice | None = None
    reasons: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


@dataclass(slots=True)
class Issue:
    """A problem found while reading a record that does not stop it being used."""

    field: str
    message: str


@dataclass(slots=True)
class Record:
    origin: Location
    kind: str = "journal-article"
    titles: list[LangText] = field(default_factory=list)
    shown_title: LangText | None = None
    subtitles: list[LangText] = field(default_factory=list)
    abstracts: list[LangText] = field(default_factory=list)
    keywords: list[LangText] = field(default_factory=list)
    language: str | None = None  # ISO 639 code of the text
    year: int | None = None
    date: str | None = None  # full date, YYYY-MM-DD
    doi: str | None = None
    url: str | None = None
    journal: Journal | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    page_range: str | None = None
    authors: list[Author] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    raw: Any = None  # the record as read, kept to name it in messages
