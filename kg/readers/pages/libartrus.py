"""Landing pages as text: the layout of *Liberal Arts in Russia*'s pages.

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
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.errors import Location, RecordError
from kg.readers.normalize import clean_text, language_code, split_pages
from kg.readers.pages.common import RAW_CHARS, PageContext, issn_kind, retracted_status, set_title
from kg.records import Address, Author, Journal, Organization, Record

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


def read_text_page(text: str, origin: Location) -> Record:
    lines = [_line(line) for line in text.splitlines()]
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
    p = PageContext(Record(origin=origin))
    rec = p.rec
    rec.raw = text[:RAW_CHARS]

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
    set_title(p, [(title, tag(title))])

    # header: ISSNs and the journal title in the logo's text
    j = Journal()
    logo_title = None
    for n, line in enumerate(lines[:cite_at], start=1):
        m = _ISSN_LINE.match(line)
        if m:
            label = m.group("label") or m.group("prefix")
            kind = issn_kind(label) if label else None
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
    retracted_status(rec)
    rec.issues = p.issues
    return rec


def _line(line: str) -> str:
    """A line of the page, its mojibake repaired (clean_text), then any control character
    that is left (other than tabs) replaced by a space."""
    try:
        line = clean_text(line)
    except ValueError:  # a C0 control character: replaced below
        pass
    return line if line.isprintable() else _printable(line)


def _printable(line: str) -> str:
    """A line with control characters (other than tabs) replaced by spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in line).split())


def _text_authors(p: PageContext, block: list[tuple[int, str]], tag: Callable[[str], str]) -> None:
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
