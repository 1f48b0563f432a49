"""CSL-JSON (what Zotero, Mendeley, pandoc and citeproc export, and what Crossref gives
by content negotiation) to kg records.

:func:`read` reads a whole file: an array of items, one item, Zotero's web API
``{"items": [...]}``, or JSON Lines (one item a line). A file that breaks part-way
gives the items before the break and one reject naming where it broke; a bad
item rejects only itself. :func:`parse_item` reads one item. How each field maps
is in docs/sources.md ("CSL-JSON"); in short:

- ``type`` picks the kind: ``article-journal`` -> journal-article, ``chapter`` ->
  book-chapter (its book from ``container-title``), ``paper-conference`` ->
  proceedings-article (its proceedings), ``book``, ``report``, ``thesis``,
  ``dataset``, ``entry``/``entry-dictionary``/``entry-encyclopedia`` ->
  reference-entry; ``article`` and ``manuscript`` -> preprint when a preprint
  server (arXiv, bioRxiv, ChinaXiv, ...) is named in ``archive``, ``publisher``,
  ``number``, ``container-title``, ``DOI`` or ``URL``. Other types (web pages,
  patents, standards, maps, newspaper articles, ...) are skipped and counted.
- ``title`` (markup such as ``<i>`` or ``<span class="nocase">`` dropped); an item
  without a title is kept when a DOI (or a book's ISBN) names it, else rejected.
- ``author`` in order: ``family``/``given`` with ``non-dropping-particle`` (part of
  the family name), ``dropping-particle`` and ``suffix`` (in the shown name), or
  ``literal`` (an organisation or a CJK name, kept whole). A CJK name given as
  ``family``/``given`` is shown family name first, without a space. Editors,
  translators and other contributors are not authors: left out.
- ``issued``: ``date-parts`` (numbers or strings), else ``raw`` or ``literal``.
- ``language`` (``zh-CN``, ``en-US``) tags the title, abstract and keywords by its
  primary subtag where the text is written in that language's script; a text in
  kana is Japanese, in Hangul Korean, whatever the item says; else ``und``.
- ``ISSN`` (one, a list, or several in one text) are ISSNs of unknown medium: CSL
  does not say print or online. ``ISBN`` is the book's (or the chapter's book's).
- ``DOI`` in any spelling (else a ``doi.org`` link in ``URL``); a malformed DOI
  rejects the item. ``PMID``, ``URL``, ``page``, ``volume``, ``issue``,
  ``abstract`` (JATS or HTML markup dropped), ``keyword`` (split on ``;``, else
  ``,``), ``publisher`` (the journal's, the book's or the work's).

- ``reference`` (Crossref's CSL-JSON carries the work's reference list): each
  entry's DOI, key and text, read as for Crossref works (kg/readers/references.py).

Left out: ``container-title-short``, ``note``, ``accessed``, ``event-*``, ``edition``,
``number-of-pages``, ``publisher-place``, ``PMCID`` and other ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kg import ids
from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import Reject, Skipped, open_binary
from kg.readers.context import ReaderContext
from kg.readers.exported import date_parts, doi_of, issns_of, split_list
from kg.readers.exports import PREPRINT_HINT
from kg.readers.normalize import (
    check_url,
    language_code,
    language_tag,
    split_pages,
    strip_retracted_prefix,
    written_in,
)
from kg.readers.references import crossref_references, without_self
from kg.readers.syntax import parse_lines, parse_one, read_native_json
from kg.records import (
    CONTAINER_KIND,
    Author,
    Container,
    Isbns,
    Journal,
    LangText,
    Organization,
    Record,
)

# CSL item type -> kind of kg record (its FaBiO class: kg/mapping/mapper.py KIND_CLASS)
KINDS = {
    "article-journal": "journal-article",
    "chapter": "book-chapter",
    "paper-conference": "proceedings-article",
    "book": "book",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "entry": "reference-entry",
    "entry-dictionary": "reference-entry",
    "entry-encyclopedia": "reference-entry",
}
# types that are preprints when a preprint server is named
PREPRINT_TYPES = ("article", "manuscript")
# ChinaXiv, PSSXiv, SocArXiv, ... besides the servers every export reader knows
_XIV = re.compile(r"[a-z]xiv\b", re.IGNORECASE)
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_CJK = ("zh", "ja", "ko")
# "type: periodical" in a Zotero note: the "book" is a whole journal (GB/T 7714's periodicals)
_PERIODICAL = re.compile(r"^\s*(?:tex\.entrytype|type):\s*periodical\s*$", re.MULTILINE)


def read(path: Path, name: str) -> Iterator[Record | Reject | Skipped]:
    """The items of one CSL-JSON file (an array, one item, ``{"items": [...]}`` or JSON Lines)."""
    with open_binary(path) as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # bytes that are not UTF-8 reject the items that hold them (parse_item says which field)
    text = data.decode("utf-8", "surrogateescape")
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        yield Reject(RecordError(Location(name), "no records: the file is empty"))
        return
    if stripped.startswith("["):
        yield from read_native_json(text, name, parse_item)
        return
    if not stripped.startswith("{"):
        problem = "not CSL-JSON: expected an array of items, one item or JSON Lines"
        yield Reject(RecordError(Location(name, "line 1"), problem))
        return
    start = len(text) - len(stripped)
    try:
        value, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as e:
        if "\n{" in stripped:  # JSON Lines whose first line is broken
            yield from parse_lines(data.splitlines(keepends=True), 1, name, parse_item)
        else:
            where = Location(name, f"line {e.lineno}")
            yield Reject(RecordError(where, f"broken JSON: {e.msg}"))
        return
    rest = text[end:].strip()
    if rest and "\n" not in text[start:end]:  # more after a one-line item: one item a line
        yield from parse_lines(data.splitlines(keepends=True), 1, name, parse_item)
        return
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        for i, item in enumerate(value["items"], start=1):
            yield parse_one(parse_item, item, Location(name, f"item {i}"))
    else:
        yield parse_one(parse_item, value, Location(name, "record 1"))
    if rest:
        where = Location(name, f"line {text.count(chr(10), 0, end) + 1}")
        yield Reject(RecordError(where, "unexpected text after the JSON value"))


class _Item(ReaderContext):
    """Reads one CSL item, keeping the origin for messages."""

    def __init__(self, data: Mapping[str, Any], origin: Location) -> None:
        super().__init__(origin)
        self.d = data
        self.code: str | None = None  # the item's language (ISO 639)

    def text(self, field: str, value: Any, *, single_line: bool = True) -> str | None:
        """A text value (a number is read as text) as plain text; None if absent or empty."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field, f"expected text, got {type(value).__name__}")
        value = str(value)
        bad = re.search("[\udc80-\udcff]", value)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise self.fail(field, f"not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8")
        return self.plain(field, value, single_line=single_line) or None

    def texts(self, field: str) -> list[str]:
        """The texts of a field given as one text or a list of texts."""
        value = self.d.get(field)
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            name = f"{field}[{i}]" if isinstance(value, list) else field
            text = self.text(name, item)
            if text:
                out.append(text)
        return out

    def first(self, field: str) -> str | None:
        found = self.texts(field)
        return found[0] if found else None

    def tag(self, text: str) -> str:
        """The language tag of one of the item's texts (see the module docstring)."""
        if self.code in _CJK or self.code is None:
            if _KANA.search(text):
                return "ja"
            if _HANGUL.search(text):
                return "ko"
        if self.code is None or not written_in(self.code, text):
            return "und"
        return language_tag(self.code)


