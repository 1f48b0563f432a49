"""One JATS ``<article>``'s front matter (``front/journal-meta`` and
``front/article-meta``) to a kg record; kg/readers/jats/__init__.py reads the file.

Fields (docs/sources.md has the table):

- ``@article-type`` picks the kind (:data:`KINDS`); other types are skipped
  and counted. A ``retraction``, ``partial-retraction``, ``correction`` or
  ``expression-of-concern`` is a notice: each ``related-article`` of the
  matching type naming a DOI gets the status
  (:data:`~kg.readers.jats.related.NOTICES`), dated by the notice's
  publication date, with the notice (by its own DOI) as its source.
- ``@xml:lang`` is the language (``en`` when absent: the JATS DTD's default).
- journal-meta: journal title, ISSNs by ``pub-type``/``publication-format``,
  ``issn-l``, publisher name. article-meta: DOI and PMID, title, subtitle and
  translated titles, authors (``contrib-type="author"``) in order with their
  ORCID iD and affiliations (``xref ref-type="aff"`` or ``aff`` inside the
  contrib), publication dates, volume, issue, pages or ``elocation-id``,
  keywords, subjects, licences, and the abstract as plain text.
- ``back/ref-list/ref``: the reference list (kg/readers/jats/references.py).
- Left out: editors and other contributors, funding, history dates, counts,
  custom metadata, ``self-uri``, abstracts with an ``abstract-type`` (digests,
  teasers) when an untyped one exists.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import ReadResult, Reject, Skipped
from kg.readers.jats.references import references
from kg.readers.jats.related import XLINK_HREF, related
from kg.readers.jats.text import NOT_TEXT, XML_LANG, ArticleContext, lang_of, local_name
from kg.readers.normalize import (
    MONTHS,
    check_url,
    language_code,
    language_tag,
    split_pages,
    strip_retracted_prefix,
)
from kg.readers.references import without_self
from kg.records import (
    Address,
    Author,
    Journal,
    LangText,
    Organization,
    Record,
    Source,
)

# JATS @article-type -> kind of kg record. Types not listed (announcement,
# calendar, books-received, collection, other, ...) are skipped and counted.
KINDS = {
    "research-article": "journal-article",
    "review-article": "journal-article",
    "systematic-review": "journal-article",
    "brief-report": "journal-article",
    "case-report": "journal-article",
    "rapid-communication": "journal-article",
    "article-commentary": "journal-article",
    "editorial": "journal-article",
    "letter": "journal-article",
    "reply": "journal-article",
    "discussion": "journal-article",
    "data-paper": "journal-article",
    "methods-article": "journal-article",
    "protocol": "journal-article",
    "introduction": "journal-article",
    "meeting-report": "journal-article",
    "book-review": "journal-article",
    "product-review": "journal-article",
    "news": "journal-article",
    "in-brief": "journal-article",
    "obituary": "journal-article",
    "oration": "journal-article",
    "abstract": "journal-article",
    "addendum": "journal-article",
    "translation": "journal-article",
    "reprint": "journal-article",
    "expression-of-concern": "journal-article",
    "retraction": "retraction-notice",
    "partial-retraction": "correction",
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
    "dissertation": "thesis",
}
_DOI_PARAGRAPH = re.compile(r"^DOI:?\s*(?:https?://\S+|10\.\d+/\S+)$", re.IGNORECASE)


def parse_article(el: Any, origin: Location) -> ReadResult:
    front = el.find("front")
    try:
        return _article(el, origin)
    except RecordError as e:
        raw = etree.tostring(front, encoding="unicode") if front is not None else None
        return Reject(e, raw)


def _article(el: Any, origin: Location) -> Record | Skipped:
    """One ``<article>`` as a Record (or Skipped for a type kg does not map).

    :raises RecordError: naming the element that cannot be read.
    """
    a = ArticleContext(el, origin)
    meta = el.find("front/article-meta")
    if meta is None:
        raise a.fail("front/article-meta", "a JATS article needs front/article-meta")
    article_type = (el.get("article-type") or "research-article").strip().lower()
    kind = KINDS.get(article_type)

    doi = None
    for aid in meta.findall("article-id"):
        if (aid.get("pub-id-type") or "").lower() == "doi":
            doi = fields.required_id(a, "article-id", a.text(aid, "article-id"), "doi")
            break
    if doi is not None:
        a.origin = Location(origin.path, f"{origin.record} [{doi}]")
    if kind is None:
        return Skipped(article_type, a.origin)
    rec = Record(origin=a.origin, kind=kind, doi=doi)

    lang = "en"  # the JATS DTD's default for article/@xml:lang
    raw_lang = el.get(XML_LANG)
    if raw_lang:
        try:
            lang = language_tag(raw_lang)
            rec.language = language_code(raw_lang)
        except ValueError as e:
            a.warn("article/@xml:lang", f"{e}; left out")
            lang = "und"
    else:
        rec.language = "en"

    for aid in meta.findall("article-id"):
        if (aid.get("pub-id-type") or "").lower() == "pmid":
            pmid = a.text(aid, "article-id")
            if pmid.isdigit():
                rec.pmid = pmid
            else:
                a.warn("article-id", f"PubMed id {pmid!r} is not a number; left out")
            break

    _titles(a, meta, rec, lang)
    _dates(a, meta, rec)
    rec.journal = _journal(a, el.find("front/journal-meta"))
    rec.volume = _field(a, meta, "volume")
    rec.issue = _field(a, meta, "issue")
    _pages(a, meta, rec)
    rec.authors = _authors(a, meta)
    rec.keywords = _keywords(a, meta, lang)
    rec.subjects = _subjects(a, meta, article_type)
    rec.licenses = _licenses(a, meta)
    rec.abstracts = _abstracts(a, meta, lang)
    related(a, meta, rec, article_type)
    fields.retracted_by_title(rec, [Source(name="publisher")])
    rec.references = without_self(a, references(a, el), rec.doi, rec.pmid, "ref-list/ref")
    rec.issues = a.issues
    return rec


def _field(a: ArticleContext, parent: Any, tag: str) -> str | None:
    el = parent.find(tag)
    return (a.text(el, tag) or None) if el is not None else None


def _titles(a: ArticleContext, meta: Any, rec: Record, lang: str) -> None:
    group = meta.find("title-group")
    title_el = group.find("article-title") if group is not None else None
    title = a.text(title_el, "article-title") if title_el is not None else ""
    if not title:
        if rec.doi is None:  # a DOI names an article without a title
            raise a.fail("title-group/article-title", "the article has no title and no DOI")
        return
    title_lang = lang_of(title_el, lang)
    # a notice's "Retraction: ..." title names what it is about; an article
    # printed as "RETRACTED: ..." shows its own status
    stripped = strip_retracted_prefix(title) if rec.kind == "journal-article" else None
    if stripped is not None:
        rec.shown_title = (title, title_lang)
    rec.titles = [(stripped or title, title_lang)]
    for sub in group.findall("subtitle"):
        text = a.text(sub, "subtitle")
        if text:
            rec.subtitles.append((text, lang_of(sub, title_lang)))
    # JATS 1.x: trans-title-group[@xml:lang]/trans-title; NLM 2.3: trans-title directly
    for holder in [*group.findall("trans-title-group"), group]:
        tlang = lang_of(holder, "und") if holder is not group else "und"
        for tt in holder.findall("trans-title"):
            text = a.text(tt, "trans-title")
            if text:
                rec.titles.append((text, lang_of(tt, tlang)))
        for ts in holder.findall("trans-subtitle"):
            text = a.text(ts, "trans-subtitle")
            if text:
                rec.subtitles.append((text, lang_of(ts, tlang)))
    rec.titles = list(dict.fromkeys(rec.titles))
    rec.subtitles = list(dict.fromkeys(rec.subtitles))


def _date_of(a: ArticleContext, el: Any, field: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from a ``pub-date`` (None, with a warning, if
    it is not a date)."""
    year = (el.findtext("year") or "").strip()
    month = (el.findtext("month") or "").strip()
    day = (el.findtext("day") or "").strip()
    if not year and el.get("iso-8601-date"):
        parts = el.get("iso-8601-date").strip().split("-")
        year, month, day = (parts + ["", ""])[:3]
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        a.warn(field, f"year {year!r} is not a year; the date is left out")
        return None
    m = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."), 0)
    if month and not 1 <= m <= 12:
        a.warn(field, f"month {month!r} is not a month; only the year is kept")
        return year
    if not month:
        return year
    full = fields.full_date(year, m, day) if day else None
    if day and full is None:
        a.warn(field, f"{year}-{month}-{day} is not a calendar date; the day is left out")
    return full or f"{year}-{m:02d}"


