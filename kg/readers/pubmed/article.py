"""One ``<PubmedArticle>`` (or a bare ``<MedlineCitation>``) to a kg record;
kg/readers/pubmed/__init__.py reads the file, kg/readers/pubmed/links.py the
statuses (CommentsCorrections, publication types).

Fields (docs/sources.md, "PubMed XML", has the table):

- ``MedlineCitation/PMID`` (required); the DOI from ``PubmedData/ArticleIdList``
  (``IdType="doi"``), else ``Article/ELocationID[@EIdType="doi"]``.
- ``ArticleTitle`` (English, as NLM gives it: a translated title's brackets and
  the final period NLM adds are removed), ``VernacularTitle`` in the article's
  language; ``Abstract/AbstractText`` paragraphs, each with its label
  (``BACKGROUND: ...``), and ``OtherAbstract`` in its language.
- ``Journal``: ``Title`` (else ``ISOAbbreviation``, else ``MedlineTA``), ISSNs by
  ``IssnType``, ``ISSNLinking``; ``JournalIssue``: volume, issue, ``PubDate``
  (Year/Month/Day, Season or ``MedlineDate``); ``ArticleDate[@DateType="Electronic"]``.
- ``Pagination``: ``StartPage``/``EndPage``, else ``MedlinePgn`` with its last page
  written in full (``123-9`` is 123-129).
- ``AuthorList`` (not editors): persons (``LastName``, ``ForeName`` or ``Initials``,
  ``Suffix``) and groups (``CollectiveName``) in order, with an ORCID iD
  (``Identifier[@Source="ORCID"]``) and affiliations (``AffiliationInfo``, e-mail
  addresses removed); the old DTDs' single ``Article/Affiliation`` is kept for the
  authors as a whole.
- ``CommentsCorrections[@RefType="Cites"]`` and ``PubmedData/ReferenceList`` -> the
  works it cites (kg/readers/pubmed/links.py).
- ``KeywordList/Keyword`` -> keywords; ``MeshHeadingList/MeshHeading/DescriptorName``
  -> subjects; ``Language`` (ISO 639-2) -> the language.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import ReadResult, Reject
from kg.readers.jats.text import ArticleContext
from kg.readers.normalize import MONTHS, language_code, strip_retracted_prefix
from kg.readers.pubmed.links import references, statuses
from kg.readers.references import without_self
from kg.records import Author, Journal, Organization, Record, Source

_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
# bounded, so that a long text without spaces cannot make the search slow
_EMAIL = re.compile(r"\s*(?:Electronic address:\s*)?[^\s@]{1,64}@[^\s@]{1,255}\.[A-Za-z]{2,}\.?")
# "U.S.A.", "U.K.", "Inc.": a final period that is part of the last word
_ABBREVIATION_END = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Inc|Ltd|Co|Corp|al|Jr|Sr)\.)$")
_PAGES = re.compile(r"^([A-Za-z]*)(\d+)([A-Za-z]*)\s*-\s*([A-Za-z]*)(\d+)([A-Za-z]*)$")


class PubmedContext(ArticleContext):
    """One PubMed article being read: its elements' texts, origin and warnings."""

    def value(self, parent: Any, path: str, field: str | None = None) -> str:
        """The text of the element at ``path`` under ``parent`` ('' if it is not there)."""
        el = parent.find(path) if parent is not None else None
        return self.text(el, field or path) if el is not None else ""


def parse_article(el: Any, origin: Location) -> ReadResult:
    """The record of one article, or a Reject naming the element that cannot be read."""
    try:
        return _article(el, origin)
    except RecordError as e:
        return Reject(e, etree.tostring(el, encoding="unicode")[:10_000])