def parse_item(data: Any, origin: Location) -> Record | Skipped:
    """Turn one CSL item into a :class:`Record`, or a :class:`Skipped` for a type kg
    does not map.

    :raises RecordError: naming the field that makes the item unusable.
    """
    if not isinstance(data, Mapping):
        raise RecordError(
            origin, f"expected a CSL-JSON item (an object), got {type(data).__name__}"
        )
    w = _Item(data, origin)
    csl_type = data.get("type")
    if not isinstance(csl_type, str) or not csl_type.strip():
        raise w.fail("type", "a CSL-JSON item needs a type (e.g. 'article-journal')")
    kind = KINDS.get(csl_type)
    if kind is None and csl_type in PREPRINT_TYPES and _from_preprint_server(w):
        kind = "preprint"
    if kind is None:
        return Skipped(csl_type, origin)
    if kind == "book" and any(_PERIODICAL.search(t) for t in _raw_texts(w, "note")):
        return Skipped("book (periodical)", origin)  # Zotero's way to cite a whole journal

    title = w.first("title")
    doi = _doi(w)
    own_isbns = _isbns(w) if kind == "book" else None
    if not title and not doi and not (own_isbns and own_isbns.all()):
        raise w.fail("title", "the item has no title and no DOI or ISBN to name it")
    key = data.get("id")
    label = doi or (str(key) if isinstance(key, str | int) and not isinstance(key, bool) else None)
    record = f"{origin.record} [{label}]" if label else origin.record
    rec = Record(origin=Location(origin.path, record), kind=kind, doi=doi)
    w.origin = rec.origin

    language = w.first("language")
    if language:
        code = w.lenient("language", language_code, language)
        if code is not None and w.lenient("language", language_tag, code) is not None:
            rec.language = w.code = code
    if title:
        stripped = strip_retracted_prefix(title)
        if stripped is not None:
            rec.shown_title = (title, w.tag(title))
            title = stripped
        rec.titles = [(title, w.tag(title))]
        fields.retracted_by_title(rec, [])
    rec.abstracts = [(t, w.tag(t)) for t in _abstract(w)]
    rec.keywords = _keywords(w)
    _dates(w, rec)

    publisher = _organization(w, "publisher")
    if kind == "journal-article":
        rec.journal = _journal(w, publisher)
        rec.volume = w.first("volume")
        rec.issue = w.first("issue")
    elif kind in CONTAINER_KIND:
        rec.container = _container(w, CONTAINER_KIND[kind], publisher)
    else:  # a book, report, thesis, dataset or preprint: its own publisher
        rec.isbns = own_isbns
        rec.publisher = publisher
        if kind in ("book", "report"):
            rec.series = _series(w, w.first("collection-title"))
    page = w.first("page")
    pages = w.lenient("page", split_pages, page) if page else None
    if pages:
        rec.first_page, rec.last_page, rec.page_range = pages

    rec.authors = _authors(w)
    rec.url = _url(w)
    rec.pmid = _pmid(w)
    refs = crossref_references(w, data.get("reference"))
    rec.references = without_self(w, refs, rec.doi, rec.pmid, "reference")
    rec.issues = w.issues
    return rec