def _dates(a: ArticleContext, meta: Any, rec: Record) -> None:
    printed: list[str] = []
    online: list[str] = []
    other: list[str] = []
    for i, pd in enumerate(meta.findall("pub-date")):
        field = f"pub-date[{i + 1}]"
        ptype = (pd.get("pub-type") or pd.get("date-type") or "").strip().lower()
        fmt = (pd.get("publication-format") or "").strip().lower()
        if ptype in ("pmc-release", "nihms-submitted", "manuscript", "epreprint", "preprint"):
            continue
        value = _date_of(a, pd, field)
        if value is None:
            continue
        if ptype in ("ppub", "epub-ppub") or (fmt == "print" and ptype != "collection"):
            printed.append(value)
        if ptype in ("epub", "epub-ppub", "ecorrected") or (
            fmt in ("electronic", "online") and ptype != "collection"
        ):
            online.append(value)
        other.append(value)
    rec.printed = min(printed) if printed else None
    rec.online = min(online) if online else None
    published = [d for d in (rec.printed, rec.online) if d]
    first = min(published) if published else (min(other) if other else None)
    if first:
        rec.year = int(first[:4])
        rec.date = first if len(first) == 10 else None


def _journal(a: ArticleContext, jm: Any) -> Journal | None:
    if jm is None:
        return None
    j = Journal()
    title_el = jm.find("journal-title-group/journal-title")
    if title_el is None:
        title_el = jm.find("journal-title")
    if title_el is not None:
        title = a.text(title_el, "journal-title")
        if title:
            j.titles.append((title, lang_of(title_el, "und")))
    untyped: list[str] = []
    for el in jm.findall("issn"):
        raw = a.text(el, "issn")
        issn = fields.issn(a, "journal-meta/issn", raw)
        kind = (el.get("pub-type") or el.get("publication-format") or "").strip().lower()
        if kind in ("ppub", "print"):
            j.issn_print = j.issn_print or issn
        elif kind in ("epub", "electronic", "online"):
            j.issn_online = j.issn_online or issn
        else:
            untyped.append(issn)
    for issn in untyped:
        if issn in (j.issn_print, j.issn_online):
            continue
        if j.issn_print is None:
            j.issn_print = issn
            a.warn("journal-meta/issn", f"ISSN {issn} has no type; kg took it as the print ISSN")
        elif j.issn_online is None:
            j.issn_online = issn
            a.warn("journal-meta/issn", f"ISSN {issn} has no type; kg took it as the online ISSN")
        else:
            a.warn("journal-meta/issn", f"a third ISSN {issn} is left out")
    issn_l = jm.find("issn-l")
    if issn_l is not None:
        j.issn_l = fields.issn(a, "journal-meta/issn-l", a.text(issn_l, "issn-l"))
    publisher = jm.find("publisher/publisher-name")
    if publisher is not None:
        name = a.text(publisher, "publisher-name")
        if name:
            j.publisher = Organization(names=[(name, lang_of(publisher, "und"))])
    if not j.titles and not j.issns():
        return None
    return j


