"""OpenCitations Meta CSV rows (and OpenCitations Index citation rows) to kg records.

:func:`parse_row` reads one row of an OpenCitations Meta CSV (the columns
``id, title, author, pub_date, venue, volume, issue, page, type, publisher,
editor``, documented in OpenCitations Meta's ``docs/30-csv-format.md``). What
each column becomes:

- ``id``: space-separated ``schema:value`` identifiers. The first ``doi:`` is
  the work's DOI (its IRI), the first ``pmid:`` its PubMed id, the first
  ``url:`` that is an absolute URL its landing page; a book's ``isbn:`` its
  ISBNs (medium not said). A DOI, PMID or URL that
  kg cannot read, a second DOI or PMID, and a word that is not
  ``schema:value`` are left out with a warning (the row is still used:
  OpenCitations accepts DOIs such as ``10.001/x`` that are not DOIs to kg).
  Other schemas (``pmcid``, ``arxiv``, ``issn``, ``wikidata``,
  ``wikipedia``, ``openalex``, ``omid``, ...) are left out silently: the
  record model has no place for them.
- ``title``: the title, markup removed, language ``und``. ``RETRACTED: X``
  gives the title X, the shown title, and a retracted status whose source is
  OpenCitations Meta. A row without a title is kept when a DOI, PubMed id or
  ISBN names it (the shapes warn); otherwise it is rejected.
- ``author``: ``Surname, Given [orcid:... other ids]`` separated by ``;``. The
  part before the first comma is the family name, the rest the given name; a
  name without a comma (an organisation, a group) is kept as the name only.
  ``orcid:`` gives the ORCID iD (malformed: left out with a warning; wrong
  check digit: kept, with a warning); other ids (``viaf``, ``wikidata``,
  ``omid``, ...) are left out.
- ``pub_date``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (OpenCitations also
  writes ``2025-2``): the year, and the date when it is a full date. A month
  alone is not kept: the record model's partial dates are print or online
  dates, and the column does not say which.
- ``venue``: ``Title [issn:X issn:Y isbn:...]``. For journal articles it is the
  journal: its title, and its ISSNs. The format does not say which ISSN is
  print and which online, so they are kept as ISSNs of unknown medium
  (``datacite:issn`` identifiers; kg does not guess, see docs/sources.md). A
  malformed ISSN rejects the row; a wrong check digit is kept with a warning.
  For a book chapter (or reference entry) the venue is its book, for a
  proceedings article its proceedings volume: title, ISBNs (medium not said),
  publisher; the venue's ISSNs are the book series'. For a book or a report the
  venue is the series it is in (title, ISSNs). Other venue ids are left out.
- ``volume``, ``issue``: for journal articles only, as given.
- ``page``: first page, last page and range (``50-75``); pages numbered
  within an article number (``209-1-209-16``) are first ``209-1``, last
  ``209-16``. Another value with more dashes (``1121-1133-1``) keeps its first
  page and the range as printed, with a warning.
- ``type``: the kind of work (:data:`KINDS`). Types kg does not map (journal,
  journal volume, journal issue, book series, book part, proceedings,
  standard, peer review, web content, other, ...) and rows without a type are
  skipped and counted.
- ``publisher``: ``Name [crossref:N ror:... wikidata:Q...]``: the journal's
  publisher (journal articles only: the record model has no publisher for
  other works), with its ROR and Wikidata ids; Crossref member ids are left
  out.
- ``editor``: not mapped (the record model has no editors).

Brackets that do not pair up, or a bracket that mixes ``schema:value`` ids
with other words, reject the row naming the column. A row with fewer cells
than the header (a cut-off line) is rejected. Text is kept as written
(Unicode is not normalised).

Rows of the OpenCitations citation CSVs (the Index's ``oci, citing, cited, creation,
timespan, journal_sc, author_sc``; Meta's ``citing_id, citing_publication_date,
cited_id, cited_publication_date``) are citations: each is a record that names the
citing work only to give it one reference (kg/readers/citation_rows.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg import ids
from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import Skipped
from kg.readers.citation_rows import is_citation_row, parse_citation
from kg.readers.context import RowContext
from kg.readers.normalize import (
    check_url,
    parse_date,
    split_pages,
    strip_retracted_prefix,
)
from kg.records import (
    CONTAINER_KIND,
    Author,
    Container,
    Isbns,
    Journal,
    Organization,
    Record,
    Source,
    Status,
)

# OpenCitations Meta ``type`` -> kind of kg record (its FaBiO class: KIND_CLASS in
# kg/mapping/mapper.py)
KINDS = {
    "journal article": "journal-article",
    "book chapter": "book-chapter",
    "proceedings article": "proceedings-article",
    "book": "book",
    "edited book": "book",
    "monograph": "book",
    "reference book": "book",
    "report": "report",
    "dissertation": "thesis",
    "dataset": "dataset",
    "data file": "dataset",
    "reference entry": "reference-entry",
}
# kinds published in a journal: they get journal, volume and issue
_IN_JOURNAL = {"journal-article"}
SOURCE_NAME = "OpenCitations Meta"
# an identifier in an ``id`` cell or in brackets: ``schema:value``
_ID = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):(.*)$", re.DOTALL)
_PMID = re.compile(r"^\d{1,12}$")
_WIKIDATA = re.compile(r"^Q\d+$")
_DASHES = re.compile(r"[-\u2010-\u2015]")


class _Row(RowContext):
    """One row's cells, read with the origin at hand for messages."""

    def value(self, column: str) -> str | None:
        """The cell as one line of text, or None when it is empty or absent."""
        return self.cell(column) or None

    def named(self, column: str, text: str) -> tuple[str, list[tuple[str, str]]]:
        """``Name [schema:value ...]`` -> (name, ids), or a RecordError naming the column."""
        return self.read(column, split_bracketed, text)