def _from_preprint_server(w: _Item) -> bool:
    hints = [
        t
        for f in ("archive", "publisher", "number", "container-title", "DOI", "URL")
        for t in _raw_texts(w, f)
    ]
    return any(PREPRINT_HINT.search(h) or _XIV.search(h) for h in hints)


def _raw_texts(w: _Item, field: str) -> list[str]:
    value = w.d.get(field)
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if isinstance(v, str | int) and not isinstance(v, bool)]


def _doi(w: _Item) -> str | None:
    text = w.first("DOI")
    if text:
        doi = doi_of(text)
        if doi is None:
            raise w.fail("DOI", f"{text!r} is not a DOI")
        return doi
    for url in _raw_texts(w, "URL"):  # a doi.org link names the work too
        if "doi.org/" in url.lower():
            found = doi_of(url)
            if found:
                return found
    return None


def _url(w: _Item) -> str | None:
    for i, url in enumerate(w.texts("URL")):
        if "doi.org/" in url.lower() and doi_of(url):
            continue  # the DOI, written as a link
        field = f"URL[{i}]" if isinstance(w.d.get("URL"), list) else "URL"
        checked = w.lenient(field, check_url, url)
        if checked:
            return checked
    return None


def _pmid(w: _Item) -> str | None:
    text = w.first("PMID")
    if text is None:
        return None
    m = re.fullmatch(r"(?:pmid:?\s*)?(\d{1,9})", text, re.IGNORECASE)
    if m and m.group(1).lstrip("0"):
        return m.group(1).lstrip("0")
    w.warn("PMID", f"{text!r} is not a PubMed id; left out")
    return None