def _pages(a: ArticleContext, meta: Any, rec: Record) -> None:
    fpage = _field(a, meta, "fpage")
    lpage = _field(a, meta, "lpage")
    if fpage:
        rec.first_page = fpage
        if lpage and lpage != fpage:
            rec.last_page = lpage
            rec.page_range = f"{fpage}-{lpage}"
        return
    page_range = _field(a, meta, "page-range")
    pages = a.lenient("page-range", split_pages, page_range) if page_range else None
    if pages:
        rec.first_page, rec.last_page, rec.page_range = pages
        return
    elocation = _field(a, meta, "elocation-id")
    if elocation:
        if re.search(r"\s", elocation):
            a.warn("elocation-id", f"{elocation!r} is not an article number; left out")
        else:
            rec.first_page = elocation


def _authors(a: ArticleContext, meta: Any) -> list[Author]:
    affs = {el.get("id"): el for el in meta.iter("aff", "aff-alternatives") if el.get("id")}
    authors = []
    for i, contrib in enumerate(meta.iterfind("contrib-group/contrib")):
        ctype = (contrib.get("contrib-type") or "author").strip().lower()
        if ctype != "author":
            continue
        field = f"contrib[{i + 1}]"
        author = _author(a, contrib, field)
        if author is None:
            continue
        orgs: list[Any] = []
        for xref in contrib.iter("xref"):
            if (xref.get("ref-type") or "").lower() != "aff":
                continue
            for rid in (xref.get("rid") or "").split():
                if rid in affs:
                    orgs.append(affs[rid])
                else:
                    a.warn(f"{field}/xref", f"affiliation {rid!r} is not in the article; left out")
        orgs.extend(contrib.findall("aff"))
        orgs.extend(contrib.findall("aff-alternatives"))
        if not orgs:  # affiliations of the group, when no author names its own
            group = contrib.getparent()
            if group is not None and not any(
                x.get("ref-type") == "aff" for x in group.iter("xref")
            ):
                orgs.extend(group.findall("aff"))
        for aff in dict.fromkeys(orgs):
            org = _organization(a, aff, f"{field}/aff")
            if org is not None and org not in author.affiliations:
                author.affiliations.append(org)
        authors.append(author)
    return authors


