"""MEDLINE text (PubMed's "citation manager" export: ``.nbib``, ``.txt``, ``.medline``)
to kg records.

A MEDLINE file is a run of records separated by blank lines; each line is a
tag, padded to four characters, then ``- `` and the value (``PMID- 21403915``,
``TI  - A title``); a line indented by six spaces continues the value above it
(joined with a space). A ``PMID- `` line also starts a new record where no
blank line comes first. :func:`read` streams the file one record at a time, so
a file of any size is read in the memory of one record, and a broken record
rejects only itself: a line that is neither a tag line nor a continuation, a
PubMed id that is not a number, a malformed DOI or bytes that are not UTF-8
give one reject naming the record (``record N (line L) PMID n``) and the tag.

The fields go through the :class:`~kg.readers.exports.Export` the RIS and
BibTeX readers share (kg/readers/exports.py), then what only MEDLINE says is
added to the :class:`Record`:

- ``PMID`` the PubMed id; ``TI`` the title (``BTI`` a book's); a title in
  square brackets is NLM's English translation of a title in another language:
  kept without the brackets and tagged ``en``, with ``TT`` (the title in its
  language, romanised for non-Latin scripts: ``ru-latn``) as a second title.
- ``AB`` the abstract, ``OT`` keywords, ``MH`` MeSH headings as subjects
  (``Brain/*physiology`` -> ``Brain/physiology``: the ``*`` marks a major
  topic). NLM gives them in English: tagged ``en`` when ``LA`` is English, else
  ``und``.
- ``FAU`` (``Family, Given``) or, in a record without them (before 2002),
  ``AU`` (``Family GI``) the authors in order; ``AD`` the affiliations of the
  author they follow (before any author: of the work); ``AUID- ORCID:
  0000-...`` the author's ORCID iD; ``CN`` a group author.
- ``JT`` (else ``TA``, the abbreviation) the journal, ``IS`` its ISSNs with
  ``(Print)``, ``(Electronic)``, ``(Linking)``; ``VI`` volume, ``IP`` issue.
- ``PG`` pages, MEDLINE's short ranges written out (``123-9`` is 123-129).
- ``DP`` the year, and the date when it gives a day (``2015 Jan 15``; ``2010
  Jun`` and ``2015 Jan-Feb`` give the year); ``DEP`` the online date.
- ``LID``/``AID`` values marked ``[doi]`` the DOI (``[pii]`` and others are
  ignored); ``LA`` the language.
- ``PT``: ``Preprint`` a preprint; ``BTI`` without a journal a book (or, with
  ``TI``, a chapter of that book). ``Retracted Publication`` (or ``RIN``,
  "Retraction in: ... PMID: n") a retracted status whose source is the PubMed
  record and whose notice is the one ``RIN`` names (its DOI, and its PubMed
  page); ``EIN`` (erratum in) and ``ECI`` (expression of concern in) the same
  for a corrected status and an expression of concern.
- Notices: ``Retraction of Publication`` (with ``ROF``, "... doi: 10.x/y.
  PMID: n"), ``Published Erratum`` (``EFR``) and ``Expression of Concern``
  (``ECF``): each line that names its work by DOI gives that work the status,
  from this notice, as a Crossref notice's ``update-to`` does; the notice is a
  retraction notice or a correction when it has a DOI of its own. kg links
  works by DOI: a line that names its work only by PubMed id is left out with
  a warning, and a notice that links no work (or has no DOI of its own) stays
  a journal article, with a warning. A notice titled ``RETRACTED: ...`` (the
  retracted work's title) keeps that title whole and no retracted status.

Left out: ``SO`` (the citation again), grants (``GR``), dates of NLM's
processing (``DA``, ``EDAT``, ``PHST``, ...), comments (``CON``, ``CIN``),
updates (``UIN``, ``UOF``), investigators (``IR``) and other-language
abstracts (``OAB``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg import ids
from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import Reject, Skipped, open_binary
from kg.readers.context import ReaderContext
from kg.readers.exported import doi_of
from kg.readers.exports import Export, to_record
from kg.readers.normalize import clean_text, language_tag, written_in
from kg.readers.ris import person
from kg.records import Author, Notice, Organization, Record, Source, Status, Update

PUBMED_PAGE = "https://pubmed.ncbi.nlm.nih.gov/{}/"
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}-(?: (.*)|)$")
_CONTINUATION = re.compile(r"^\s+\S")
_BOM = b"\xef\xbb\xbf"
_DOI_MARK = re.compile(r"\[doi\]\s*$", re.IGNORECASE)
_DOI_IN_CITATION = re.compile(r"\bdoi:?\s*(10\.\d{4,9}/\S+)", re.IGNORECASE)
_PMID_IN_CITATION = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_SHORT_RANGE = re.compile(r"\b([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)\b")
_EMAIL = re.compile(r"(?:\s*Electronic address:)?\s*\S+@\S+\s*$", re.IGNORECASE)
_ORCID = re.compile(r"^ORCID:?\s*(.+)$", re.IGNORECASE)

Lines = list[tuple[str, str]]  # (tag, value) in the record's order


def read(path: Path, name: str) -> Iterator[Record | Reject | Skipped]:
    """Read the records of a MEDLINE file, one at a time (see the module docstring)."""
    with open_binary(path) as f:
        for chunk in _chunks(f, name):
            if isinstance(chunk, Reject):
                yield chunk
                continue
            origin, tags, raw = chunk
            try:
                result = medline_record(tags, origin)
            except RecordError as e:
                yield Reject(e, raw)
                continue
            if isinstance(result, Record):
                result.raw = raw
            yield result


def _chunks(f: IO[bytes], name: str) -> Iterator[tuple[Location, Lines, str] | Reject]:
    """(origin, tag lines, raw text) of each record; a Reject for one that is broken."""
    index = 0
    start = 0
    raw: list[str] = []
    tags: Lines = []
    pmid: str | None = None
    problem: tuple[str | None, str] | None = None  # (tag, what is wrong) of the first fault

    def finish() -> tuple[Location, Lines, str] | Reject:
        label = f"record {index} (line {start})" + (f" PMID {pmid}" if pmid else "")
        text = "\n".join(raw)
        if problem is not None:
            return Reject(RecordError(Location(name, label, problem[0]), problem[1]), text)
        return Location(name, label), tags, text

    n = 0
    for n, data in enumerate(f, start=1):
        if n == 1 and data.startswith(_BOM):
            data = data[3:]
        line = data.decode("utf-8", "surrogateescape").rstrip("\r\n")
        if not line.strip():
            if start:
                yield finish()
                start = 0
            continue
        m = _TAG_LINE.match(line)
        if m and m.group(1) == "PMID" and start and tags:
            yield finish()  # a PMID line starts a new record even without a blank line
            start = 0
        if not start:
            index += 1
            start = n
            raw, tags, pmid, problem = [], [], None, None
        raw.append(line)
        if m:
            tag, value = m.group(1), (m.group(2) or "").strip()
            tags.append((tag, value))
            if tag == "PMID" and pmid is None:
                pmid = value if re.fullmatch(r"\d{1,9}", value) else None
                if pmid is None and problem is None:
                    problem = ("PMID", f"{_shown(value)} is not a PubMed id (a number)")
        elif _CONTINUATION.match(line) and tags:
            tag, value = tags[-1]
            tags[-1] = (tag, f"{value} {line.strip()}".strip())
        elif problem is None:
            where = tags[-1][0] if tags else None
            problem = (where, f"line {n} is neither a tag line ('TAG - value') nor a continuation")
    if start:
        yield finish()
    if index == 0:
        problem_text = "no MEDLINE records (no 'PMID- ' or other tag lines)" if n else "empty file"
        yield Reject(RecordError(Location(name), problem_text))


def _shown(value: str) -> str:
    return repr(value.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


class _Fields(ReaderContext):
    """One record's tag lines, with the text of each checked."""

    def __init__(self, tags: Lines, origin: Location) -> None:
        super().__init__(origin)
        self.tags = tags

    def values(self, *names: str) -> list[tuple[str, str]]:
        return [(t, v) for t, v in self.tags if t in names and v.strip()]

    def first(self, *names: str) -> tuple[str, str] | None:
        found = self.values(*names)
        return found[0] if found else None

    def text(self, tag: str, raw: str) -> str:
        bad = re.search("[\udc80-\udcff]", raw)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise self.fail(tag, f"not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8")
        return self.read(tag, clean_text, raw)