def _abstract(w: _Item) -> list[str]:
    text = w.text("abstract", w.d.get("abstract"), single_line=False)
    return [text] if text else []


def _keywords(w: _Item) -> list[LangText]:
    value = w.d.get("keyword")
    found: list[str] = []
    if isinstance(value, list):  # not CSL, but some exporters write a list
        found = w.texts("keyword")
    else:
        text = w.text("keyword", value)
        found = split_list(text) if text else []
    return [(k, w.tag(k)) for k in dict.fromkeys(found)]


def _date(w: _Item, field: str) -> tuple[int, str] | None:
    """(year, ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``) of a CSL date; None, with a warning, if
    it holds no year."""
    value = w.d.get(field)
    if value is None:
        return None
    if isinstance(value, str):  # not CSL, but seen: "issued": "2013-05-01"
        value = {"raw": value}
    if not isinstance(value, Mapping):
        w.warn(field, f"expected a date object, got {type(value).__name__}; left out")
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        if parts[0][0] is None:  # [[null]]: no date
            return None
        if isinstance(parts[0][0], str) and not parts[0][0].strip().isdigit():
            # [["2013-05-01"]]: a date in one part
            return _date_text(w, f"{field}.date-parts", parts[0][0])
        numbers = []
        for p in parts[0][:3]:
            if isinstance(p, str) and p.strip().isdigit():
                p = int(p)
            if not isinstance(p, int) or isinstance(p, bool):
                break
            numbers.append(p)
        if not numbers or not 1 <= numbers[0] <= 9999:
            w.warn(f"{field}.date-parts", f"{parts[0]!r} is not a date; left out")
            return None
        return numbers[0], _partial(*numbers)
    for key in ("raw", "literal"):
        raw = value.get(key)
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            return _date_text(w, f"{field}.{key}", raw)
    return None


def _date_text(w: _Item, field: str, raw: str | int) -> tuple[int, str] | None:
    text = w.text(field, raw) or ""
    found = date_parts(text)
    if found is None or not 1 <= found[0] <= 9999:
        w.warn(field, f"{text!r} is not a date; left out")
        return None
    return found[0], _partial(*(p for p in found if p is not None))


def _partial(year: int, month: int | None = None, day: int | None = None) -> str:
    """As much of the date as is a date: CSL months 13-24 are seasons, not months."""
    if month is None or not 1 <= month <= 12:
        return fields.partial_date(year)
    if day is None or fields.full_date(year, month, day) is None:
        return fields.partial_date(year, month)
    return fields.partial_date(year, month, day)


def _dates(w: _Item, rec: Record) -> None:
    issued = _date(w, "issued")
    printed = _date(w, "published-print")
    online = _date(w, "published-online")
    first = issued or printed or online
    if first is not None:
        rec.year = first[0]
        rec.date = first[1] if len(first[1]) == 10 else None
    rec.printed = printed[1] if printed else None
    rec.online = online[1] if online else None


def _organization(w: _Item, field: str) -> Organization | None:
    name = w.first(field)
    return Organization(names=[(name, "und")]) if name else None