def _author(a: ArticleContext, contrib: Any, field: str) -> Author | None:
    name_el = contrib.find("name")
    if name_el is None:
        name_el = contrib.find("name-alternatives/name")
    if name_el is None:
        name_el = contrib.find("string-name")
    if name_el is None:
        name_el = contrib.find("name-alternatives/string-name")
    author: Author | None = None
    if name_el is not None:
        family = _field(a, name_el, "surname")
        given = _field(a, name_el, "given-names")
        if family or given:
            # the name as printed: family name first for name-style="eastern"
            parts = (family, given) if name_el.get("name-style") == "eastern" else (given, family)
            suffix = _field(a, name_el, "suffix")
            name = fields.shown_name(*parts, suffix=suffix)
            author = Author(name=name, family=family, given=given)
        else:
            text = a.text(name_el, f"{field}/string-name")
            if text:
                author = Author(name=text)
    if author is None:
        collab = contrib.find("collab")
        if collab is None:
            collab = contrib.find("collab-alternatives/collab")
        if collab is not None:
            text = a.text(collab, f"{field}/collab")
            if text:
                author = Author(name=text)
    if author is None:
        a.warn(field, "an author with no name is left out")
        return None
    for cid in contrib.findall("contrib-id"):
        if (cid.get("contrib-id-type") or "").lower() != "orcid":
            continue
        orcid = fields.lenient_id(a, f"{field}/contrib-id", a.text(cid, "contrib-id"), "orcid")
        if orcid is not None:
            author.orcid = orcid
            break
    return author


