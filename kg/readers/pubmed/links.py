"""Statuses from a PubMed article: its publication types (``Retracted
Publication``, ``Retraction of Publication``, ``Published Erratum``) and its
``CommentsCorrections`` links to the notices about it (``RetractionIn``,
``ErratumIn``, ...) or to the works it, a notice, is about (``RetractionOf``,
``ErratumFor``, ...). The same status model as Crossref and Retraction Watch:
a status, its notice (by DOI, else by its PubMed page), and its sources.

The works an article cites (:func:`references`): ``CommentsCorrections``
``RefType="Cites"`` (the PMID, ``RefSource`` as the text, a DOI in it) and the newer
``PubmedData/ReferenceList/Reference`` (``Citation`` as the text, ``ArticleIdList``'s
``doi`` and ``pubmed`` ids). A reference that cannot be read is left out with a
warning, never the article.

PubMed names linked records by PMID (``<PMID>``) and a citation text
(``<RefSource>``), which often ends ``doi: 10...``: kg takes the DOI from there.
kg names works by DOI, so a notice's target known only by PMID is left out with
a warning; a notice known only by PMID is kept by its PubMed URL.
"""

from __future__ import annotations

import re
from typing import Any

from kg import ids
from kg.errors import RecordError
from kg.readers import fields
from kg.readers.context import ReaderContext
from kg.readers.jats.text import ArticleContext
from kg.readers.normalize import MONTHS
from kg.records import Notice, Record, Reference, Source, Status, Update

PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"
# CommentsCorrections RefType on a work -> (its status, reason): the link names the notice
NOTICED_IN: dict[str, tuple[str, str | None]] = {
    "retractionin": ("retracted", None),
    "partialretractionin": ("corrected", "Partial retraction"),
    "erratumin": ("corrected", None),
    "expressionofconcernin": ("expression-of-concern", None),
}
# RefType on a notice -> (the status it gives the work the link names, reason)
NOTICE_OF: dict[str, tuple[str, str | None]] = {
    "retractionof": ("retracted", None),
    "partialretractionof": ("corrected", "Partial retraction"),
    "erratumfor": ("corrected", None),
    "expressionofconcernfor": ("expression-of-concern", None),
}
# PublicationType of a notice -> kind of record (when it names its target by DOI)
NOTICE_TYPES = {
    "retraction of publication": "retraction-notice",
    "published erratum": "correction",
}
_NOTICE_KINDS = {"retracted": "retraction-notice", "corrected": "correction"}
_REF_DOI = re.compile(r"\bdoi:\s*(10\.\S+)", re.IGNORECASE)
_REF_DATE = re.compile(r"\b(\d{4}) ([A-Z][a-z]{2}) (\d{1,2})\b")


def pubmed_url(pmid: str) -> str:
    return f"{PUBMED}{pmid}/"


def statuses(a: ReaderContext, art: Any, citation: Any, rec: Record) -> None:
    """The record's own statuses and, for a notice, the statuses it gives other works."""
    assert rec.pmid is not None
    found = art.iterfind("PublicationTypeList/PublicationType")
    types = {(pt.text or "").strip().lower() for pt in found}
    own = Source(name="PubMed", record_id=rec.pmid)
    notice_kind = next((NOTICE_TYPES[t] for t in types if t in NOTICE_TYPES), None)
    for i, cc in enumerate(citation.iterfind("CommentsCorrectionsList/CommentsCorrections")):
        field = f"CommentsCorrections[{i + 1}]"
        ref_type = (cc.get("RefType") or "").strip().lower()
        if ref_type in NOTICED_IN:
            kind, reason = NOTICED_IN[ref_type]
            doi, pmid, date = _ref(a, cc, field)
            if doi is None and pmid is None:
                a.warn(field, "the notice is named by neither DOI nor PMID; left out")
                continue
            notice = Notice(doi=doi) if doi else Notice(url=pubmed_url(pmid or ""))
            rec.statuses.append(
                Status(kind, date=date, notice=notice, reasons=_list(reason), sources=[own])
            )
        elif ref_type in NOTICE_OF:
            kind, reason = NOTICE_OF[ref_type]
            notice_kind = notice_kind or _NOTICE_KINDS.get(kind)
            doi, pmid, _ = _ref(a, cc, field)
            if doi is None:
                named = f"PMID {pmid}" if pmid else "neither DOI nor PMID"
                a.warn(
                    field,
                    f"the work this notice is about is named by {named}, not a DOI; kg names "
                    "works by DOI, so the link is left out",
                )
                continue
            if doi == rec.doi:
                a.warn(field, "the notice names itself; left out")
                continue
            status = Status(
                kind,
                date=rec.date,
                notice=Notice(doi=rec.doi) if rec.doi else Notice(url=pubmed_url(rec.pmid)),
                reasons=_list(reason),
                sources=[Source(doi=rec.doi)] if rec.doi else [own],
            )
            rec.updates.append(Update(doi, status))
    if "retracted publication" in types and not any(s.kind == "retracted" for s in rec.statuses):
        rec.statuses.append(Status("retracted", sources=[own]))
    if notice_kind is not None:
        _notice_kind(a, rec, notice_kind)