def medline_record(tags: Lines, origin: Location) -> Record | Skipped:
    """One MEDLINE record (its tag lines, continuations joined) as a :class:`Record`.

    :raises RecordError: naming the tag that makes the record unusable.
    """
    r = _Fields(tags, origin)
    types = [r.text(t, v).lower() for t, v in r.values("PT")]
    book = r.first("BTI")
    in_journal = r.first("JT", "TA") is not None
    if "preprint" in types:
        kind = "preprint"
    elif book and not in_journal:
        kind = "book-chapter" if r.first("TI") else "book"
    else:
        kind = "journal-article"
    ex = Export(origin, "PT", "; ".join(types) or "no PT", kind)
    title = r.first("TI") or (book if kind == "book" else None)
    translated = False
    if title:
        text = r.text(*title)
        if len(text) > 2 and text.startswith("[") and text.rstrip(".").endswith("]"):
            text, translated = text.rstrip(".")[1:-1].strip(), True
        ex.titles = [(title[0], text)]
    else:
        ex.titles = [("TI", "")]  # so that a missing title is named by its tag
    if kind == "book-chapter" and book:
        ex.books = [book]
    ex.dois = [(t, _DOI_MARK.sub("", v)) for t, v in r.values("LID", "AID") if _DOI_MARK.search(v)]
    ex.issns = r.values("IS")
    ex.journals = r.values("JT") or r.values("TA")
    ex.publisher = r.first("PB")
    ex.volume = r.first("VI")
    ex.issue = r.first("IP")
    pages = r.first("PG")
    if pages:
        ex.pages = (pages[0], _SHORT_RANGE.sub(_long_range, r.text(*pages)))
    ex.years = r.values("DP")
    ex.language = r.first("LA")
    ex.pmids = r.values("PMID")
    ex.abstracts = r.values("AB")
    result = to_record(ex)
    if isinstance(result, Skipped):
        return result
    rec = result
    r.origin = rec.origin
    english = rec.language == "en"
    if translated and rec.titles:
        rec.titles = [(rec.titles[0][0], "en"), *_original_titles(r, rec)]
    rec.abstracts = [(t, "en" if english else "und") for t, _ in rec.abstracts]
    keywords = dict.fromkeys(k for t, v in r.values("OT") if (k := r.text(t, v)))
    rec.keywords = [(k, "en" if english else "und") for k in keywords]
    headings = (r.text(t, v).replace("*", "").strip() for t, v in r.values("MH"))
    rec.subjects = list(dict.fromkeys(h for h in headings if h))
    if any(pt.lower() in types for pt in _NOTICES) and rec.shown_title is not None:
        # a notice titled as the work it retracts ("RETRACTED: ..."): the title is
        # the notice's own, and the notice is not retracted
        rec.titles, rec.shown_title = [rec.shown_title], None
        rec.statuses = [s for s in rec.statuses if s.kind != "retracted"]
    _online(r, rec)
    rec.authors = _authors(r, rec)
    _own_statuses(r, rec, types)
    _notice_of(r, rec, types)
    rec.issues = [*rec.issues, *r.issues]
    return rec