def split_ids(text: str) -> list[tuple[str, str]]:
    """``doi:10.1/x pmid:123`` -> ``[("doi", "10.1/x"), ("pmid", "123")]``.

    :raises ValueError: if a word is not ``schema:value``.

    >>> split_ids("doi:10.1162/qss_a_00292 PMID:38034492")
    [('doi', '10.1162/qss_a_00292'), ('pmid', '38034492')]
    """
    out = []
    for token in text.split():
        m = _ID.match(token)
        if m is None or not m.group(2):
            raise ValueError(f"{token!r} is not an identifier written schema:value")
        out.append((m.group(1).lower(), m.group(2)))
    return out


def split_bracketed(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A name and the ids in the brackets that end it.

    Brackets that end the text and hold only ``schema:value`` words are the
    ids; other brackets (``Annals [Internet]``) are part of the name.

    :raises ValueError: if brackets do not pair up, or the final brackets mix
        ids with other words.

    >>> split_bracketed("Cultural-Historical Psychology [issn:1816-5435 issn:2224-8935]")
    ('Cultural-Historical Psychology', [('issn', '1816-5435'), ('issn', '2224-8935')])
    >>> split_bracketed("MIT Press")
    ('MIT Press', [])
    """
    _check_brackets(text)
    stripped = text.rstrip()
    if not stripped.endswith("]"):
        return text.strip(), []
    start = stripped.rindex("[")
    inner = stripped[start + 1 : -1]
    words = inner.split()
    looks_like_ids = [_ID.match(w) is not None for w in words]
    if words and not any(looks_like_ids):
        return text.strip(), []  # brackets in the name itself
    if not all(looks_like_ids):
        bad = next(w for w, ok in zip(words, looks_like_ids, strict=True) if not ok)
        raise ValueError(f"the brackets in {text!r} hold {bad!r}, which is not schema:value")
    return stripped[:start].strip(), split_ids(inner)


def _check_brackets(text: str) -> None:
    depth = 0
    for ch in text:
        if ch == "[":
            depth += 1
            if depth > 1:
                raise ValueError(f"brackets inside brackets in {text!r}")
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(f"a ']' without its '[' in {text!r}")
    if depth:
        raise ValueError(f"a '[' without its ']' in {text!r} (cut off?)")


def split_names(text: str) -> list[str]:
    """The ``;``-separated names of an ``author`` or ``editor`` cell (``;`` in brackets kept).

    >>> split_names("Massari, Arcangelo [orcid:0000-0002-8420-0696]; MIT Press")
    ['Massari, Arcangelo [orcid:0000-0002-8420-0696]', 'MIT Press']
    """
    _check_brackets(text)
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == ";" and depth == 0:
            out.append("".join(current).strip())
            current = []
            continue
        depth += {"[": 1, "]": -1}.get(ch, 0)
        current.append(ch)
    out.append("".join(current).strip())
    return [name for name in out if name]


def parse_row(row: Mapping[str, Any], origin: Location) -> Record | Skipped:
    """Turn one OpenCitations Meta row (column -> text) into a :class:`Record`,
    or a :class:`Skipped` for a type kg does not map; a citation row gives a record
    that states the citation (:func:`~kg.readers.citation_rows.parse_citation`).

    :raises RecordError: naming the column that cannot be read.
    """
    if not isinstance(row, Mapping):
        raise RecordError(origin, "expected an OpenCitations Meta row")
    if is_citation_row(row):
        return parse_citation(row, origin)
    r = _Row(row, origin)
    missing = [str(k) for k, v in row.items() if v is None]
    if missing:
        raise r.fail(missing[0], "the row ends before this column (a cut-off line?)")

    oc_type = (r.value("type") or "").lower()
    kind = KINDS.get(oc_type)
    if kind is None:
        return Skipped(oc_type or "no type", origin)

    rec = Record(origin=origin, kind=kind)
    _identifiers(r, rec)
    if rec.doi:
        rec.origin = r.origin = Location(origin.path, f"{origin.record} [{rec.doi}]")

    title = r.value("title")
    title = r.plain("title", title) if title is not None else ""
    if not title and not (rec.doi or rec.pmid or (rec.isbns and rec.isbns.all())):
        raise r.fail("title", "the row has no title and no DOI, PubMed id or ISBN to name it")
    stripped = strip_retracted_prefix(title) if title else None
    if stripped is not None:
        rec.shown_title = (title, "und")
        rec.statuses.append(Status("retracted", sources=[Source(name=SOURCE_NAME)]))
    rec.titles = [(stripped or title, "und")] if title else []

    when = r.value("pub_date")
    if when is not None:
        rec.year, rec.date = r.read("pub_date", parse_date, when)

    if kind in _IN_JOURNAL:
        rec.journal = _journal(r)
        rec.volume = r.value("volume")
        rec.issue = r.value("issue")
    elif kind in CONTAINER_KIND:
        rec.container = _container(r, CONTAINER_KIND[kind])
    elif kind in ("book", "report"):  # the venue is the series the book or report is in
        rec.series = _venue(r)[0]
        rec.publisher = _publisher(r)
    page = r.value("page")
    if page is not None:
        _pages(r, rec, page)
    rec.authors = _authors(r)
    rec.issues = r.issues
    return rec


def _identifiers(r: _Row, rec: Record) -> None:
    text = r.value("id")
    if text is None:
        return
    for token in text.split():
        m = _ID.match(token)
        if m is None or not m.group(2):
            r.warn("id", f"{token!r} is not an identifier written schema:value; left out")
            continue
        schema, value = m.group(1).lower(), m.group(2)
        if schema == "doi":
            doi = ids.normalize_doi(value)
            if doi is None:
                r.warn("id", f"{value!r} is not a DOI kg can use (10.NNNN/...); left out")
            elif rec.doi is None:
                rec.doi = doi
            elif doi != rec.doi:
                r.warn("id", f"a second DOI {doi} is left out (kg keeps the first, {rec.doi})")
        elif schema == "pmid":
            if not _PMID.match(value):
                r.warn("id", f"{value!r} is not a PubMed id (digits); left out")
            elif rec.pmid is None:
                rec.pmid = value.lstrip("0") or "0"
            elif value.lstrip("0") != rec.pmid:
                r.warn("id", f"a second PubMed id {value} is left out")
        elif schema == "url" and rec.url is None:
            rec.url = r.lenient("id", check_url, value)
        elif schema == "isbn" and rec.kind == "book":  # a book's own ISBNs
            isbn = fields.lenient_id(r, "id", value, "isbn")
            if isbn:
                rec.isbns = rec.isbns or Isbns()
                rec.isbns.add(isbn, None)


def _venue(r: _Row) -> tuple[Journal | None, Isbns]:
    """The venue as a journal or series (title, ISSNs, publisher), or None when it names
    neither; and the venue's ISBNs (a book's, a proceedings volume's)."""
    venue = r.value("venue")
    journal = Journal()
    isbns = Isbns()
    if venue is not None:
        title, venue_ids = r.named("venue", venue)
        title = r.plain("venue", title)
        if title:
            journal.titles = [(title, "und")]
        issns: list[str] = []
        for schema, value in venue_ids:
            if schema == "isbn":  # OpenCitations does not say print or electronic
                isbn = fields.lenient_id(r, "venue", value, "isbn")
                if isbn:
                    isbns.add(isbn, None)
            if schema != "issn":
                continue  # doi, omid, ...: the record model has no place for them
            issn = _issn(r, value)
            if issn is not None and issn not in issns:
                issns.append(issn)
        _place_issns(r, journal, issns)
    if not journal.titles and not journal.issns():
        return None, isbns
    return journal, isbns


def _publisher(r: _Row) -> Organization | None:
    publisher = r.value("publisher")
    return _organization(r, "publisher", publisher) if publisher is not None else None


def _journal(r: _Row) -> Journal | None:
    journal = _venue(r)[0]
    publisher = _publisher(r)
    if journal is None:
        if publisher is not None:
            r.warn("publisher", "left out: the row names no journal to publish it")
        return None
    journal.publisher = publisher
    return journal


def _container(r: _Row, kind: str) -> Container | None:
    """A chapter's book, a paper's proceedings: the venue's title, ISBNs and publisher;
    its ISSNs are the book series'."""
    venue, isbns = _venue(r)
    if venue is None and not isbns.all():
        return None
    c = Container(kind=kind, isbns=isbns, publisher=_publisher(r))
    if venue is not None:
        c.titles = venue.titles
        if venue.issns():
            c.series = Journal(issns_unknown=venue.issns_unknown)
    return c


def _issn(r: _Row, value: str) -> str | None:
    issn = fields.issn(r, "venue", value)  # 0000-0000 has a right check digit
    if issn == "0000-0000":
        r.warn("venue", "ISSN 0000-0000 is a placeholder, not an ISSN; left out")
        return None
    return issn


def _place_issns(r: _Row, journal: Journal, issns: list[str]) -> None:
    """The venue's ISSNs, as ISSNs of unknown medium.

    OpenCitations Meta does not say which ISSN is print and which online, so
    kg does not guess: they become ISSN identifiers of the journal
    (``datacite:issn``), not ``prism:issn`` / ``prism:eIssn``.
    """
    for issn in issns:
        if issn not in journal.issns_unknown:
            journal.issns_unknown.append(issn)


def _organization(r: _Row, column: str, text: str) -> Organization | None:
    name, org_ids = r.named(column, text)
    org = Organization()
    if name:
        org.names.append((name, "und"))
    for schema, value in org_ids:
        if schema == "ror":
            ror = fields.optional_id(r, column, value, "ror")
            if ror is not None and org.ror is None:
                fields.check_digits(r, column, "ror", ror)
                org.ror = ror
        elif schema == "wikidata":
            qid = value.upper()
            if not _WIKIDATA.match(qid):
                r.warn(column, f"{value!r} is not a Wikidata id like Q1466666; left out")
            elif org.wikidata is None:
                org.wikidata = qid
    return org if org.names or org.ror else None


def _pages(r: _Row, rec: Record, page: str) -> None:
    pages = r.lenient("page", split_pages, page)
    if pages is None:
        return
    rec.first_page, rec.last_page, rec.page_range = pages
    if rec.last_page is not None or not _DASHES.search(page):
        return
    parts = [p.strip() for p in _DASHES.split(page)]
    if not all(parts):
        rec.first_page = None
        r.warn("page", f"{page!r} is not a page or page range; left out")
        return
    rec.page_range = page
    if len(parts) == 4 and parts[0] == parts[2]:
        # pages numbered within an article number: 209-1 to 209-16
        rec.first_page, rec.last_page = "-".join(parts[:2]), "-".join(parts[2:])
        return
    rec.first_page = parts[0]
    r.warn(
        "page",
        f"{page!r} is not a range first-last; kg kept the first page {parts[0]} "
        "and the range as printed",
    )


def _authors(r: _Row) -> list[Author]:
    text = r.value("author")
    if text is None:
        return []
    names = r.read("author", split_names, text)
    authors = []
    for n, entry in enumerate(names, start=1):
        name, person_ids = r.named("author", entry)
        parts = fields.split_name(name)
        if parts is None:  # an organisation or a group: the name as given
            author = Author(name=name)
        else:
            family, given = parts
            author = Author(
                name=fields.shown_name(given, family), family=family or None, given=given or None
            )
        if not author.name:
            r.warn("author", f"author {n} has no name; left out")
            continue
        for schema, value in person_ids:
            if schema != "orcid":
                continue  # viaf, wikidata, omid, ...
            who = f"author {n} ({author.name}): "
            orcid = fields.optional_id(r, "author", value, "orcid", prefix=who)
            if orcid is not None and author.orcid is None:
                fields.check_digits(r, "author", "orcid", orcid, prefix=who)
                author.orcid = orcid
            elif orcid is not None and orcid != author.orcid:
                r.warn("author", f"{who}a second ORCID iD {orcid} is left out")
        authors.append(author)
    return authors
