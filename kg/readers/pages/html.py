"""Landing pages in HTML: a record from the page's meta tags.

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
  or book chapter; a chapter keeps its book (``citation_inbook_title``,
  ``citation_book_title``) and a paper its proceedings (``citation_conference_title``),
  with ``citation_isbn`` and the publisher.
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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kg import ids
from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.normalize import check_url, language_code, language_tag, split_pages
from kg.readers.pages.common import PageContext, issn_kind, retracted_status, set_title
from kg.records import Author, Container, Journal, Organization, Record

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
            kind = issn_kind(after.group(1).strip())
        if kind is None:
            before = _LABEL_BEFORE.search(body[max(start, m.start() - 60) : m.start()])
            if before:
                kind = issn_kind(before.group(1) or before.group(2))
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


def read_html(text: str, data: bytes, origin: Location) -> Record:
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
    p = PageContext(Record(origin=origin))
    p.rec.raw = {"meta": [[m.name, m.content] for m in metas]}
    _html_record(p, _Metas(metas, page_lang), canonical, body)
    if _HTML_END.search(data) is None:
        p.warn("html", "the page ends without </html> (cut off?); its meta tags were all read")
    p.rec.issues = p.issues
    return p.rec


def _html_record(p: PageContext, mt: _Metas, canonical: str | None, body: str) -> None:
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
    set_title(p, [(t, tag(m)) for m in metas if (t := p.plain(fld, m.content))])
    if not rec.titles:
        raise p.fail(
            "citation_title", "the page has no title (no citation_title or DC.title meta tag)"
        )
    have_langs = {lang for _, lang in rec.titles}
    for m in mt.by_name.get("dc.title.alternative", []):
        t = p.plain("DC.title.alternative", m.content)
        if t and m.lang and tag(m) not in have_langs:
            set_title(p, [(t, tag(m))])

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
    elif rec.kind in ("book-chapter", "proceedings-article"):
        rec.container = _html_container(p, mt, rec.kind)
    _html_pages(p, mt)
    for m in mt.by_name.get("dc.rights", []):
        value = m.content.strip()
        if value.startswith(("http://", "https://")):
            checked = p.lenient("dc.rights", check_url, value)
            if checked:
                rec.licenses.append(checked)
    retracted_status(rec)


def _html_container(p: PageContext, mt: _Metas, kind: str) -> Container | None:
    """A chapter's book (``citation_inbook_title``, ``citation_book_title``) or a paper's
    proceedings (``citation_conference_title``), with ``citation_isbn`` and the publisher."""
    names = ("citation_inbook_title", "citation_book_title")
    if kind == "proceedings-article":
        names = ("citation_conference_title", "citation_conference")
    c = Container(kind="book" if kind == "book-chapter" else "proceedings")
    title = mt.first(*names)
    if title is not None:
        text = p.plain(title[0], title[1].content)
        if text:
            c.titles = [(text, "und")]
    for m in mt.by_name.get("citation_isbn", []):
        isbn = fields.lenient_id(p, "citation_isbn", m.content, "isbn")
        if isbn:
            c.isbns.add(isbn, None)
    publisher = mt.first("citation_publisher", "dc.publisher")
    if publisher is not None:
        name = p.plain(publisher[0], publisher[1].content)
        if name:
            c.publisher = Organization(names=[(name, "und")])
    return None if c.is_empty() else c


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


def _html_dates(p: PageContext, mt: _Metas) -> None:
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


def _html_ids(p: PageContext, mt: _Metas, canonical: str | None) -> None:
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


def _html_authors(p: PageContext, mt: _Metas, tag: Callable[[_Meta], str]) -> None:
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


def _html_journal(p: PageContext, mt: _Metas, body: str, lang: str) -> Journal | None:
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


def _html_pages(p: PageContext, mt: _Metas) -> None:
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