def _notice_kind(a: ReaderContext, rec: Record, kind: str) -> None:
    """A notice is typed as one when it can be the node its targets point to: it has a
    DOI and names a target by DOI (a notice must name what it retracts)."""
    if rec.updates and rec.doi is not None:
        rec.kind = kind
        return
    why = (
        "names no work by DOI"
        if not rec.updates
        else "has no DOI of its own (its targets get the status, with its PubMed page)"
    )
    a.warn(
        "PublicationTypeList/PublicationType",
        f"this notice {why}; kg keeps it as a journal article",
    )


def _ref(a: ReaderContext, cc: Any, field: str) -> tuple[str | None, str | None, str | None]:
    """(DOI, PMID, full date) of the work a CommentsCorrections names."""
    source = " ".join((cc.findtext("RefSource") or "").split())
    pmid = " ".join((cc.findtext("PMID") or "").split()) or None
    if pmid is not None and not pmid.isdigit():
        a.warn(f"{field}/PMID", f"PMID {pmid!r} is not a number; left out")
        pmid = None
    doi = None
    m = _REF_DOI.search(source)
    if m:
        doi = ids.normalize_doi(m.group(1).rstrip(".,;"))
        if doi is None:
            a.warn(f"{field}/RefSource", f"{m.group(1)!r} is not a DOI; left out")
    date = None
    d = _REF_DATE.search(source)
    if d and d.group(2).lower() in MONTHS:
        date = fields.full_date(d.group(1), MONTHS[d.group(2).lower()], d.group(3))
    return doi, pmid, date


def _list(reason: str | None) -> list[str]:
    return [reason] if reason else []


def references(a: ArticleContext, el: Any, citation: Any) -> list[Reference]:
    """The works the article cites, in order: ``PubmedData/ReferenceList`` first, then
    the ``Cites`` links whose PMID the list does not already give."""
    out: list[Reference] = []
    for i, ref in enumerate(el.iterfind("PubmedData/ReferenceList//Reference"), start=1):
        field = f"ReferenceList/Reference[{i}]"
        found = _guarded(a, field, _listed, a, ref, field)
        if found is not None:
            out.append(found)
    listed = {r.pmid for r in out if r.pmid}
    links = citation.iterfind("CommentsCorrectionsList/CommentsCorrections")
    for i, cc in enumerate(links, start=1):
        if (cc.get("RefType") or "").strip().lower() != "cites":
            continue
        field = f"CommentsCorrections[{i}]"
        found = _guarded(a, field, _cites, a, cc, field)
        if found is not None and not (found.pmid and found.pmid in listed):
            out.append(found)
    return out


def _guarded(a: ReaderContext, field: str, fn: Any, *args: Any) -> Reference | None:
    """``fn(*args)``: a reference, or None (with a warning) where it cannot be read."""
    try:
        found: Reference | None = fn(*args)
    except RecordError as e:
        a.warn(field, f"{e.problem}; the reference is left out")
        return None
    if found is not None and found.doi is None and found.pmid is None and found.text is None:
        a.warn(field, "the reference names no work (no DOI, PMID or text); left out")
        return None
    return found


def _cites(a: ArticleContext, cc: Any, field: str) -> Reference:
    doi, pmid, _ = _ref(a, cc, field)
    source = cc.find("RefSource")
    text = a.text(source, f"{field}/RefSource") if source is not None else ""
    return Reference(doi=doi, pmid=pmid, text=text or None)


def _listed(a: ArticleContext, ref: Any, field: str) -> Reference:
    out = Reference()
    cited = ref.find("Citation")
    if cited is not None:
        out.text = a.text(cited, f"{field}/Citation") or None
    for aid in ref.iterfind("ArticleIdList/ArticleId"):
        kind = (aid.get("IdType") or "").strip().lower()
        value = a.text(aid, f"{field}/ArticleId")
        if kind == "doi" and out.doi is None and value:
            out.doi = fields.optional_id(a, f"{field}/ArticleId", value, "doi")
        elif kind == "pubmed" and out.pmid is None and value:
            if value.isdigit():
                out.pmid = value.lstrip("0") or "0"
            else:
                a.warn(f"{field}/ArticleId", f"PMID {value!r} is not a number; left out")
    return out