def _organization(a: ArticleContext, el: Any, field: str) -> Organization | None:
    if el.tag == "aff-alternatives":
        orgs = [o for o in (_organization(a, aff, field) for aff in el.findall("aff")) if o]
        if not orgs:
            return None
        first = orgs[0]
        for o in orgs[1:]:
            first.names.extend(n for n in o.names if n not in first.names)
            first.ror = first.ror or o.ror
        return first
    lang = lang_of(el, "und")
    institutions = [
        a.text(inst, f"{field}/institution")
        for inst in el.iter("institution")
        if inst.getparent() is el or inst.getparent().tag == "institution-wrap"
    ]
    institutions = [t for t in institutions if t]
    org = Organization()
    for iid in el.iter("institution-id"):
        if (iid.get("institution-id-type") or "").lower() == "ror":
            raw = a.text(iid, f"{field}/institution-id")
            org.ror = org.ror or fields.lenient_id(a, f"{field}/institution-id", raw, "ror")
    address = Address()
    city = el.find("city")
    if city is None:
        city = el.find("addr-line/named-content[@content-type='city']")
    if city is None:
        city = el.find("addr-line[@content-type='city']")
    if city is not None:
        address.locality = a.text(city, f"{field}/city") or None
    state = el.find("state")
    if state is not None:
        address.region = a.text(state, f"{field}/state") or None
    postal = el.find("postal-code")
    if postal is not None:
        address.postal_code = a.text(postal, f"{field}/postal-code") or None
    country = el.find("country")
    if country is not None:
        address.country = a.text(country, f"{field}/country") or country.get("country") or None
    if institutions:
        org.names.append((", ".join(institutions), lang))
        streets = [
            a.text(line, f"{field}/addr-line")
            for line in el.findall("addr-line")
            if line.get("content-type") != "city" and not len(line)
        ]
        address.street = ", ".join(s for s in streets if s) or None
    else:
        # no <institution>: the affiliation as printed, without its label
        name = a.text(el, f"{field}", skip=NOT_TEXT | {"sup"})
        name = name.strip(" ,;")
        if name:
            org.names.append((name, lang))
    if not address.is_empty():
        org.address = address
    return org if org.names or org.ror else None


def _keywords(a: ArticleContext, meta: Any, lang: str) -> list[LangText]:
    out: list[LangText] = []
    for group in meta.findall("kwd-group"):
        glang = lang_of(group, lang)
        for kwd in group.iter("kwd"):
            text = a.text(kwd, "kwd")
            if text:
                out.append((text, lang_of(kwd, glang)))
    return list(dict.fromkeys(out))


def _norm_label(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text).strip().lower()


def _subjects(a: ArticleContext, meta: Any, article_type: str) -> list[str]:
    out = []
    for subject in meta.iterfind("article-categories//subject"):
        group = subject.getparent()
        if (group.get("subj-group-type") or "").lower() == "display-channel":
            continue
        text = a.text(subject, "subject")
        # a heading that only repeats the article type ("Research Article") is not a subject
        if text and _norm_label(text) != _norm_label(article_type):
            out.append(text)
    return list(dict.fromkeys(out))


def _licenses(a: ArticleContext, meta: Any) -> list[str]:
    out = []
    for lic in meta.iterfind("permissions/license"):
        url = lic.get(XLINK_HREF)
        if not url:
            ref = next(
                (c for c in lic if isinstance(c.tag, str) and local_name(c.tag) == "license_ref"),
                None,
            )
            url = (ref.text or "").strip() if ref is not None else None
        checked = a.lenient("permissions/license", check_url, url) if url else None
        if checked:
            out.append(checked)
    return list(dict.fromkeys(out))


def _abstracts(a: ArticleContext, meta: Any, lang: str) -> list[LangText]:
    abstracts = meta.findall("abstract")
    chosen = [ab for ab in abstracts if not ab.get("abstract-type")] or abstracts[:1]
    chosen += meta.findall("trans-abstract")
    out: list[LangText] = []
    for ab in chosen:
        paragraphs = a.paragraphs(ab, "abstract")
        # the abstract's own heading ("Abstract") is a label, not text
        heading = ab.find("title")
        if heading is not None and paragraphs and paragraphs[0] == a.text(heading, "abstract"):
            paragraphs = paragraphs[1:]
        # eLife ends abstracts with a paragraph giving their own DOI
        paragraphs = [p for p in paragraphs if not _DOI_PARAGRAPH.match(p)]
        if paragraphs:
            out.append(("\n\n".join(paragraphs), lang_of(ab, lang)))
    return list(dict.fromkeys(out))
