"""kg's record model: what every reader produces and the mapping consumes.

A :class:`Record` is one work (mostly a journal article), already normalised:
identifiers in canonical form, texts paired with their language tag, pages
split. Readers build records (kg/readers/native.py, kg/readers/crossref.py,
kg/readers/retraction_watch.py); kg/mapping/mapper.py turns them into RDF.
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
class ScriptName:
    """A person's name in one script, with its BCP 47 language tag: ``ru`` for the
    Cyrillic, ``ru-Latn`` for its Latin transliteration."""

    lang: str
    name: str
    family: str | None = None
    given: str | None = None


@dataclass(slots=True)
class Author:
    name: str  # as printed (in the Latin script, when the source gives two)
    family: str | None = None
    given: str | None = None
    orcid: str | None = None
    affiliations: list[Organization] = field(default_factory=list)
    # the name in each script, where the source gives it in two (Retraction Watch's
    # ``Ivan (Иван) Sidorov (Сидоров)``): the mapping writes these, tagged, in place of
    # the plain name, family and given names
    scripts: list[ScriptName] = field(default_factory=list)


@dataclass(slots=True)
class Journal:
    titles: list[LangText] = field(default_factory=list)
    issn_print: str | None = None
    issn_online: str | None = None
    issn_l: str | None = None
    # ISSNs the source gives without saying print or online (OpenCitations Meta,
    # RIS, BibTeX, Highwire meta tags): kept as ISSN identifiers, never guessed
    issns_unknown: list[str] = field(default_factory=list)
    publisher: Organization | None = None

    def issns(self) -> list[str]:
        known = [i for i in (self.issn_l, self.issn_print, self.issn_online) if i]
        # sorted, so that a journal's IRI does not depend on the order a source lists them
        return known + sorted({i for i in self.issns_unknown if i not in known})


@dataclass(slots=True)
class Isbns:
    """A book's ISBNs (13 digits, :func:`kg.ids.normalize_isbn`), print and electronic
    where the source says which, else of unknown medium (kg does not guess)."""

    print: str | None = None
    electronic: str | None = None
    unknown: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        known = [i for i in (self.print, self.electronic) if i]
        return known + sorted({i for i in self.unknown if i not in known})

    def add(self, isbn: str, medium: str | None) -> None:
        """Note an ISBN; ``medium`` is ``print``, ``electronic`` or None (not said)."""
        if medium == "print" and self.print is None:
            self.print = isbn
        elif medium == "electronic" and self.electronic is None:
            self.electronic = isbn
        elif isbn not in (self.print, self.electronic) and isbn not in self.unknown:
            self.unknown.append(isbn)


@dataclass(slots=True)
class Container:
    """The book or proceedings volume a work (a chapter, a paper) is part of."""

    kind: str = "book"  # "book" or "proceedings"
    titles: list[LangText] = field(default_factory=list)
    isbns: Isbns = field(default_factory=Isbns)
    publisher: Organization | None = None
    series: Journal | None = None  # the book series it is in, with its ISSNs

    def is_empty(self) -> bool:
        return not (self.titles or self.isbns.all())


@dataclass(slots=True)
class Notice:
    """The notice that announced a status (a retraction notice, a correction)."""

    doi: str | None = None
    url: str | None = None


@dataclass(slots=True, frozen=True)
class Source:
    """What asserted a status: a web page, a database record, a notice or a named party."""

    url: str | None = None  # an absolute URL, safe as an IRI
    name: str | None = None  # e.g. "Retraction Watch", "publisher"
    record_id: str | None = None  # the record's id in that database
    doi: str | None = None  # a document with a DOI, e.g. the publisher's retraction notice


@dataclass(slots=True)
class Status:
    """A publication status such as ``retracted``, with what is known about it."""

    kind: str
    date: str | None = None  # xsd:date or xsd:dateTime lexical form
    notice: Notice | None = None
    reasons: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


@dataclass(slots=True)
class Update:
    """A status this record asserts about another work, e.g. a notice retracting an article."""

    target_doi: str
    status: Status


@dataclass(slots=True)
class Reference:
    """An entry of a work's reference list, or one citation a citation index records.

    ``doi`` or ``pmid`` names the cited work when the source gives one (a Crossref entry's
    DOI, whether the publisher or Crossref's matching asserted it; a JATS ``pub-id``); the
    rest is what the reference itself says (kept as the reference's, never as the cited
    work's description). ``created``, ``timespan`` and the self-citation flags come from
    citation indexes (OpenCitations) and make the citation a ``cito:Citation`` of its own.
    """

    doi: str | None = None  # the cited work's DOI, normalised (kg.ids.normalize_doi)
    pmid: str | None = None  # the cited work's PubMed id
    text: str | None = None  # the reference as printed, or put together from its parts
    label: str | None = None  # the source's key or label for it, e.g. "bib12", "[12]"
    created: str | None = None  # citation creation date: YYYY, YYYY-MM or YYYY-MM-DD
    timespan: str | None = None  # from cited to citing publication, an xsd:duration (P2Y9M)
    journal_self: bool | None = None  # citing and cited work in one journal
    author_self: bool | None = None  # citing and cited work share an author


# The kind of an issue that says a field's broken encoding was repaired: the build
# counts these per file rather than listing them as warnings.
REPAIRED = "repaired"


@dataclass(slots=True)
class Issue:
    """A problem found while reading a record that does not stop it being used (a
    ``warning``), or a field repaired on the way (kind :data:`REPAIRED`)."""

    field: str
    message: str
    kind: str = "warning"


# Kinds of work a record can be, and the FaBiO class each becomes (kg/mapping/mapper.py).
WORK_KINDS = (
    "journal-article",
    "retraction-notice",
    "correction",
    "book-chapter",
    "proceedings-article",
    "book",
    "preprint",
    "report",
    "thesis",
    "dataset",
    "reference-entry",
)


# Kinds of work published in a book or a proceedings volume (a Container), and the
# container's kind: what every reader gives such a work as ``Record.container``.
CONTAINER_KIND = {
    "book-chapter": "book",
    "reference-entry": "book",
    "proceedings-article": "proceedings",
}


@dataclass(slots=True)
class Record:
    origin: Location
    kind: str = "journal-article"  # one of WORK_KINDS
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
    # what a work outside a journal is part of: a chapter's book, a paper's proceedings
    container: Container | None = None
    # the series (with ISSNs) a book, proceedings volume or report is published in
    series: Journal | None = None
    isbns: Isbns | None = None  # a book's own ISBNs
    publisher: Organization | None = None  # of a work outside a journal (a book, a report)
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    page_range: str | None = None
    authors: list[Author] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)  # statuses of other works
    subjects: list[str] = field(default_factory=list)  # subject headings as given
    licenses: list[str] = field(default_factory=list)  # licence URLs
    printed: str | None = None  # print publication date: YYYY, YYYY-MM or YYYY-MM-DD
    online: str | None = None  # online publication date, same forms
    pmid: str | None = None  # PubMed id
    # the work's reference list, in order, and citations an index records of it
    references: list[Reference] = field(default_factory=list)
    # False for a record that only names the work to state its citations (an
    # OpenCitations citation row): the work is not described by it
    describes: bool = True
    # Organisations and countries the source gives for the authors as a whole,
    # without saying which author (Retraction Watch's Institution and Country).
    affiliations: list[Organization] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    raw: Any = None  # the record as read, kept to name it in messages
