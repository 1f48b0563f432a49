"""kg's native record format: a dict per article (from JSON, JSON Lines, YAML or CSV).

The format is documented in docs/records.md. :func:`parse_record` turns one
dict into a :class:`~kg.records.Record`, raising :class:`~kg.errors.RecordError`
naming the field when a value cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.errors import Location
from kg.readers import fields
from kg.readers.context import ReaderContext
from kg.readers.normalize import (
    check_url,
    clean_text,
    language_code,
    language_tag,
    parse_date,
    parse_event_date,
    parse_year,
    split_pages,
    strip_retracted_prefix,
)
from kg.records import (
    CONTAINER_KIND,
    Address,
    Author,
    Container,
    Isbns,
    Journal,
    LangText,
    Notice,
    Organization,
    Record,
    Source,
    Status,
)

RECORD_FIELDS = {
    "id",
    "type",
    "title",
    "shown_title",
    "subtitle",
    "abstract",
    "keywords",
    "language",
    "metadata_language",
    "year",
    "date",
    "doi",
    "url",
    "journal",
    "book",
    "isbn",
    "series",
    "volume",
    "issue",
    "pages",
    "first_page",
    "last_page",
    "authors",
    "status",
}
JOURNAL_FIELDS = {"title", "issn_print", "issn_online", "issn_l", "issn", "publisher"}
BOOK_FIELDS = {"title", "isbn", "isbn_print", "isbn_electronic", "publisher", "series"}
AUTHOR_FIELDS = {"name", "family", "given", "orcid", "affiliations"}
ORG_FIELDS = {"name", "ror", "wikidata", "address"}
ADDRESS_FIELDS = {"street", "postal_code", "locality", "region", "country"}
STATUS_FIELDS = {"type", "date", "notice", "notice_doi", "reasons", "source", "record_id"}
NOTICE_FIELDS = {"doi", "url"}
STATUS_ALIASES = {
    "retracted": "retracted",
    "retraction": "retracted",
    "corrected": "corrected",
    "correction": "corrected",
    "expression-of-concern": "expression-of-concern",
    "expression of concern": "expression-of-concern",
    "reinstated": "reinstated",
    "reinstatement": "reinstated",
}
SUPPORTED_TYPES = {"journal-article", "article", "journal article"}
# the other kinds of work a record can be (spelt with - or a space, any case)
TYPES = {
    **dict.fromkeys(SUPPORTED_TYPES, "journal-article"),
    "book-chapter": "book-chapter",
    "chapter": "book-chapter",
    "proceedings-article": "proceedings-article",
    "conference-paper": "proceedings-article",
    "book": "book",
    "report": "report",
    "preprint": "preprint",
    "thesis": "thesis",
    "dataset": "dataset",
}


class _Parser(ReaderContext):
    """Reads one native record dict, keeping the path of the field being read."""

    def __init__(self, origin: Location) -> None:
        super().__init__(origin)
        self.text_lang = "und"

    def mapping(
        self, field: str, value: Any, allowed: set[str], shorthand: str | None = None
    ) -> Mapping[str, Any]:
        """An object with only ``allowed`` keys; a text stands for ``{shorthand: text}``."""
        if shorthand is not None and isinstance(value, str):
            value = {shorthand: value}
        if not isinstance(value, Mapping):
            raise self.fail(field or None, f"expected an object, got {_kind(value)}")
        unknown = sorted(k for k in value if k not in allowed)
        if unknown:
            raise self.fail(
                f"{field}.{unknown[0]}" if field else unknown[0],
                f"unknown field (known: {', '.join(sorted(allowed))})",
            )
        return value

    def string(self, field: str, value: Any, *, single_line: bool = True) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field, f"expected text, got {_kind(value)}")
        text = self.read(field, lambda v: clean_text(str(v), single_line=single_line), value)
        return text or None

    def texts(self, field: str, value: Any, *, single_line: bool = True) -> list[LangText]:
        """Language-tagged texts from a string, a {lang: text} map or a list of either."""
        out: list[LangText] = []
        if value is None:
            return out
        if isinstance(value, str):
            text = self.string(field, value, single_line=single_line)
            if text:
                out.append((text, self.text_lang))
        elif isinstance(value, Mapping):
            if set(value) <= {"text", "lang"} and "text" in value:
                lang = self.read(f"{field}.lang", language_tag, value.get("lang") or self.text_lang)
                text = self.string(f"{field}.text", value["text"], single_line=single_line)
                if text:
                    out.append((text, lang))
            else:
                for key in sorted(value):
                    lang = self.read(f"{field}.{key}", language_tag, key)
                    for text in self._text_list(f"{field}.{key}", value[key], single_line):
                        out.append((text, lang))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                out.extend(self.texts(f"{field}[{i}]", item, single_line=single_line))
        else:
            raise self.fail(field, f"expected text or {{language: text}}, got {_kind(value)}")
        return out

    def _text_list(self, field: str, value: Any, single_line: bool) -> list[str]:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            text = self.string(
                field if len(items) == 1 else f"{field}[{i}]", item, single_line=single_line
            )
            if text:
                out.append(text)
        return out

    def identifier(self, field: str, value: Any, scheme: str, example: str) -> str | None:
        """A DOI, ISSN, ORCID iD or ROR id (``scheme``), or None if the field is empty."""
        text = self.string(field, value)
        if text is None:
            return None
        return fields.required_id(self, field, text, scheme, f"expected a value like {example}")

    def listing(self, field: str, value: Any) -> list[tuple[str, Any]]:
        if value is None:
            return []
        if isinstance(value, list):
            return [(f"{field}[{i}]", v) for i, v in enumerate(value)]
        return [(field, value)]


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def parse_record(data: Any, origin: Location) -> Record:
    """Turn one native record (a dict) into a :class:`Record`.

    :raises RecordError: naming the field that cannot be read.
    """
    p = _Parser(origin)
    d = p.mapping("", data, RECORD_FIELDS)
    own_id = p.string("id", d.get("id"))
    if own_id:  # the record's own id makes messages easier to follow
        origin = p.origin = Location(origin.path, f"{origin.record} [id {own_id}]")
    rec = Record(origin=origin)

    kind = p.string("type", d.get("type"))
    if kind is not None:
        found = TYPES.get(kind.lower()) or TYPES.get(kind.lower().replace(" ", "-"))
        if found is None:
            known = ", ".join(sorted(set(TYPES.values())))
            raise p.fail("type", f"type {kind!r} is not supported (supported: {known})")
        rec.kind = found

    if d.get("language") is not None:
        rec.language = p.read("language", language_code, p.string("language", d["language"]))
    meta = d.get("metadata_language")
    if meta is not None:
        p.text_lang = p.read("metadata_language", language_tag, p.string("metadata_language", meta))
    elif rec.language:
        p.text_lang = rec.language

    rec.titles = p.texts("title", d.get("title"))
    for i, (title, lang) in enumerate(rec.titles):
        stripped = strip_retracted_prefix(title)
        if stripped is not None:
            rec.titles[i] = (stripped, lang)
            rec.shown_title = rec.shown_title or (title, lang)
    shown = p.texts("shown_title", d.get("shown_title"))
    if shown:
        rec.shown_title = shown[0]
    if not rec.titles and d.get("doi") is None:  # a DOI names a work without a title
        raise p.fail("title", "every record needs a title or a DOI")
    rec.subtitles = p.texts("subtitle", d.get("subtitle"))
    rec.abstracts = p.texts("abstract", d.get("abstract"), single_line=False)
    keywords = d.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in keywords.split(";")]
    rec.keywords = p.texts("keywords", keywords)

    if d.get("date") is not None:
        rec.year, rec.date = p.read("date", parse_date, d["date"])
    if d.get("year") is not None:
        year = p.read("year", parse_year, d["year"])
        if rec.year is not None and rec.year != year:
            raise p.fail("year", f"year {year} disagrees with date {d['date']}")
        rec.year = year

    rec.doi = p.identifier("doi", d.get("doi"), "doi", "10.1234/abc")
    rec.url = _url(p, "url", d.get("url"))

    if d.get("journal") is not None:
        rec.journal = _journal(p, d["journal"])
    if d.get("book") is not None:
        if rec.kind not in CONTAINER_KIND:
            raise p.fail(
                "book",
                f"a {rec.kind} is not part of a book (a book-chapter or proceedings-article is)",
            )
        rec.container = _book(p, d["book"], CONTAINER_KIND[rec.kind])
    if d.get("isbn") is not None:
        if rec.kind != "book":
            raise p.fail("isbn", "only a book has its own ISBN (a chapter's goes in book.isbn)")
        rec.isbns = _isbns(p, "isbn", d["isbn"], None)
    if d.get("series") is not None:
        if rec.kind not in ("book", "report"):
            raise p.fail(
                "series", "only a book or a report is in a series (a chapter's: book.series)"
            )
        rec.series = _journal(p, d["series"], "series")
    rec.volume = p.string("volume", d.get("volume"))
    rec.issue = p.string("issue", d.get("issue"))
    pages = p.string("pages", d.get("pages"))
    if pages:
        rec.first_page, rec.last_page, rec.page_range = p.read("pages", split_pages, pages)
    first = p.string("first_page", d.get("first_page"))
    last = p.string("last_page", d.get("last_page"))
    if first or last:
        if pages and (first, last) != (rec.first_page, rec.last_page):
            raise p.fail("first_page", f"first_page/last_page disagree with pages {pages!r}")
        rec.first_page, rec.last_page = first, last
        if first and last:
            rec.page_range = f"{first}-{last}"

    for field, value in p.listing("authors", d.get("authors")):
        rec.authors.append(_author(p, field, value))

    for field, value in p.listing("status", d.get("status")):
        rec.statuses.append(_status(p, field, value))
    if rec.shown_title is not None and strip_retracted_prefix(rec.shown_title[0]):
        fields.retracted_by_title(rec, [Source(url=rec.url)] if rec.url else [])
    rec.issues = p.issues
    return rec


def _org(p: _Parser, field: str, value: Any) -> Organization:
    d = p.mapping(field, value, ORG_FIELDS, "name")
    org = Organization(names=p.texts(f"{field}.name", d.get("name")))
    org.ror = p.identifier(f"{field}.ror", d.get("ror"), "ror", "00a45v709")
    wikidata = p.string(f"{field}.wikidata", d.get("wikidata"))
    if wikidata:
        qid = wikidata.rsplit("/", 1)[-1].upper()
        if not (qid.startswith("Q") and qid[1:].isdigit()):
            raise p.fail(f"{field}.wikidata", f"{wikidata!r} is not a Wikidata id like Q1466666")
        org.wikidata = qid
    if d.get("address") is not None:
        a = p.mapping(f"{field}.address", d["address"], ADDRESS_FIELDS)
        addr = Address(**{k: p.string(f"{field}.address.{k}", a.get(k)) for k in ADDRESS_FIELDS})
        org.address = None if addr.is_empty() else addr
    if not org.names and not org.ror:
        raise p.fail(f"{field}.name", "an organisation needs a name or a ROR id")
    return org


def _journal(p: _Parser, value: Any, name: str = "journal") -> Journal:
    d = p.mapping(name, value, JOURNAL_FIELDS, "title")
    j = Journal(titles=p.texts(f"{name}.title", d.get("title")))
    for key in ("issn_print", "issn_online", "issn_l"):
        setattr(
            j,
            key,
            p.identifier(f"{name}.{key}", d.get(key), "issn", "2305-8420"),
        )
    given = d.get("issn")
    for i, value in enumerate(given if isinstance(given, list) else [given]):
        if value is None:
            continue
        field = f"{name}.issn" if not isinstance(given, list) else f"{name}.issn.{i}"
        issn = p.identifier(field, value, "issn", "2305-8420")
        if issn and issn not in j.issns_unknown:
            j.issns_unknown.append(issn)
    if d.get("publisher") is not None:
        j.publisher = _org(p, f"{name}.publisher", d["publisher"])
    if not j.titles and not j.issns():
        raise p.fail(f"{name}.title", f"a {name} needs a title or an ISSN")
    return j


def _isbns(p: _Parser, field: str, value: Any, isbns: Isbns | None) -> Isbns:
    """ISBNs of unknown medium: one, or a list."""
    isbns = isbns or Isbns()
    for sub, one in p.listing(field, value):
        text = p.string(sub, one)
        isbn = p.identifier(sub, text, "isbn", "978-3-16-148410-0") if text else None
        if isbn:
            isbns.add(isbn, None)
    return isbns


def _book(p: _Parser, value: Any, kind: str) -> Container:
    """A chapter's book or a paper's proceedings: title, ISBNs, publisher, series."""
    d = p.mapping("book", value, BOOK_FIELDS, "title")
    c = Container(kind=kind, titles=p.texts("book.title", d.get("title")))
    if d.get("isbn") is not None:
        c.isbns = _isbns(p, "book.isbn", d["isbn"], c.isbns)
    for key, medium in (("isbn_print", "print"), ("isbn_electronic", "electronic")):
        if d.get(key) is not None:
            isbn = p.identifier(f"book.{key}", d[key], "isbn", "978-3-16-148410-0")
            if isbn:
                c.isbns.add(isbn, medium)
    if d.get("publisher") is not None:
        c.publisher = _org(p, "book.publisher", d["publisher"])
    if d.get("series") is not None:
        c.series = _journal(p, d["series"], "book.series")
    if c.is_empty():
        raise p.fail("book.title", "a book needs a title or an ISBN")
    return c


def _author(p: _Parser, field: str, value: Any) -> Author:
    d = p.mapping(field, value, AUTHOR_FIELDS, "name")
    family = p.string(f"{field}.family", d.get("family"))
    given = p.string(f"{field}.given", d.get("given"))
    name = p.string(f"{field}.name", d.get("name"))
    if name is None:
        if family is None:
            raise p.fail(f"{field}.name", "an author needs a name or a family name")
        name = f"{family}, {given}" if given else family
    author = Author(name=name, family=family, given=given)
    author.orcid = p.identifier(f"{field}.orcid", d.get("orcid"), "orcid", "0000-0002-1825-0097")
    for sub, org in p.listing(f"{field}.affiliations", d.get("affiliations")):
        author.affiliations.append(_org(p, sub, org))
    return author


def _status(p: _Parser, field: str, value: Any) -> Status:
    d = p.mapping(field, value, STATUS_FIELDS, "type")
    raw_kind = p.string(f"{field}.type", d.get("type"))
    if raw_kind is None:
        raise p.fail(f"{field}.type", "a status needs a type (retracted, corrected, ...)")
    kind = STATUS_ALIASES.get(raw_kind.lower())
    if kind is None:
        raise p.fail(
            f"{field}.type",
            f"unknown status {raw_kind!r} "
            f"(known: {', '.join(sorted(set(STATUS_ALIASES.values())))})",
        )
    status = Status(kind)
    if d.get("date") is not None:
        status.date = p.read(f"{field}.date", parse_event_date, d["date"])
    notice = d.get("notice")
    if d.get("notice_doi") is not None:
        notice = {"doi": d["notice_doi"]}
    if notice is not None:
        n = p.mapping(f"{field}.notice", notice, NOTICE_FIELDS, "doi")
        doi = p.identifier(f"{field}.notice.doi", n.get("doi"), "doi", "10.1234/abc")
        status.notice = Notice(doi, _url(p, f"{field}.notice.url", n.get("url")))
    reasons = d.get("reasons")
    if isinstance(reasons, str):
        reasons = reasons.split(";")
    for sub, reason in p.listing(f"{field}.reasons", reasons):
        text = p.string(sub, reason)
        if text:
            status.reasons.append(text.lstrip("+").strip())
    record_id = p.string(f"{field}.record_id", d.get("record_id"))
    for sub, source in p.listing(f"{field}.source", d.get("source")):
        if isinstance(source, str) and "://" in source:
            checked = _url(p, sub, source)
            if checked:
                status.sources.append(Source(url=checked))
            continue
        text = p.string(sub, source)
        if text:
            status.sources.append(Source(name=text, record_id=record_id))
            record_id = None
    if record_id:
        status.sources.append(Source(name="Retraction Watch", record_id=record_id))
    return status


def _url(p: _Parser, field: str, value: Any) -> str | None:
    """A URL field: one that cannot be written as an IRI is left out with a warning."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        p.string(field, value)  # says what the value should have been
        return None
    return p.lenient(field, check_url, value)