def _issns(w: _Item) -> list[str]:
    """The ISSNs of ``ISSN``: CSL does not say print or online, and kg does not guess."""
    out: list[str] = []
    value = w.d.get("ISSN")
    for i, text in enumerate(w.texts("ISSN")):
        field = f"ISSN[{i}]" if isinstance(value, list) else "ISSN"
        found = [issn for issn, _ in issns_of(text)]
        if not found:
            w.warn(field, f"{text!r} holds no ISSN (expected NNNN-NNNC); left out")
        for issn in found:
            fields.check_digits(w, field, "issn", issn)
            out.append(issn)
    return sorted(set(out))


def _journal(w: _Item, publisher: Organization | None) -> Journal | None:
    title = w.first("container-title")
    j = Journal(titles=[(title, "und")] if title else [], issns_unknown=_issns(w))
    j.publisher = publisher
    return j if j.titles or j.issns() else None


def _isbns(w: _Item) -> Isbns:
    isbns = Isbns()
    value = w.d.get("ISBN")
    for i, text in enumerate(w.texts("ISBN")):
        field = f"ISBN[{i}]" if isinstance(value, list) else "ISBN"
        found = ids.ISBN_IN_TEXT.findall(text)
        if not found:
            w.warn(field, f"{text!r} holds no ISBN; left out")
        for raw in found:
            isbn = fields.lenient_id(w, field, raw, "isbn")
            if isbn:
                isbns.add(isbn, None)
    return isbns


def _series(w: _Item, title: str | None) -> Journal | None:
    """The series a book or report is in: when the item gives an ISSN for it."""
    issns = _issns(w)
    if not issns:
        return None
    return Journal(titles=[(title, "und")] if title else [], issns_unknown=issns)


def _container(w: _Item, kind: str, publisher: Organization | None) -> Container | None:
    """A chapter's book, a paper's proceedings, an entry's encyclopedia: ``container-title``,
    ISBNs, publisher; with an ISSN, the series (``collection-title``)."""
    title = w.first("container-title")
    c = Container(kind=kind, titles=[(title, "und")] if title else [], isbns=_isbns(w))
    c.publisher = publisher
    c.series = _series(w, w.first("collection-title"))
    return None if c.is_empty() else c


def _is_cjk(text: str) -> bool:
    return written_in("zh", text)


def _authors(w: _Item) -> list[Author]:
    raw = w.d.get("author")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise w.fail("author", "expected a list of authors")
    authors = []
    for i, a in enumerate(raw):
        field = f"author[{i}]"
        if not isinstance(a, Mapping):
            raise w.fail(field, "expected an object")
        part = {k: w.text(f"{field}.{k}", a.get(k)) for k in _NAME_PARTS}
        family = " ".join(p for p in (part["non-dropping-particle"], part["family"]) if p)
        given = part["given"]
        if part["literal"]:
            name = part["literal"]
        elif family and given and _is_cjk(family) and _is_cjk(given):
            name = family + given  # 张三: family name first, no space
        else:
            name = fields.shown_name(
                given, part["dropping-particle"], family, suffix=part["suffix"]
            )
        if not name:
            w.warn(field, "an author with no name is left out")
            continue
        author = Author(name=name, family=family or None, given=given)
        if part["literal"]:
            author.family = author.given = None
        orcid = a.get("ORCID")
        if isinstance(orcid, str):
            author.orcid = fields.lenient_id(w, f"{field}.ORCID", orcid, "orcid")
        for j, aff in enumerate(a.get("affiliation") or []):
            org = _organization_of(w, f"{field}.affiliation[{j}]", aff)
            if org is not None:
                author.affiliations.append(org)
        authors.append(author)
    return authors


_NAME_PARTS = ("family", "given", "literal", "non-dropping-particle", "dropping-particle", "suffix")


def _organization_of(w: _Item, field: str, aff: Any) -> Organization | None:
    """An affiliation as Crossref's CSL gives it (``{"name": ...}``), or as a text."""
    if isinstance(aff, Mapping):
        name = w.text(f"{field}.name", aff.get("name"))
    else:
        name = w.text(field, aff) if isinstance(aff, str) else None
    return Organization(names=[(name, "und")]) if name else None