def _long_range(m: re.Match[str]) -> str:
    """``123-9`` -> ``123-129``, ``E519-20`` -> ``E519-E520`` (MEDLINE drops the digits
    the last page shares with the first)."""
    prefix, first, other_prefix, last = m.groups()
    if other_prefix and other_prefix != prefix:
        return m.group()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
        if int(last) < int(first):
            return m.group()
    return f"{prefix}{first}-{prefix}{last}"


def _original_titles(r: _Fields, rec: Record) -> list[tuple[str, str]]:
    """``TT``, the title in the work's language (romanised for other scripts)."""
    value = r.first("TT")
    text = r.text(*value) if value else ""
    if not text or rec.language in (None, "en", "und"):
        return []
    code = rec.language
    assert code is not None
    if written_in(code, text):
        return [(text, language_tag(code))]
    if written_in("en", text):  # Latin letters: a romanised title
        return [(text, f"{language_tag(code)}-latn")]
    return []


def _online(r: _Fields, rec: Record) -> None:
    value = r.first("DEP")
    text = r.text(*value) if value else ""
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    date = fields.full_date(*m.groups()) if m else None
    if date is None and text:
        r.warn("DEP", f"{text!r} is not a date (YYYYMMDD); left out")
    rec.online = date


def _authors(r: _Fields, rec: Record) -> list[Author]:
    """Authors in order (``FAU`` preferred, else ``AU``), each with the ``AD`` and
    ``AUID`` lines that follow it; ``CN`` group authors where they stand."""
    authors: list[Author] = []
    current: Author | None = None
    # every author has an AU; since 2002 an FAU too, which says more
    names = "FAU" if r.first("FAU") else "AU"
    for tag, raw in r.tags:
        if tag not in (names, "CN", "AD", "AUID") or not raw.strip():
            continue
        text = r.text(tag, raw)
        if tag == "FAU":
            split = fields.split_name(text)
            if split and split[0]:
                family, given = split
                current = Author(fields.shown_name(given, family), family, given or None)
            else:
                current = Author(text)
            authors.append(current)
        elif tag == "AU":
            n = person(tag, text)
            shown = fields.shown_name(n.given, n.family) if n.family else text
            current = Author(shown, n.family, n.given)
            authors.append(current)
        elif tag == "CN":
            current = Author(text)
            authors.append(current)
        elif tag == "AD":
            for part in (_EMAIL.sub("", p).strip(" .") for p in text.split(";")):
                if not part:
                    continue
                org = Organization(names=[(part, "und")])
                holders = current.affiliations if current else rec.affiliations
                if org not in holders:
                    holders.append(org)
        else:  # AUID
            m = _ORCID.match(text)
            if not m:
                continue  # another scheme (ISNI, ...)
            orcid = fields.lenient_id(r, tag, m.group(1), "orcid")
            if current is None:
                r.warn(tag, "an ORCID iD before any author; left out")
            elif orcid:
                current.orcid = current.orcid or orcid
    return authors


