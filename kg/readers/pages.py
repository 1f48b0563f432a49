"""Journal landing pages: the meta tags of an HTML page, or the text of a page.

:func:`read` reads one file as one page, and one page is one record. Nothing is
fetched: links on the page are kept as they are, never followed.

**HTML** (``.html``, ``.htm``, also gzipped) is parsed with selectolax (lexbor)
and read from its ``<meta>`` tags:

- Highwire Press tags (what Google Scholar indexes): ``citation_title``,
  ``citation_author`` (repeated, in order; ``citation_authors``, a ``;`` list,
  when there is none), each followed by the ``citation_author_institution``
  and ``citation_author_orcid`` tags of that author (``citation_author_email``
  is left out: kg has no field for it), ``citation_journal_title``,
  ``citation_issn``, ``citation_publisher``, ``citation_volume``,
  ``citation_issue``, ``citation_firstpage``, ``citation_lastpage``,
  ``citation_doi``, ``citation_publication_date`` (else ``citation_date``) for
  the year and date, ``citation_online_date`` for the online date,
  ``citation_language``, ``citation_keywords`` (``;``-separated or repeated),
  ``citation_abstract``, ``citation_abstract_html_url`` (else the canonical
  link, ``og:url``, ``citation_pdf_url``) for the URL, ``citation_pmid``;
  ``citation_conference_title``, ``citation_dissertation_institution``,
  ``citation_technical_report_institution`` and ``citation_inbook_title`` /
  ``citation_book_title`` make the work a proceedings paper, thesis, report
  or book chapter (their container is left out: kg's record has no place
  for it).
- Dublin Core tags (``DC.*``, ``dc.*``, ``DCTERMS.*``, in any case), used for
  what the Highwire tags do not give: ``DC.title``, ``DC.creator``,
  ``DC.identifier`` (a DOI, or with ``.DOI``/``.URI``), ``DC.date``
  (``.issued``, ``.created``), ``DC.language``, ``DC.publisher``,
  ``DC.source`` (the journal title; OJS adds ``.ISSN``, ``.Volume``,
  ``.Issue``), ``DC.identifier.pageNumber``, ``DC.subject`` (keywords),
  ``DC.description``/``DCTERMS.abstract``, ``DC.rights`` (a licence URL).
  Highwire wins where both are given.

*ISSNs.* ``citation_issn`` and ``DC.source.ISSN`` do not say whether an ISSN
is the print or the online one (OJS, for one, gives the online ISSN if the
journal has one, else the print one). kg does not guess: an ISSN is typed
(print or online) only when the page says which it is, by ``prism.issn`` /
``prism.eIssn`` tags or by its visible text next to the number
(``ISSN 2305-8420 (Print)``, ``eISSN``, ``Online ISSN:``,
``(Печатная версия)``, ...). An ISSN the page leaves untyped goes to
``Journal.issns_unknown``: an ISSN identifier of the journal (which also names
the journal's node when it has no typed ISSN), never ``prism:issn`` or
``prism:eIssn``.

Author names written ``Family, Given`` are split there; a name without a
comma (``Laura Mäkinen``) is kept whole, without family and given names: which
part is the family name the page does not say. Texts (titles, abstract,
keywords, names) are tagged with the meta tag's own
``xml:lang``/``lang``, else the page's ``<html lang>``, else the work's
language, else ``und``. Dates may be ``YYYY/MM/DD``, ``YYYY-MM-DD``, ``YYYY/MM``
or ``YYYY``; a date written day-first or month-first (``01/12/2015``, which
cannot be told apart) gives its year only, with a warning.

**Text** (``.txt``, also gzipped) is read as the plain-text layout of the
pages of *Liberal Arts in Russia* (libartrus.com; Russian: *Российский
гуманитарный журнал*), in its English or Russian interface:

.. code-block:: text

    Liberal Arts in Russia EN-rus logo          <- journal title (fallback)
    ISSN 2305-8420 (Print)                      <- print ISSN
    ISSN 2312-6442 (Online)                     <- online ISSN
    RETRACTED: Cluster management model ...     <- title (retracted)
    Liberal Arts in Russia. 2015. Vol. 4. No. 6. Pp. 513-523.
    Get the full text (Russian)                 <- the language of the text
    Kartashova A. A.                            <- authors, comma-separated
    Tomsk Polytechnic University                <- affiliation
    30 Lenin Ave., 634050 Tomsk, Russia         <- its address
    The aim of the article is ...               <- abstract
      • • regional clusters                     <- keywords

The Russian interface writes ``2012. Том 1. №1. С. 30-35.`` (the journal title
may be absent from it) and ``ISSN 2305-8420 (Печатная версия)``. The citation
line is the anchor: a text without one is not such a page and gives one
reject. Texts are tagged with the interface's language (``en`` or ``ru``); a
text in the other script is tagged ``ru`` (Cyrillic on the English page) or
``und`` (Latin on the Russian page). With one affiliation, every author listed
has it; with several and more than one author, the page does not say whose
each is, so they are kept for the authors as a whole (with a warning).

Either way, a title shown as ``RETRACTED: X`` gives the title ``X``, the shown
title, and a retracted status whose source is the page's URL (else the
journal, by title). A file larger than :data:`MAX_PAGE_BYTES`, binary data,
text that does not decode, a page cut off before its ``<head>`` ends, and a
control character in a value give one reject each (naming the tag), never a
traceback; a page cut off after its head still gives its record, with a
warning.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg import ids
from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import ReadResult, Reject, open_binary, syntax_of
from kg.readers.context import ReaderContext
from kg.readers.normalize import (
    check_url,
    clean_text,
    language_code,
    language_tag,
    split_pages,
    strip_retracted_prefix,
)
from kg.records import (
    Address,
    Author,
    Journal,
    LangText,
    Organization,
    Record,
    Source,
)

# A landing page is a few hundred kilobytes; a file larger than this is not one
# (or is a dump kg should not load whole into memory) and is rejected unread.
MAX_PAGE_BYTES = 16 * 1024 * 1024
# how much of a page's text is kept in a reject, to name it
_RAW_CHARS = 2000

RECORD = "page"  # the record label in messages: "file.html: page: field '...': ..."


def read(path: Path, name: str) -> Iterator[ReadResult]:
    """Read one landing page (HTML meta tags, or the text layout) as one record.

    ``name`` is the file's display name for messages.
    """
    origin = Location(name, RECORD)
    try:
        with open_binary(path) as f:
            data = f.read(MAX_PAGE_BYTES + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        yield Reject(RecordError(origin, f"the compressed file is cut off or corrupt ({e})"))
        return
    if len(data) > MAX_PAGE_BYTES:
        limit = f"{MAX_PAGE_BYTES // (1024 * 1024)} MiB"
        yield Reject(
            RecordError(
                origin,
                f"the file is larger than {limit}, the limit for a landing page "
                "(MAX_PAGE_BYTES in kg/pages.py); not read",
            )
        )
        return
    if not data.strip():
        yield Reject(RecordError(origin, "the file is empty"))
        return
    if _looks_binary(data):
        yield Reject(RecordError(origin, "binary data, not a landing page (HTML or text)"))
        return
    is_html = syntax_of(path)[0] == "html"
    try:
        text = _decode_html(data) if is_html else _decode_text(data)
    except ValueError as e:
        yield Reject(RecordError(origin, str(e)))
        return
    try:
        if is_html:
            yield _read_html(text, data, origin)
        else:
            yield _read_text_page(text, origin)
    except RecordError as e:
        yield Reject(e, text[:_RAW_CHARS])


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte-order mark: decoded below
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > len(head) // 100


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes) -> str:
    """The page's text: by its byte-order mark, else UTF-8, else its declared charset."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        m = _CHARSET.search(data[:4096])
        if m is None:
            line = data[: e.start].count(b"\n") + 1
            raise ValueError(
                f"not UTF-8 (byte {e.start}, line {line}) and the page declares no charset"
            ) from None
        charset = m.group(1).decode("ascii")
        try:
            return data.decode(charset, "replace")
        except LookupError:
            raise ValueError(f"the page's charset {charset!r} is unknown") from None


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ValueError(f"not UTF-8 text (byte {e.start}, line {line})") from None