def _article(el: Any, origin: Location) -> Record:
    a = PubmedContext(el, origin)
    citation = el if el.tag == "MedlineCitation" else el.find("MedlineCitation")
    if citation is None:
        raise a.fail("MedlineCitation", "a PubmedArticle needs a MedlineCitation")
    pmid = a.value(citation, "PMID", "MedlineCitation/PMID")
    if not pmid.isdigit():
        problem = f"PMID {pmid!r} is not a number" if pmid else "the article has no PMID"
        raise a.fail("MedlineCitation/PMID", problem)
    art = citation.find("Article")
    if art is None:
        raise a.fail("MedlineCitation/Article", "the citation has no Article")
    rec = Record(origin=a.origin, pmid=pmid)
    rec.doi = _doi(a, el, art)
    languages = _languages(a, art)
    rec.language = languages[0] if languages else None
    lang = rec.language if rec.language and len(languages) == 1 else "und"
    _titles(a, art, rec, lang)
    if not rec.titles and rec.doi is None:
        raise a.fail("Article/ArticleTitle", "the article has no title and no DOI")
    _abstracts(a, art, citation, rec)
    rec.journal = _journal(a, art.find("Journal"), citation.find("MedlineJournalInfo"))
    issue = art.find("Journal/JournalIssue")
    rec.volume = a.value(issue, "Volume") or None
    rec.issue = a.value(issue, "Issue") or None
    _dates(a, art, issue, rec)
    _pages(a, art, rec)
    rec.authors = _authors(a, art)
    for aff in art.findall("Affiliation"):  # the old DTDs: one, for the authors as a whole
        org = _organization(a, aff, "Article/Affiliation")
        if org is not None:
            rec.affiliations.append(org)
    kw_lang = "en" if rec.language == "en" else "und"
    rec.keywords = list(
        dict.fromkeys(
            (text, kw_lang)
            for kw in citation.iterfind("KeywordList/Keyword")
            if (text := a.text(kw, "KeywordList/Keyword"))
        )
    )
    rec.subjects = list(
        dict.fromkeys(
            text
            for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
            if (text := a.text(d, "MeshHeadingList/MeshHeading/DescriptorName"))
        )
    )
    statuses(a, art, citation, rec)
    fields.retracted_by_title(rec, [Source(name="PubMed", record_id=pmid)])
    refs = references(a, el, citation)
    rec.references = without_self(a, refs, rec.doi, rec.pmid, "references")
    rec.issues = a.issues
    return rec


def _doi(a: PubmedContext, el: Any, art: Any) -> str | None:
    found: list[tuple[str, str]] = []
    for aid in el.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if (aid.get("IdType") or "").strip().lower() == "doi":
            found.append(("PubmedData/ArticleIdList/ArticleId", a.text(aid, "ArticleId")))
    for loc in art.iterfind("ELocationID"):
        if (loc.get("EIdType") or "").strip().lower() == "doi" and loc.get("ValidYN") != "N":
            found.append(("Article/ELocationID", a.text(loc, "ELocationID")))
    doi: str | None = None
    for field, text in found:
        if not text:
            continue
        value = fields.optional_id(a, field, text, "doi")
        if value is None:
            continue
        if doi is None:
            doi = value
        elif value != doi:
            a.warn(field, f"a second DOI {value} (the article is {doi}); left out")
    return doi


def _languages(a: PubmedContext, art: Any) -> list[str]:
    out = []
    for el in art.iterfind("Language"):
        text = a.text(el, "Article/Language")
        if not text or text.lower() == "und":
            continue
        code = a.lenient("Article/Language", language_code, text)
        if code and code not in out:
            out.append(code)
    return out


def _clean_title(text: str) -> str:
    """The title without NLM's brackets around a translated title and its final period."""
    if text.startswith("[") and (text.endswith("].") or text.endswith("]")):
        text = text[1 : text.rindex("]")].strip()
    return drop_final_period(text)


def drop_final_period(text: str) -> str:
    """The text without the final period NLM adds, unless it ends an abbreviation.

    >>> drop_final_period("A title."), drop_final_period("Bristol, U.K."), drop_final_period("...")
    ('A title', 'Bristol, U.K.', '...')
    """
    if text.endswith(".") and not text.endswith("..") and not _ABBREVIATION_END.search(text):
        return text[:-1].rstrip()
    return text


def _titles(a: PubmedContext, art: Any, rec: Record, lang: str) -> None:
    title = _clean_title(a.value(art, "ArticleTitle", "Article/ArticleTitle"))
    vernacular = _clean_title(a.value(art, "VernacularTitle", "Article/VernacularTitle"))
    for text, tlang in ((title, "en"), (vernacular, lang)):
        if not text:
            continue
        stripped = strip_retracted_prefix(text) if not rec.titles else None
        if stripped is not None:
            rec.shown_title = (text, tlang)
        rec.titles.append((stripped or text, tlang))
    rec.titles = list(dict.fromkeys(rec.titles))


def _abstract(a: PubmedContext, abstract: Any, field: str) -> str:
    paragraphs = []
    for part in abstract.iterfind("AbstractText"):
        text = a.text(part, field)
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        paragraphs.append(f"{label}: {text}" if label else text)
    return "\n\n".join(paragraphs)