def _notice_in(r: _Fields, tag: str, text: str) -> tuple[str | None, str | None]:
    """(DOI, PubMed id) of the work a ``RIN``/``ROF`` citation names."""
    doi = None
    m = _DOI_IN_CITATION.search(text)
    if m:
        doi = ids.normalize_doi(m.group(1).rstrip(".,;)]}")) or doi_of(m.group(1))
        if doi is None:
            r.warn(tag, f"{m.group(1)!r} is not a DOI; left out")
    p = _PMID_IN_CITATION.search(text)
    return doi, (p.group(1).lstrip("0") or None) if p else None


def _pubmed_source(rec: Record) -> list[Source]:
    return [Source(name="PubMed", record_id=rec.pmid)]


# tag on a work naming the notice about it -> the status it gives the work
_FORWARD = {"RIN": "retracted", "EIN": "corrected", "ECI": "expression-of-concern"}
# PT of a notice -> (tag naming the works it is about, their status, the notice's kind)
_NOTICES = {
    "Retraction of Publication": ("ROF", "retracted", "retraction-notice"),
    "Published Erratum": ("EFR", "corrected", "correction"),
    "Expression of Concern": ("ECF", "expression-of-concern", None),
}
# status -> (what a notice of it is called, what the work it names is called)
_WORDS = {
    "retracted": ("retraction notice", "retracted work"),
    "corrected": ("erratum", "corrected work"),
    "expression-of-concern": ("expression of concern", "work of concern"),
}