# --------------------------------------------------------------------------- shared


class _Page(ReaderContext):
    """A record being built, with the warnings found on the way."""

    def __init__(self, rec: Record) -> None:
        super().__init__(rec.origin)
        self.rec = rec

    def issn(self, fld: str, text: str) -> str | None:
        """An ISSN, or None (with a warning) if ``text`` is not one."""
        return fields.lenient_id(self, fld, text, "issn")


def _set_title(p: _Page, titles: list[LangText]) -> None:
    """Titles, with a ``RETRACTED:`` prefix taken off into the shown title."""
    for text, lang in titles:
        stripped = strip_retracted_prefix(text)
        if stripped is not None:
            p.rec.shown_title = p.rec.shown_title or (text, lang)
        item = (stripped or text, lang)
        if item not in p.rec.titles:
            p.rec.titles.append(item)


def _retracted_status(rec: Record) -> None:
    """The ``RETRACTED:`` prefix the page shows is evidence of the status."""
    if rec.url:
        sources = [Source(url=rec.url)]
    elif rec.journal is not None and rec.journal.titles:
        sources = [Source(name=rec.journal.titles[0][0])]
    else:
        sources = []
    fields.retracted_by_title(rec, sources)


# --------------------------------------------------------------------------- HTML

_DAY_FIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})(?:[/.-](\d{1,2})(?:[/.-](\d{1,2}))?)?(?:[T ].*)?$")
# where the year and date come from, in order of preference
_DATE_TAGS = (
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dc.issued",
    "dc.date",
    "dc.date.created",
    "dc.created",
    "prism.publicationdate",
)
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
_KINDS = (
    ("citation_conference_title", "proceedings-article"),
    ("citation_conference", "proceedings-article"),
    ("citation_dissertation_institution", "thesis"),
    ("citation_dissertation_name", "thesis"),
    ("citation_technical_report_institution", "report"),
    ("citation_technical_report_number", "report"),
    ("citation_inbook_title", "book-chapter"),
    ("citation_book_title", "book-chapter"),
)
_ISSN_IN_TEXT = re.compile(r"\b\d{4}[-\u2010\u2011\u2013]?\d{3}[\dXx]\b")
_LABEL_AFTER = re.compile(r"^\s*\(([^()]{1,40})\)")
_LABEL_BEFORE = re.compile(
    r"(?:\b(print|online|electronic|web|p|e|печатн\w*|электронн\w*)[\s\-\u2010:]*issn"
    r"|\bissn\s*\(\s*(print|online|electronic|web|печатн\w*|электронн\w*)[^()]{0,20}\))"
    r"[\s:.]*$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Meta:
    name: str  # lower-cased; "dcterms." read as "dc."
    content: str
    lang: str | None  # the tag's own xml:lang or lang


def _issn_kind(label: str) -> str | None:
    """``print`` or ``online`` for a label such as ``Print``, ``e``, ``Электронная версия``."""
    value = label.strip().lower()
    if value in ("p", "print") or value.startswith(("print ", "печатн")):
        return "print"
    if value in ("e", "online", "electronic", "web") or value.startswith(
        ("online ", "electronic ", "электронн")
    ):
        return "online"
    return None


def _typed_issns(body: str) -> dict[str, str]:
    """ISSN -> ``print``/``online`` where the page's text labels the number."""
    out: dict[str, str] = {}
    matches = list(_ISSN_IN_TEXT.finditer(body))
    for i, m in enumerate(matches):
        issn = ids.normalize_issn(m.group())
        if issn is None:
            continue
        start = matches[i - 1].end() if i else max(0, m.start() - 60)
        kind = None
        after = _LABEL_AFTER.match(body, m.end())
        if after:
            kind = _issn_kind(after.group(1).strip())
        if kind is None:
            before = _LABEL_BEFORE.search(body[max(start, m.start() - 60) : m.start()])
            if before:
                kind = _issn_kind(before.group(1) or before.group(2))
        if kind is not None and out.get(issn, kind) == kind:
            out[issn] = kind
        elif kind is not None:
            out[issn] = "both"  # labelled both ways: the page contradicts itself
    return {k: v for k, v in out.items() if v != "both"}


class _Metas:
    """The page's meta tags in document order, looked up by name."""

    def __init__(self, metas: list[_Meta], page_lang: str | None) -> None:
        self.all = metas
        self.page_lang = page_lang
        self.by_name: dict[str, list[_Meta]] = {}
        for m in metas:
            self.by_name.setdefault(m.name, []).append(m)

    def first(self, *names: str) -> tuple[str, _Meta] | None:
        for n in names:
            for m in self.by_name.get(n, []):
                if m.content:
                    return n, m
        return None

    def every(self, *names: str) -> tuple[str, list[_Meta]]:
        """All values of the first name (in order of preference) that has any."""
        for n in names:
            found = [m for m in self.by_name.get(n, []) if m.content]
            if found:
                return n, found
        return names[0], []


def _tag_or(raw: str | None, default: str) -> str:
    """The language tag ``raw``, or ``default`` if there is none or it is not one."""
    if raw:
        try:
            return language_tag(raw)
        except ValueError:
            pass
    return default


def _meta_name(raw: str) -> str:
    name = raw.strip().lower()
    if name.startswith("dcterms."):
        name = "dc." + name[len("dcterms.") :]
    return name


def _read_html(text: str, data: bytes, origin: Location) -> Record:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    html_el = tree.css_first("html")
    raw_lang = html_el.attributes.get("lang") if html_el is not None else None
    page_lang = _tag_or(raw_lang, "") or None
    metas: list[_Meta] = []
    for el in tree.css("meta"):
        attrs = el.attributes
        raw_name = attrs.get("name") or attrs.get("property")
        if not raw_name:
            continue
        name = _meta_name(raw_name)
        if not (name.startswith(("citation_", "dc.", "prism.")) or name == "og:url"):
            continue
        lang = attrs.get("xml:lang") or attrs.get("lang")
        metas.append(_Meta(name, attrs.get("content") or "", lang))
    canonical = None
    for el in tree.css("link"):
        if (el.attributes.get("rel") or "").strip().lower() == "canonical":
            canonical = el.attributes.get("href")
            break
    body = tree.body.text(separator=" ") if tree.body is not None else ""

    head_complete = _HEAD_END.search(data) is not None or _HTML_END.search(data) is not None
    if not head_complete:
        raise RecordError(
            origin,
            "the file ends inside the page's <head> (truncated?): its meta tags may be "
            "incomplete, so the page is not read",
        )
    if not any(m.name.startswith(("citation_", "dc.")) for m in metas):
        raise RecordError(
            origin,
            "not a journal landing page: no citation_* (Highwire Press) or DC.* "
            "(Dublin Core) meta tags found",
        )
    p = _Page(Record(origin=origin))
    p.rec.raw = {"meta": [[m.name, m.content] for m in metas]}
    _html_record(p, _Metas(metas, page_lang), canonical, body)
    if _HTML_END.search(data) is None:
        p.warn("html", "the page ends without </html> (cut off?); its meta tags were all read")
    p.rec.issues = p.issues
    return p.rec


def _html_record(p: _Page, mt: _Metas, canonical: str | None, body: str) -> None:
    rec = p.rec
    for name, kind in _KINDS:
        if mt.first(name):
            rec.kind = kind
            break

    lang_meta = mt.first("citation_language", "dc.language")
    if lang_meta is not None:
        try:
            rec.language = language_code(lang_meta[1].content)
        except ValueError as e:
            p.warn(lang_meta[0], f"{e}; left out")
    default_lang = mt.page_lang or rec.language or "und"

    def tag(m: _Meta) -> str:
        return _tag_or(m.lang, default_lang)

    fld, metas = mt.every("citation_title", "dc.title")
    _set_title(p, [(t, tag(m)) for m in metas if (t := p.plain(fld, m.content))])
    if not rec.titles:
        raise p.fail(
            "citation_title", "the page has no title (no citation_title or DC.title meta tag)"
        )
    have_langs = {lang for _, lang in rec.titles}
    for m in mt.by_name.get("dc.title.alternative", []):
        t = p.plain("DC.title.alternative", m.content)
        if t and m.lang and tag(m) not in have_langs:
            _set_title(p, [(t, tag(m))])

    fld, metas = mt.every("citation_abstract", "dc.description", "dc.abstract")
    for m in metas:
        t = p.plain(fld, m.content, single_line=False)
        if t and (t, tag(m)) not in rec.abstracts:
            rec.abstracts.append((t, tag(m)))

    fld, metas = mt.every("citation_keywords", "dc.subject")
    for m in metas:
        for part in m.content.split(";"):
            t = p.plain(fld, part)
            if t and (t, tag(m)) not in rec.keywords:
                rec.keywords.append((t, tag(m)))

    _html_dates(p, mt)
    _html_ids(p, mt, canonical)
    _html_authors(p, mt, tag)
    if rec.kind == "journal-article":
        rec.journal = _html_journal(p, mt, body, default_lang)
        for fld_names, attr in (
            (("citation_volume", "dc.source.volume", "prism.volume"), "volume"),
            (("citation_issue", "dc.source.issue", "prism.number"), "issue"),
        ):
            found = mt.first(*fld_names)
            if found:
                setattr(rec, attr, p.plain(found[0], found[1].content) or None)
        if rec.journal is None and (rec.volume or rec.issue):
            p.warn("citation_volume", "volume and issue are left out: the page names no journal")
            rec.volume = rec.issue = None
    _html_pages(p, mt)
    for m in mt.by_name.get("dc.rights", []):
        value = m.content.strip()
        if value.startswith(("http://", "https://")):
            try:
                rec.licenses.append(check_url(value))
            except ValueError:
                pass
    _retracted_status(rec)


def _page_date(text: str) -> tuple[int, str | None, str] | None:
    """(year, full date or None, partial date) from a page's date, or None if unreadable."""
    value = text.strip()
    m = _YEAR_FIRST.match(value)
    if not m:
        return None
    year = int(m.group(1))
    if not 1 <= year <= 9999:
        return None
    if m.group(2) is None:
        return year, None, fields.partial_date(year)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    if m.group(3) is None:
        return year, None, fields.partial_date(year, month)
    full = fields.full_date(year, month, m.group(3))
    return None if full is None else (year, full, full)


def _html_dates(p: _Page, mt: _Metas) -> None:
    rec = p.rec
    for fld in _DATE_TAGS:
        m = next((m for m in mt.by_name.get(fld, []) if m.content.strip()), None)
        if m is None:
            continue
        parsed = _page_date(m.content)
        day_first = _DAY_FIRST.match(m.content.strip())
        if parsed is not None:
            rec.year, rec.date = parsed[0], parsed[1]
            break
        if day_first:
            rec.year = int(day_first.group(1))
            p.warn(
                fld,
                f"{m.content!r} may be day/month or month/day; only its year {rec.year} is kept",
            )
            break
        p.warn(fld, f"{m.content!r} is not a date (YYYY/MM/DD or YYYY-MM-DD); left out")
    online = mt.first("citation_online_date")
    if online:
        parsed = _page_date(online[1].content)
        if parsed is None:
            p.warn(online[0], f"{online[1].content!r} is not a date; left out")
        else:
            rec.online = parsed[2]
            if rec.year is None:
                rec.year = parsed[0]


def _html_ids(p: _Page, mt: _Metas, canonical: str | None) -> None:
    rec = p.rec
    found = mt.first("citation_doi", "dc.identifier.doi", "prism.doi")
    if found:
        rec.doi = ids.normalize_doi(found[1].content)
        if rec.doi is None:
            p.warn(found[0], f"{found[1].content!r} is not a DOI; left out")
    if rec.doi is None:
        for m in mt.by_name.get("dc.identifier", []):
            doi = ids.normalize_doi(m.content) if "10." in m.content else None
            if doi:
                rec.doi = doi
                break
    # the landing page first, the PDF last
    urls: list[tuple[str, str]] = []
    hit = mt.first("citation_abstract_html_url")
    if hit:
        urls.append((hit[0], hit[1].content))
    if canonical:
        urls.append(("link rel=canonical", canonical))
    for names in (("og:url",), ("dc.identifier.uri",)):
        hit = mt.first(*names)
        if hit:
            urls.append((hit[0], hit[1].content))
    urls.extend((m.name, m.content) for m in mt.by_name.get("dc.identifier", []))
    hit = mt.first("citation_pdf_url")
    if hit:
        urls.append((hit[0], hit[1].content))
    for fld, value in urls:
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")):
            if fld != "dc.identifier":
                p.warn(fld, f"{value!r} is not an absolute URL; left out")
            continue
        try:
            rec.url = check_url(value)
            break
        except ValueError as e:
            p.warn(fld, f"{e}; left out")
    pmid = mt.first("citation_pmid")
    if pmid:
        value = pmid[1].content.strip()
        if value.isdigit():
            rec.pmid = value
        else:
            p.warn(pmid[0], f"{value!r} is not a PubMed id (digits); left out")


def _split_name(name: str) -> Author:
    """``Family, Given`` is split; a name without a comma is kept whole (which part
    is the family name is not said)."""
    parts = fields.split_name(name)
    if parts is not None and all(parts):
        return Author(name=name, family=parts[0], given=parts[1])
    return Author(name=name)


def _html_authors(p: _Page, mt: _Metas, tag: Callable[[_Meta], str]) -> None:
    rec = p.rec
    author_name = "citation_author" if "citation_author" in mt.by_name else None
    if author_name is None and "citation_authors" in mt.by_name:
        for m in mt.by_name["citation_authors"]:
            for part in m.content.split(";"):
                name = p.plain("citation_authors", part)
                if name:
                    rec.authors.append(_split_name(name))
        return
    if author_name is None:
        _, metas = mt.every("dc.creator", "dc.creator.personalname", "dc.contributor.author")
        for m in metas:
            name = p.plain(m.name, m.content)
            if name:
                rec.authors.append(_split_name(name))
        return
    current: Author | None = None
    for m in mt.all:
        if m.name == "citation_author":
            name = p.plain(m.name, m.content)
            current = _split_name(name) if name else None
            if current is not None:
                rec.authors.append(current)
        elif m.name == "citation_author_institution":
            inst = p.plain(m.name, m.content)
            if not inst:
                continue
            org = Organization(names=[(inst, tag(m))])
            if current is None:
                p.warn(m.name, f"{inst!r} comes before any citation_author; kept for all authors")
                rec.affiliations.append(org)
            elif all(o.names != org.names for o in current.affiliations):
                current.affiliations.append(org)
        elif m.name == "citation_author_orcid" and current is not None:
            current.orcid = fields.lenient_id(p, m.name, m.content, "orcid") or current.orcid


def _html_journal(p: _Page, mt: _Metas, body: str, lang: str) -> Journal | None:
    j = Journal()
    found = mt.first("citation_journal_title", "dc.source", "prism.publicationname")
    if found and not found[1].content.strip().lower().startswith(("http://", "https://")):
        title = p.plain(found[0], found[1].content)
        if title:
            j.titles.append((title, _tag_or(found[1].lang, lang)))
    typed: dict[str, str] = {}
    for fld, kind in (("prism.issn", "print"), ("prism.eissn", "online")):
        for m in mt.by_name.get(fld, []):
            issn = p.issn(fld, m.content)
            if issn:
                typed.setdefault(issn, kind)
    labelled = _typed_issns(body)
    untyped: list[str] = []
    for fld in ("citation_issn", "dc.source.issn", "dc.identifier.issn"):
        for m in mt.by_name.get(fld, []):
            for part in re.split(r"[;,]", m.content):
                if not part.strip():
                    continue
                issn = p.issn(fld, part)
                if issn is None or issn in typed:
                    continue
                if issn in labelled:
                    typed[issn] = labelled[issn]
                elif issn not in untyped:
                    untyped.append(issn)
    for issn, kind in typed.items():
        slot = "issn_print" if kind == "print" else "issn_online"
        if getattr(j, slot) is None:
            setattr(j, slot, issn)
        elif getattr(j, slot) != issn:
            p.warn("citation_issn", f"a second {kind} ISSN {issn}; left out")
    # print or online, the page does not say: kept as ISSNs of unknown medium
    j.issns_unknown = [i for i in untyped if i not in (j.issn_print, j.issn_online)]
    pub = mt.first("citation_publisher", "dc.publisher")
    if pub:
        name = p.plain(pub[0], pub[1].content)
        if name:
            j.publisher = Organization(names=[(name, lang)])
    if not j.titles and not j.issns():
        return None
    return j


def _html_pages(p: _Page, mt: _Metas) -> None:
    rec = p.rec
    first = mt.first("citation_firstpage", "prism.startingpage")
    last = mt.first("citation_lastpage", "prism.endingpage")
    if first:
        value = p.plain(first[0], first[1].content)
        if value and re.search(r"[-\u2010-\u2015]", value) and not last:
            # some sites (old OJS) put the whole range in citation_firstpage
            pages = p.lenient(first[0], split_pages, value)
            if pages:
                rec.first_page, rec.last_page, rec.page_range = pages
            return
        rec.first_page = value or None
        if last:
            rec.last_page = p.plain(last[0], last[1].content) or None
        if rec.first_page and rec.last_page:
            rec.page_range = f"{rec.first_page}-{rec.last_page}"
        return
    found = mt.first("dc.identifier.pagenumber")
    pages = p.lenient(found[0], split_pages, found[1].content) if found else None
    if pages:
        rec.first_page, rec.last_page, rec.page_range = pages


# --------------------------------------------------------------------------- text layout

_CITATION_EN = re.compile(
    r"^(?:(?P<journal>.+?)\.\s+)?(?P<year>\d{4})\."
    r"(?:\s*Vol\.\s*(?P<volume>[^.\s]+)\.)?"
    r"(?:\s*No\.\s*(?P<issue>[^.\s]+)\.)?"
    r"(?:\s*Pp?\.\s*(?P<pages>[^\s.]+(?:\s*[-\u2010-\u2015]\s*[^\s.]+)?)\.?)?\s*$"
)
_CITATION_RU = re.compile(
    r"^(?:(?P<journal>.+?)\.\s+)?(?P<year>\d{4})\."
    r"(?:\s*Т(?:ом|\.)\s*(?P<volume>[^.\s]+)\.)?"
    r"(?:\s*№\s*(?P<issue>[^.\s]+)\.)?"
    r"(?:\s*С\.\s*(?P<pages>[^\s.]+(?:\s*[-\u2010-\u2015]\s*[^\s.]+)?)\.?)?\s*$"
)
_ISSN_LINE = re.compile(
    r"^(?:(?P<prefix>[pe])-?)?ISSN[:\s]+(?P<issn>[\dXx\-\u2010\u2011\u2013 ]{8,10}?)"
    r"\s*(?:\((?P<label>.+)\))?$",
    re.IGNORECASE,
)
_FULL_TEXT = re.compile(
    r"^(?:Get the full text|Full text|Получить полный текст|Полный текст|Скачать полный текст)"
    r"\s*(?:\((?P<lang>[^()]+)\))?\s*$",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"(?:\blogo$|\bflag|^Current Issue$|^Текущий выпуск$|^English$|^Russian$|^Русский$)",
    re.IGNORECASE,
)
_LOGO = re.compile(r"^(?P<title>.+?)\s+[A-Z]{2}-[a-z]{3}\s+logo$")
_BULLET = re.compile(r"^\s*(?:[•·▪◦]\s*)+(?P<text>.*)$")
_HEADING = re.compile(
    r"^(?:Abstract|Keywords|Key words|Аннотация|Ключевые слова)\s*:?\s*$", re.IGNORECASE
)
_NAME_PART = r"[^\W\d_][\w'’\-]*"
_INITIALS = r"(?:[^\W\d_]{1,2}\.\s*){1,3}"
_AUTHOR_FAMILY_FIRST = re.compile(
    rf"^(?P<family>{_NAME_PART}(?:\s+{_NAME_PART})*?)\s+(?P<given>{_INITIALS})$"
)
_AUTHOR_GIVEN_FIRST = re.compile(
    rf"^(?P<given>{_INITIALS})\s*(?P<family>{_NAME_PART}(?:\s+{_NAME_PART})*)$"
)
_POSTAL = re.compile(r"^(?P<code>\d{5,6})(?:\s+(?P<locality>.+))?$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_LANGUAGE_NAMES = {"русский": "ru", "английский": "en", "английском": "en", "русском": "ru"}
_LONG_LINE = 250  # a line this long in the author block is the abstract, run on


def _language_of_name(text: str) -> str | None:
    value = text.strip().lower()
    if value in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[value]
    try:
        return language_code(value)
    except ValueError:
        return None


def _parse_author(text: str) -> Author | None:
    m = _AUTHOR_FAMILY_FIRST.match(text)
    if m:
        return Author(name=text, family=m.group("family"), given=m.group("given").strip())
    m = _AUTHOR_GIVEN_FIRST.match(text)
    if m:
        return Author(name=text, family=m.group("family"), given=m.group("given").strip())
    return None


def _parse_address(text: str) -> Address | None:
    """``30 Lenin Ave., 634050 Tomsk, Russia`` -> street, postal code, locality, country."""
    parts = [s.strip() for s in text.split(",") if s.strip()]
    for i, part in enumerate(parts):
        m = _POSTAL.match(part)
        if not m or not m.group("locality"):
            continue
        rest = parts[i + 1 :]
        if len(rest) > 1:
            return None  # more after the locality than a country: not this form
        return Address(
            street=", ".join(parts[:i]) or None,
            postal_code=m.group("code"),
            locality=m.group("locality"),
            country=rest[0] if rest else None,
        )
    return None


def _is_address(text: str) -> bool:
    return any(_POSTAL.match(s.strip()) for s in text.split(","))


def _read_text_page(text: str, origin: Location) -> Record:
    lines = [
        clean_text(line) if line.isprintable() else _printable(line) for line in text.splitlines()
    ]
    cite_at, cite, iface = None, None, "en"
    for i, line in enumerate(lines):
        for regex, lang in ((_CITATION_EN, "en"), (_CITATION_RU, "ru")):
            m = regex.match(line)
            if m and (m.group("volume") or m.group("issue") or m.group("pages")):
                cite_at, cite, iface = i, m, lang
                break
        if cite is not None:
            break
    if cite is None or cite_at is None:
        raise RecordError(
            origin,
            "not a journal landing page: no title/citation line found (expected a line like "
            "'Liberal Arts in Russia. 2015. Vol. 4. No. 6. Pp. 513-523.')",
        )
    p = _Page(Record(origin=origin))
    rec = p.rec
    rec.raw = text[:_RAW_CHARS]

    def tag(t: str) -> str:
        if iface == "en":
            return "ru" if _CYRILLIC.search(t) and not _LATIN.search(t) else "en"
        return "ru" if _CYRILLIC.search(t) else "und"

    # the title: the lines just above the citation line, up to a blank or header line
    title_lines: list[str] = []
    for line in reversed(lines[:cite_at]):
        if not line or _HEADER.search(line) or _ISSN_LINE.match(line):
            if title_lines:
                break
            continue
        title_lines.insert(0, line)
    title = " ".join(title_lines)
    if not title:
        raise p.fail("title", "no title line above the citation line")
    _set_title(p, [(title, tag(title))])

    # header: ISSNs and the journal title in the logo's text
    j = Journal()
    logo_title = None
    for n, line in enumerate(lines[:cite_at], start=1):
        m = _ISSN_LINE.match(line)
        if m:
            label = m.group("label") or m.group("prefix")
            kind = _issn_kind(label) if label else None
            issn = p.issn(f"line {n}", m.group("issn"))
            if issn is None:
                continue
            if kind is None:
                if issn not in j.issns_unknown:
                    j.issns_unknown.append(issn)  # print or online: not said
            elif getattr(j, f"issn_{kind}") is None:
                setattr(j, f"issn_{kind}", issn)
            continue
        logo = _LOGO.match(line)
        if logo and logo_title is None:
            logo_title = logo.group("title")
    journal_title = cite.group("journal") or logo_title
    if journal_title:
        j.titles.append((journal_title, tag(journal_title)))
    rec.journal = j if (j.titles or j.issns()) else None
    rec.year = int(cite.group("year"))
    if rec.journal is not None:
        rec.volume = cite.group("volume")
        rec.issue = cite.group("issue")
    elif cite.group("volume") or cite.group("issue"):
        p.warn(f"line {cite_at + 1}", "volume and issue are left out: the page names no journal")
    if cite.group("pages"):
        try:
            rec.first_page, rec.last_page, rec.page_range = split_pages(cite.group("pages"))
        except ValueError as e:
            p.warn(f"line {cite_at + 1}", f"pages: {e}; left out")

    # after the citation line: full-text line, authors, affiliations, addresses
    i = cite_at + 1
    block: list[tuple[int, str]] = []
    while i < len(lines) and lines[i] and len(lines[i]) < _LONG_LINE:
        block.append((i + 1, lines[i]))
        i += 1
    if block:
        m = _FULL_TEXT.match(block[0][1])
        if m:
            if m.group("lang"):
                rec.language = _language_of_name(m.group("lang"))
                if rec.language is None:
                    p.warn(f"line {block[0][0]}", f"unknown language {m.group('lang')!r}; left out")
            block = block[1:]
    _text_authors(p, block, tag)

    # the abstract: paragraphs up to the keyword bullets
    paragraphs: list[list[str]] = [[]]
    keywords: list[str] = []
    for line in lines[i:]:
        bullet = _BULLET.match(line)
        if bullet:
            if bullet.group("text").strip():
                keywords.append(bullet.group("text").strip())
            continue
        if keywords:
            if line:
                break  # the keyword list has ended
            continue
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if _HEADING.match(line):
            continue
        paragraphs[-1].append(line)
    abstract = "\n\n".join(" ".join(par) for par in paragraphs if par)
    if abstract:
        rec.abstracts.append((abstract, tag(abstract)))
    for k in keywords:
        if (k, tag(k)) not in rec.keywords:
            rec.keywords.append((k, tag(k)))
    _retracted_status(rec)
    rec.issues = p.issues
    return rec


def _printable(line: str) -> str:
    """A line with control characters (other than tabs) replaced by spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in line).split())


def _text_authors(p: _Page, block: list[tuple[int, str]], tag: Callable[[str], str]) -> None:
    """The author line, then organisation lines each followed by its address line."""
    rec = p.rec
    if not block:
        return
    line_no, first = block[0]
    names = [s.strip() for s in first.split(",") if s.strip()]
    authors = [_parse_author(n) for n in names]
    if not names or any(a is None for a in authors):
        p.warn(
            f"line {line_no}",
            f"{first!r} is not an author line ('Family I. I.', comma-separated); "
            "the lines under the citation line are left out",
        )
        return
    rec.authors = [a for a in authors if a is not None]
    orgs: list[Organization] = []
    for n, line in block[1:]:
        if _is_address(line) and orgs:
            address = _parse_address(line)
            if address is None:
                p.warn(
                    f"line {n}",
                    f"address {line!r} is not 'street, postal code locality, country'; left out",
                )
            elif orgs[-1].address is None:
                orgs[-1].address = address
            continue
        orgs.append(Organization(names=[(line, tag(line))]))
    if len(orgs) == 1 or len(rec.authors) == 1:
        for author in rec.authors:
            author.affiliations = list(orgs)
    elif orgs:
        rec.affiliations = orgs
        p.warn(
            f"line {block[1][0]}",
            f"{len(orgs)} affiliations for {len(rec.authors)} authors: the page does not say "
            "whose each is; kept for the authors as a whole",
        )