def _abstracts(a: PubmedContext, art: Any, citation: Any, rec: Record) -> None:
    abstract = art.find("Abstract")
    if abstract is not None:
        text = _abstract(a, abstract, "Article/Abstract/AbstractText")
        if text:
            rec.abstracts.append((text, "en"))
    for other in citation.iterfind("OtherAbstract"):
        text = _abstract(a, other, "OtherAbstract/AbstractText")
        raw_lang = (other.get("Language") or "").strip()
        olang = a.lenient("OtherAbstract/@Language", language_code, raw_lang) if raw_lang else None
        if text:
            rec.abstracts.append((text, olang or "und"))
    rec.abstracts = list(dict.fromkeys(rec.abstracts))


def _journal(a: PubmedContext, jel: Any, info: Any) -> Journal | None:
    j = Journal()
    if jel is not None:
        title = (
            a.value(jel, "Title", "Journal/Title")
            or a.value(jel, "ISOAbbreviation", "Journal/ISOAbbreviation")
            or a.value(info, "MedlineTA", "MedlineJournalInfo/MedlineTA")
        )
        if title:
            j.titles.append((title, "und"))
        for el in jel.iterfind("ISSN"):
            text = a.text(el, "Journal/ISSN")
            issn = fields.optional_id(a, "Journal/ISSN", text, "issn") if text else None
            if issn is None:
                continue
            fields.check_digits(a, "Journal/ISSN", "issn", issn)
            kind = (el.get("IssnType") or "").strip().lower()
            if kind == "print" and j.issn_print is None:
                j.issn_print = issn
            elif kind == "electronic" and j.issn_online is None:
                j.issn_online = issn
            elif issn not in (j.issn_print, j.issn_online):
                j.issns_unknown.append(issn)
    linking = a.value(info, "ISSNLinking", "MedlineJournalInfo/ISSNLinking")
    if linking:
        j.issn_l = fields.optional_id(a, "MedlineJournalInfo/ISSNLinking", linking, "issn")
    if not j.titles and not j.issns():
        return None
    return j


