"""What the RIS and BibTeX readers share: the :class:`Export` (the fields of one
exported reference, as text, with the tag or field each came from) and
:func:`to_record`, which turns it into a :class:`~kg.records.Record`.

kg/readers/ris.py and kg/readers/bibtex.py each fill an :class:`Export` from
their own syntax; how each field then maps is in kg/readers/ris.py's docstring
(by RIS tag), kg/readers/bibtex.py's (what is BibTeX's own) and docs/sources.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from kg import ids
from kg.errors import Location
from kg.readers import fields
from kg.readers.base import Skipped
from kg.readers.context import ReaderContext
from kg.readers.exported import date_parts, doi_of, issns_of, month_number, split_list
from kg.readers.normalize import (
    check_url,
    clean_text,
    language_code,
    split_pages,
    strip_retracted_prefix,
)
from kg.readers.tongue import Tongue
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

# kinds that are published in a journal: they get journal, volume and issue
IN_JOURNAL = {"journal-article", "correction", "retraction-notice"}
# document types as Scopus (M3, document_type) and others name them -> kind
DOCUMENT_TYPES = {
    "article": "journal-article",
    "review": "journal-article",
    "letter": "journal-article",
    "note": "journal-article",
    "editorial": "journal-article",
    "short survey": "journal-article",
    "data paper": "journal-article",
    "article in press": "journal-article",
    "journal article": "journal-article",
    # an erratum names no corrected work in these exports, and kg's correction
    # notices must (cito:corrects): it stays a journal article
    "erratum": "journal-article",
    "conference paper": "proceedings-article",
    "proceedings paper": "proceedings-article",
    "book chapter": "book-chapter",
    "chapter": "book-chapter",
    "book": "book",
    "preprint": "preprint",
}
PREPRINT_HINT = re.compile(
    r"arxiv|biorxiv|medrxiv|chemrxiv|ssrn|research\s*square|preprints\.org|\b10\.48550/",
    re.IGNORECASE,
)
_ISBN_LIKE = re.compile(r"^[\d\-\s]{10,17}[\dXx]$")
_PMID_IN_TEXT = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_BRACKETED = re.compile(r"^\s*\[([^\]]+)\]\s*(.+)$", re.DOTALL)

Value = tuple[str, str]  # (tag or field name, text as given)


@dataclass(slots=True)
class Name:
    """An author as the export gives it."""

    field: str
    text: str  # the name as written (for messages and for names kg cannot split)
    family: str | None = None
    given: str | None = None
    suffix: str | None = None


@dataclass(slots=True)
class Export:
    """One reference from a RIS or BibTeX export, field by field, before normalising."""

    origin: Location
    type_field: str  # "TY" or "entry type"
    type_label: str  # e.g. "JOUR", "article": what the summary counts when skipped
    kind: str | None  # the kind the export's type gives, None if kg does not map it
    document_type: Value | None = None  # Scopus' M3 / document_type
    titles: list[Value] = field(default_factory=list)
    abstracts: list[Value] = field(default_factory=list)
    keywords: list[Value] = field(default_factory=list)
    dois: list[Value] = field(default_factory=list)
    doi_hints: list[Value] = field(default_factory=list)  # fields that may hold a DOI
    issns: list[Value] = field(default_factory=list)
    eissns: list[Value] = field(default_factory=list)
    journals: list[Value] = field(default_factory=list)
    books: list[Value] = field(default_factory=list)  # a chapter's book, a paper's proceedings
    isbns: list[Value] = field(default_factory=list)
    publisher: Value | None = None
    volume: Value | None = None
    issue: Value | None = None
    pages: Value | None = None
    first_page: Value | None = None
    last_page: Value | None = None
    article_number: Value | None = None
    years: list[Value] = field(default_factory=list)
    dates: list[Value] = field(default_factory=list)
    month: Value | None = None
    day: Value | None = None
    language: Value | None = None
    urls: list[Value] = field(default_factory=list)
    pmids: list[Value] = field(default_factory=list)
    pmid_hints: list[Value] = field(default_factory=list)  # notes that may say "PMID: n"
    authors: list[Name] = field(default_factory=list)
    affiliations: list[Value] = field(default_factory=list)
    orcids: list[Value] = field(default_factory=list)  # "Family, Given/ORCID; ..."
    database: str | None = None  # DB / source: "Scopus", named as the source of a status


class _Draft(ReaderContext):
    """The record being built, with the origin at hand for messages."""

    def text(self, value: Value, *, single_line: bool = True) -> str:
        """The text of a field, white space tidied; bytes that were not UTF-8 reject the record."""
        name, raw = value
        bad = re.search("[\udc80-\udcff]", raw)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise self.fail(name, f"not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8")
        return self.read(name, partial(clean_text, single_line=single_line), raw)


def to_record(ex: Export) -> Record | Skipped:
    """Turn one exported reference into a :class:`Record` (or :class:`Skipped`).

    :raises RecordError: naming the field that makes the record unusable.
    """
    d = _Draft(ex.origin)
    kind = ex.kind
    doc_type = d.text(ex.document_type).lower() if ex.document_type else ""
    if doc_type == "conference review":  # Scopus: the listing of a conference's papers
        return Skipped(f"{ex.type_label} ({doc_type})", ex.origin)
    if kind in (None, "journal-article", "book") and doc_type in DOCUMENT_TYPES:
        refined = DOCUMENT_TYPES[doc_type]
        # a Scopus "Book Chapter" exported as @BOOK / TY BOOK, an erratum, a
        # conference paper in a serial: the document type says what the work is
        if kind is None or refined != "journal-article":
            kind = refined
    if kind is None and ex.type_label.lower() in ("unpb", "elec", "misc", "online", "unpublished"):
        hints = [v for _, v in ex.dois + ex.journals + ex.urls + ex.doi_hints]
        if any(PREPRINT_HINT.search(h) for h in hints):
            kind = "preprint"
    if kind is None:
        return Skipped(ex.type_label or "no type", ex.origin)

    titles = [d.text(v) for v in ex.titles]
    titles = [t for t in titles if t]
    doi = _doi(d, ex)
    own_isbns = _isbns(d, ex) if kind == "book" else None
    if not titles and not doi and not (own_isbns and own_isbns.all()):
        field_name = ex.titles[0][0] if ex.titles else ("TI" if ex.type_field == "TY" else "title")
        raise d.fail(field_name, "the record has no title and no DOI or ISBN to name it")

    label = f"{ex.origin.record} [{doi}]" if doi else ex.origin.record
    rec = Record(origin=Location(ex.origin.path, label), kind=kind, doi=doi)
    d.origin = rec.origin

    if ex.language:
        text = d.text(ex.language)
        first = split_list(text)[0] if text else ""
        if first:
            rec.language = d.lenient(ex.language[0], language_code, first)
    tongue = Tongue(rec.language, ex.database)

    title = titles[0] if titles else ""
    # "Retracted: ..." is also how notices are titled; Scopus types those "Erratum"
    stripped = strip_retracted_prefix(title) if doc_type != "erratum" and title else None
    if stripped is not None or doc_type == "retracted":
        if stripped is not None:
            rec.shown_title = (title, tongue.tag(title))
            title = stripped
        sources = [Source(name=ex.database)] if ex.database else []
        rec.statuses.append(Status("retracted", sources=sources))
    rec.titles = tongue.titles(title) if title else []
    abstracts = (d.text(v, single_line=False) for v in ex.abstracts)
    rec.abstracts = [(t, tongue.tag(t)) for t in abstracts if t][:1]
    keywords: list[str] = []
    for v in ex.keywords:
        text = d.text(v)
        if ex.type_field == "TY":  # one keyword a line, or several split by ";"
            keywords.extend(p.strip() for p in text.split(";"))
        else:  # BibTeX: "a; b; c", else "a, b, c"
            keywords.extend(split_list(text))
    rec.keywords = [(k, tongue.tag(k)) for k in dict.fromkeys(k for k in keywords if k)]

    _dates(d, ex, rec)
    # a conference paper or chapter that names no book but a journal with an ISSN is
    # published in that journal (Scopus's conference papers in journal issues)
    in_journal = kind in CONTAINER_KIND and not ex.books and bool(ex.journals) and _has_issn(d, ex)
    if kind in IN_JOURNAL or in_journal:
        rec.journal = _journal(d, ex)
        rec.volume = d.text(ex.volume) or None if ex.volume else None
        rec.issue = d.text(ex.issue) or None if ex.issue else None
    elif kind in CONTAINER_KIND:
        rec.container = _container(d, ex, CONTAINER_KIND[kind])
    elif kind in ("book", "report"):
        rec.isbns = own_isbns
        rec.series = _series(d, ex, ex.journals)
        rec.publisher = _publisher(d, ex)
    _pages(d, ex, rec)
    rec.authors = _authors(d, ex, rec)
    for v in ex.urls:
        url = d.lenient(v[0], clean_text, v[1])  # a broken URL is left out, not the record
        if not url or doi_of(url) and "doi.org" in url.lower():
            continue
        rec.url = d.lenient(v[0], check_url, url)
        if rec.url:
            break
    rec.pmid = _pmid(d, ex)
    rec.issues = d.issues
    return rec


def _doi(d: _Draft, ex: Export) -> str | None:
    found: list[str] = []
    for v in ex.dois:
        text = d.text(v)
        if not text:
            continue
        doi = doi_of(text)
        if doi is not None:
            found.append(doi)
            continue
        several = [doi_of(p) for p in re.split(r"[\s;,]+", text) if p]  # "10.1/a; 10.1/b"
        if not several or None in several:
            raise d.fail(v[0], f"{text!r} is not a DOI")
        found.extend(x for x in several if x)
    if not found:
        for v in ex.doi_hints:  # M3 or UR: only an unmistakable DOI counts
            try:
                text = clean_text(v[1])
            except ValueError:
                continue  # not a DOI; a URL field says why it is left out
            if text.startswith("10.") or "doi.org/" in text.lower():
                doi = doi_of(text)
                if doi is not None:
                    found.append(doi)
                    break
    unique = list(dict.fromkeys(found))
    for other in unique[1:]:
        d.warn(ex.dois[0][0] if ex.dois else "DOI", f"a second DOI {other} is left out")
    return unique[0] if unique else None


def _journal(d: _Draft, ex: Export) -> Journal | None:
    j = Journal()
    for v in ex.journals:
        text = d.text(v)
        if text:
            j.titles = [(text, "und")]
            break
    typed: dict[str, str] = {}
    unknown: list[str] = []
    eissns = [(i, v[0]) for v in ex.eissns for i, _ in issns_of(d.text(v))]
    for v in ex.issns:
        text = d.text(v)
        found = issns_of(text)
        if not found and text and not _ISBN_LIKE.match(text.replace(";", "")):
            d.warn(v[0], f"{text!r} holds no ISSN (expected NNNN-NNNC); left out")
        for issn, medium in found:
            if medium is None and eissns and len(found) == 1:
                medium = "print"  # the export gives the eISSN apart, so this one is print
            if medium is None:
                unknown.append(issn)
            else:
                typed.setdefault(medium, issn)
    for issn, _ in eissns:
        typed.setdefault("online", issn)
    j.issn_print = typed.get("print")
    j.issn_online = typed.get("online")
    j.issn_l = typed.get("linking")
    # ISSNs whose medium the export does not give are kept as such, never
    # guessed; sorted, so that "14602431 03058557" and "0305-8557; 1460-2431"
    # (one journal in two exports) name the same journal
    j.issns_unknown = sorted(i for i in set(unknown) if i not in typed.values())
    for issn in j.issns():
        fields.check_digits(d, ex.issns[0][0] if ex.issns else ex.eissns[0][0], "issn", issn)
    j.publisher = _publisher(d, ex)
    if not j.titles and not j.issns():
        return None
    return j


def _has_issn(d: _Draft, ex: Export) -> bool:
    return any(issns_of(d.text(v)) for v in [*ex.issns, *ex.eissns])


def _publisher(d: _Draft, ex: Export) -> Organization | None:
    name = d.text(ex.publisher) if ex.publisher else ""
    return Organization(names=[(name, "und")]) if name else None


def _isbns(d: _Draft, ex: Export) -> Isbns:
    """The ISBNs of the ISBN fields and of SN (which holds an ISSN or an ISBN); the
    medium is not said."""
    isbns = Isbns()
    for v in [*ex.isbns, *ex.issns]:
        for found in ids.ISBN_IN_TEXT.findall(d.text(v)):
            isbn = fields.lenient_id(d, v[0], found, "isbn")
            if isbn:
                isbns.add(isbn, None)
    return isbns


def _series(d: _Draft, ex: Export, titles: list[Value]) -> Journal | None:
    """The series a book, proceedings volume or report is in: when the export gives an
    ISSN for it (a title alone may be the book's own)."""
    issns = [i for v in ex.issns for i, _ in issns_of(d.text(v))]
    if not issns:
        return None
    series = Journal(issns_unknown=sorted(set(issns)))
    for v in titles:
        text = d.text(v)
        if text:
            series.titles = [(text, "und")]
            break
    return series


def _container(d: _Draft, ex: Export, kind: str) -> Container | None:
    """A chapter's book, a paper's proceedings: title (BibTeX ``booktitle``, RIS ``T2``),
    ISBNs, publisher; with an ISSN, its series."""
    c = Container(kind=kind, isbns=_isbns(d, ex), publisher=_publisher(d, ex))
    for v in [*ex.books, *ex.journals]:
        text = d.text(v)
        if text:
            c.titles = [(text, "und")]
            break
    c.series = _series(d, ex, [])
    return None if c.is_empty() else c


def _dates(d: _Draft, ex: Export, rec: Record) -> None:
    """Year from the year fields (else a date field); the full date from whichever gives a day.

    A date without a year (Web of Science's ``DA  - JAN 15``, BibTeX's
    ``month``/``day``) is read with the year of the record.
    """
    year: int | None = None
    full: str | None = None
    for v in ex.years:
        text = d.text(v)
        parts = date_parts(text) if text else None
        if parts is None or not 1 <= parts[0] <= 9999:
            if text:
                d.warn(v[0], f"{text!r} is not a year; left out")
            continue
        year = year or parts[0]
        full = full or fields.full_date(*parts)
    if year is not None and (ex.month or ex.day):
        month = d.text(ex.month) if ex.month else ""
        day = d.text(ex.day) if ex.day else ""
        parts = date_parts(f"{year} {month} {day}".strip())
        if parts is not None and parts[1] is None and month_number(month):
            parts = (year, month_number(month), int(day) if day.isdigit() else None)
        full = full or (fields.full_date(*parts) if parts else None)
    for v in ex.dates:
        text = d.text(v)
        parts = date_parts(text) if text else None
        if parts is None and year is not None:
            parts = date_parts(f"{text} {year}")
        if parts is None or not 1 <= parts[0] <= 9999:
            if text:
                d.warn(v[0], f"{text!r} is not a date; left out")
            continue
        year = year or parts[0]
        if parts[0] == year:
            full = full or fields.full_date(*parts)
    rec.year = year
    rec.date = full if full is not None and year is not None and full[:4] == f"{year:04d}" else None


def _pages(d: _Draft, ex: Export, rec: Record) -> None:
    first = d.text(ex.first_page) if ex.first_page else ""
    last = d.text(ex.last_page) if ex.last_page else ""
    pages = d.text(ex.pages) if ex.pages else ""
    where = (ex.pages or ex.first_page or ex.last_page or ("pages", ""))[0]
    if not pages and first:
        pages = f"{first}-{last}" if last and last != first else first
    parts = d.lenient(where, split_pages, pages) if pages else None
    if parts:
        rec.first_page, rec.last_page, rec.page_range = parts
    if rec.first_page is None and ex.article_number:
        number = d.text(ex.article_number)
        if number and not re.search(r"\s", number):
            rec.first_page = number


def _authors(d: _Draft, ex: Export, rec: Record) -> list[Author]:
    authors: list[Author] = []
    for n in ex.authors:
        family = d.text((n.field, n.family)) if n.family else None
        given = d.text((n.field, n.given)) if n.given else None
        suffix = d.text((n.field, n.suffix)) if n.suffix else None
        text = d.text((n.field, n.text))
        name = fields.shown_name(given, family, suffix=suffix) if family else text
        if not name:
            continue
        authors.append(Author(name=name, family=family or None, given=given or None))
    for v in ex.affiliations:
        _affiliations(d, v, authors, rec)
    rec.affiliations = _unique_orgs(rec.affiliations)
    for v in ex.orcids:
        _orcids(d, v, authors)
    return authors


def _affiliations(d: _Draft, value: Value, authors: list[Author], rec: Record) -> None:
    """Attach the institutions of one field to the authors it names, else to the work.

    Web of Science names the authors: ``[Family, Given; Family, Given]
    Institution`` (its C1 field) or, in BibTeX, one line per institution
    ``Family, Given; Family, Given, Institution``. Such a line counts only if
    every name in it is an author of the record; anything else is a list of
    institutions, one per line or separated by ``;`` (Scopus), for the work.
    """
    lines = [d.text((value[0], line)) for line in value[1].splitlines()]
    lines = [line for line in lines if line]
    attached: list[tuple[list[Author], str]] = []
    for line in lines:
        if re.search(r"\((?:corresponding|reprint) author\)", line, re.IGNORECASE):
            continue  # repeats the address of an author named again below
        m = _BRACKETED.match(line)
        if m:
            people = [_find_author(who, authors) for who in m.group(1).split(";")]
            institution = m.group(2)
        else:
            *names, last = line.split(";")
            family, _, rest = last.partition(",")
            given, _, institution = rest.strip().partition(",")
            people = [_find_author(who, authors) for who in names]
            people.append(_find_author(f"{family},{given}", authors))
        institution = institution.strip().rstrip(".").strip()
        if not institution or any(p is None for p in people):
            attached = []
            break
        attached.append(([p for p in people if p is not None], institution))
    if attached:
        for holders, name in attached:
            org = Organization(names=[(name, "und")])
            for author in holders:
                if org not in author.affiliations:
                    author.affiliations.append(org)
        return
    parts: list[str] = []
    plain: list[str] = []
    for line in lines:
        m = _BRACKETED.match(line)
        if m:
            parts.append(m.group(2))
        else:
            plain.append(line)
    parts.extend(" ".join(plain).split(";"))  # "Institution A; Institution B"
    for part in parts:
        if part.strip(" ."):
            rec.affiliations.append(Organization(names=[(part.strip(), "und")]))


def _orcids(d: _Draft, value: Value, authors: list[Author]) -> None:
    """Web of Science's ``Family, Given/0000-0002-1825-0097; ...``: ORCID iDs of named authors."""
    for part in d.text(value).split(";"):
        who, _, raw = part.rpartition("/")
        author = _find_author(who, authors) if who.strip() else None
        if author is None and len(authors) == 1 and not who.strip():
            author = authors[0]
        orcid = ids.normalize_orcid(raw)
        if author is None or orcid is None:
            if part.strip():
                d.warn(value[0], f"{part.strip()!r} names no author of the record; left out")
            continue
        fields.check_digits(d, value[0], "orcid", orcid)
        author.orcid = author.orcid or orcid


def _unique_orgs(orgs: list[Organization]) -> list[Organization]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for org in orgs:
        key = tuple(org.names)
        if key not in seen:
            seen.add(key)
            out.append(org)
    return out


def _find_author(who: str, authors: list[Author]) -> Author | None:
    """The author that ``Family, Given`` (as Web of Science writes it) names, if just one."""
    family, _, given = who.strip().partition(",")
    initial = given.strip()[:1].casefold()
    found = [
        a
        for a in authors
        if a.family
        and a.family.casefold() == family.strip().casefold()
        and (not initial or not a.given or a.given[:1].casefold() == initial)
    ]
    return found[0] if len(found) == 1 else None


def _pmid(d: _Draft, ex: Export) -> str | None:
    for v in ex.pmids:
        text = d.text(v)
        m = re.fullmatch(r"(?:pmid:?\s*)?(\d{1,9})", text, re.IGNORECASE)
        if m:
            return m.group(1).lstrip("0") or None
        if text:
            d.warn(v[0], f"{text!r} is not a PubMed id; left out")
    for v in ex.pmid_hints:
        m = _PMID_IN_TEXT.search(d.text(v))
        if m:
            return m.group(1).lstrip("0") or None
    return None