def _own_statuses(r: _Fields, rec: Record, types: list[str]) -> None:
    """``PT - Retracted Publication`` (or a ``RETRACTED:`` title), ``RIN``, ``EIN``,
    ``ECI``: this work's statuses, from the PubMed record, with the notices named."""
    for kind in dict.fromkeys(_FORWARD.values()):
        lines = [(t, v) for t, v in r.values(*_FORWARD) if _FORWARD[t] == kind]
        status = next((s for s in rec.statuses if s.kind == kind), None)
        if status is None and (lines or (kind == "retracted" and "retracted publication" in types)):
            status = Status(kind)
            rec.statuses.append(status)
        if status is None:
            continue
        for source in _pubmed_source(rec):
            if source not in status.sources:
                status.sources.append(source)
        for tag, raw in lines:
            doi, pmid = _notice_in(r, tag, r.text(tag, raw))
            if doi is None and pmid is None:
                r.warn(tag, "names its notice by neither DOI nor PubMed id; left out")
            elif status.notice is None:
                status.notice = Notice(doi=doi, url=PUBMED_PAGE.format(pmid) if pmid else None)


def _notice_of(r: _Fields, rec: Record, types: list[str]) -> None:
    """A notice (``PT - Retraction of Publication``, ``Published Erratum``,
    ``Expression of Concern``) and the works it names (``ROF``, ``EFR``, ``ECF``)."""
    for pt, (tag, kind, notice_kind) in _NOTICES.items():
        if pt.lower() not in types:
            for t, _ in r.values(tag):
                r.warn(t, f"a {tag} line in a record not typed {pt!r}; left out")
            continue
        _links(r, rec, tag, kind, notice_kind)


def _links(r: _Fields, rec: Record, tag: str, kind: str, notice_kind: str | None) -> None:
    page = PUBMED_PAGE.format(rec.pmid) if rec.pmid else None
    noun, work = _WORDS[kind]
    by_pmid: list[str] = []
    updates: list[Update] = []
    for t, raw in r.values(tag):
        target, pmid = _notice_in(r, t, r.text(t, raw))
        if target is None:
            if pmid is None:
                r.warn(t, f"names the {work} by neither DOI nor PubMed id; left out")
            by_pmid.extend([pmid] if pmid else [])
            continue
        if target == rec.doi:
            r.warn(t, "the notice names itself; left out")
            continue
        if rec.doi:
            notice, sources = Notice(doi=rec.doi, url=page), [Source(doi=rec.doi)]
        else:
            notice, sources = Notice(url=page), _pubmed_source(rec)
        status = Status(kind, date=rec.date, notice=notice, sources=sources)
        updates.append(Update(target, status))
    rec.updates.extend(updates)
    named = f"PubMed id {', '.join(by_pmid)}"
    if not updates:
        only = f" only by {named}" if by_pmid else " by DOI"
        r.warn(
            tag,
            f"this {noun} names no {work}{only}; kg links works "
            "by DOI, so it keeps the notice as a journal article, without the link",
        )
        return
    if rec.doi and notice_kind:
        rec.kind = notice_kind
    elif notice_kind:
        r.warn(
            "PT",
            f"this {noun} has no DOI of its own; kg keeps it as a journal "
            "article and gives the works it names their status through its PubMed page",
        )
    if by_pmid:
        r.warn(tag, f"the works named only by {named} are left out: kg links by DOI")