def _date(a: PubmedContext, el: Any, field: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from a PubDate or ArticleDate."""
    medline = a.value(el, "MedlineDate", f"{field}/MedlineDate")
    if medline:
        return _medline_date(a, medline, field)
    year = a.value(el, "Year", f"{field}/Year")
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        a.warn(field, f"year {year!r} is not a year; the date is left out")
        return None
    month = a.value(el, "Month", f"{field}/Month")
    day = a.value(el, "Day", f"{field}/Day")
    if not month:
        season = a.value(el, "Season", f"{field}/Season").lower()
        return f"{year}-{_SEASONS[season]:02d}" if season in _SEASONS else year
    m = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."), 0)
    if not 1 <= m <= 12:
        a.warn(field, f"month {month!r} is not a month; only the year is kept")
        return year
    full = fields.full_date(year, m, day) if day else None
    if day and full is None:
        a.warn(field, f"{year}-{month}-{day} is not a calendar date; the day is left out")
    return full or f"{year}-{m:02d}"


def _medline_date(a: PubmedContext, text: str, field: str) -> str | None:
    """``1978 Jul-Sep`` -> ``1978``; ``2015 Jan`` -> ``2015-01``; ``2015 Jan 12`` -> full."""
    parts = text.replace(",", " ").split()
    if not parts or not re.fullmatch(r"\d{4}", parts[0][:4]) or not parts[0][:4].isdigit():
        a.warn(f"{field}/MedlineDate", f"{text!r} does not start with a year; left out")
        return None
    year = parts[0][:4]
    if len(parts[0]) > 4 or len(parts) < 2:  # "1998-1999", "2015"
        return year
    month = MONTHS.get(parts[1].lower().rstrip("."))
    if month is None:  # a range of months ("Jul-Sep"), a season: the year only
        season = _SEASONS.get(parts[1].lower())
        return f"{year}-{season:02d}" if season and len(parts) == 2 else year
    if len(parts) == 2:
        return f"{year}-{month:02d}"
    if len(parts) == 3 and parts[2].isdigit():
        return fields.full_date(year, month, parts[2]) or f"{year}-{month:02d}"
    return year


def _dates(a: PubmedContext, art: Any, issue: Any, rec: Record) -> None:
    model = (art.get("PubModel") or "").strip().lower()
    pub = issue.find("PubDate") if issue is not None else None
    issued = _date(a, pub, "JournalIssue/PubDate") if pub is not None else None
    online = None
    for ad in art.iterfind("ArticleDate"):
        if (ad.get("DateType") or "electronic").strip().lower() == "electronic":
            online = _date(a, ad, "Article/ArticleDate")
            if online:
                break
    if model in ("print", "print-electronic"):
        rec.printed = issued
    elif model in ("electronic", "electronic-print") and online is None:
        online = issued
    rec.online = online
    dates = [d for d in (rec.printed, rec.online) if d]
    first = min(dates) if dates else issued
    if first:
        rec.year = int(first[:4])
        rec.date = first if len(first) == 10 else None


def expand_pages(text: str) -> tuple[str, str | None]:
    """First and last page of a MEDLINE page range, the last written in full.

    >>> expand_pages("123-9"), expand_pages("557-65"), expand_pages("S12-4"), expand_pages("k3225")
    (('123', '129'), ('557', '565'), ('S12', 'S14'), ('k3225', None))
    """
    value = text.strip()
    m = _PAGES.match(value)
    if m is None:
        if re.search(r"[\s,;-]", value) or not value:
            raise ValueError(f"{text!r} is not a page or page range such as '123-9'")
        return value, None
    pre1, first, suf1, pre2, last, suf2 = m.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if int(last) < int(first) or (pre2 and pre2 != pre1):
        raise ValueError(f"{text!r} ends before it starts")
    return f"{pre1}{first}{suf1}", f"{pre2 or pre1}{last}{suf2}"


def _pages(a: PubmedContext, art: Any, rec: Record) -> None:
    pag = art.find("Pagination")
    if pag is None:
        return
    start = a.value(pag, "StartPage", "Pagination/StartPage")
    end = a.value(pag, "EndPage", "Pagination/EndPage")
    first: str | None = start or None
    last: str | None = end or None
    if not start:
        medline = a.value(pag, "MedlinePgn", "Pagination/MedlinePgn")
        if not medline:
            return
        head = re.split(r"\s*[,;]\s*", medline)[0]
        if head != medline:
            a.warn("Pagination/MedlinePgn", f"only the first range of {medline!r} is kept")
        pages = a.lenient("Pagination/MedlinePgn", expand_pages, head)
        if pages is None:
            return
        first, last = pages
    rec.first_page = first
    if last and last != first:
        rec.last_page = last
        rec.page_range = f"{first}-{last}"


def _authors(a: PubmedContext, art: Any) -> list[Author]:
    authors: list[Author] = []
    n = 0
    for group in art.iterfind("AuthorList"):
        if (group.get("Type") or "authors").strip().lower() != "authors":
            continue  # editors
        for el in group.iterfind("Author"):
            n += 1
            field = f"AuthorList/Author[{n}]"
            if el.get("ValidYN") == "N":  # a name NLM marks as given in error
                continue
            author = _author(a, el, field)
            if author is not None:
                authors.append(author)
    return authors


def _author(a: PubmedContext, el: Any, field: str) -> Author | None:
    family = a.value(el, "LastName", f"{field}/LastName") or None
    given = a.value(el, "ForeName", f"{field}/ForeName") or None
    if given is None:
        given = a.value(el, "Initials", f"{field}/Initials") or None
    if family:
        suffix = a.value(el, "Suffix", f"{field}/Suffix") or None
        author = Author(fields.shown_name(given, family, suffix=suffix), family, given)
    else:
        collective = a.value(el, "CollectiveName", f"{field}/CollectiveName")
        if not collective:
            a.warn(field, "an author with no name is left out")
            return None
        author = Author(collective)
    for ident in el.iterfind("Identifier"):
        if (ident.get("Source") or "").strip().upper() != "ORCID":
            continue
        text = a.text(ident, f"{field}/Identifier")
        orcid = fields.lenient_id(a, f"{field}/Identifier", text, "orcid") if text else None
        if orcid is not None:
            author.orcid = orcid
            break
    for info in el.iterfind("AffiliationInfo"):
        org = _organization(a, info.find("Affiliation"), f"{field}/AffiliationInfo/Affiliation")
        if org is None:
            continue
        for ident in info.iterfind("Identifier"):
            if (ident.get("Source") or "").strip().upper() == "ROR":
                text = a.text(ident, f"{field}/AffiliationInfo/Identifier")
                if text:
                    org.ror = org.ror or fields.lenient_id(
                        a, f"{field}/AffiliationInfo/Identifier", text, "ror"
                    )
        if org not in author.affiliations:
            author.affiliations.append(org)
    for aff in el.iterfind("Affiliation"):  # DTD 2013: Affiliation directly in Author
        org = _organization(a, aff, f"{field}/Affiliation")
        if org is not None and org not in author.affiliations:
            author.affiliations.append(org)
    return author


def _organization(a: PubmedContext, el: Any, field: str) -> Organization | None:
    if el is None:
        return None
    text = a.text(el, field)
    text = (_EMAIL.sub("", text) if "@" in text else text).strip(" ,;")
    text = drop_final_period(text).rstrip(" ,;")
    return Organization(names=[(text, "und")]) if text else None


__all__ = ["drop_final_period", "expand_pages", "parse_article"]
