"""OpenCitations citation CSV rows to kg records that state one citation each.

Two kinds of file (kg/readers/detect.py tells them by their header; the
``opencitations`` reader, kg/readers/opencitations.py, hands their rows here):

- the OpenCitations Index (COCI and the later Index dumps): ``oci, citing, cited,
  creation, timespan, journal_sc, author_sc``. COCI writes bare DOIs
  (``10.1002/jrs.5400``); newer dumps space-separated ids (``omid:br/06... doi:10.1/x
  pmid:123``);
- OpenCitations Meta's citations: ``citing_id, citing_publication_date, cited_id,
  cited_publication_date`` (ids written ``doi:10.1/x``).

Each row is one :class:`~kg.records.Record` with ``describes=False`` (it names the citing
work, by DOI and PubMed id, only to state the citation) and one
:class:`~kg.records.Reference`: the cited work's DOI and PubMed id, the citation's
creation date (the Index's ``creation``; Meta's ``citing_publication_date``), its
``timespan`` (an xsd:duration such as ``P2Y9M``) and the self-citation flags
(``journal_sc``, ``author_sc``: ``yes``/``no``). Empty cells give None.

A row whose citing or cited id names no work by DOI or PubMed id is rejected, naming
the column; so is a row whose cited work is the citing one (a work does not cite
itself: OpenCitations Meta's example has such a row), and a row cut off before a
column. A creation date that is not
``YYYY[-MM[-DD]]`` (a calendar date), a timespan that is not an xsd:duration and a flag
that is not yes or no are left out with a warning. The OCI, Meta's
``cited_publication_date`` and ids of other schemas (``omid``, ``pmcid``, ...) are not
kept: the record model has no place for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg import ids
from kg.errors import Location
from kg.readers import fields
from kg.readers.context import RowContext
from kg.records import Record, Reference

INDEX_COLUMNS = ("oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc")
META_COLUMNS = ("citing_id", "citing_publication_date", "cited_id", "cited_publication_date")
# an xsd:duration: at least one part, and a T only before a time part
DURATION = re.compile(
    r"^-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_ID = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):(.+)$", re.DOTALL)
_PMID = re.compile(r"^\d{1,12}$")
_FLAGS = {"yes": True, "no": False, "true": True, "false": False}


def is_citation_row(row: Mapping[str, Any]) -> bool:
    """Whether a CSV row (column -> text) is an OpenCitations citation, not a Meta row."""
    if "id" in row:
        return False
    return {"citing", "cited"} <= row.keys() or {"citing_id", "cited_id"} <= row.keys()


def parse_citation(row: Mapping[str, Any], origin: Location) -> Record:
    """One citation row (see the module docstring) as a record that describes nothing.

    :raises RecordError: naming the column that names no work, or a cut-off row.
    """
    r = RowContext(row, origin)
    missing = [str(k) for k, v in row.items() if v is None]
    if missing:
        raise r.fail(missing[0], "the row ends before this column (a cut-off line?)")
    index = "citing" in row
    citing_col, cited_col = ("citing", "cited") if index else ("citing_id", "cited_id")
    citing_doi, citing_pmid = work_ids(r, citing_col)
    shown = citing_doi or f"PMID {citing_pmid}"
    r.origin = Location(origin.path, f"{origin.record} [{shown}]")
    cited_doi, cited_pmid = work_ids(r, cited_col)
    if (citing_doi and citing_doi == cited_doi) or (citing_pmid and citing_pmid == cited_pmid):
        raise r.fail(cited_col, "the work cites itself: citing and cited name the same work")
    date_col = "creation" if index else "citing_publication_date"
    ref = Reference(doi=cited_doi, pmid=cited_pmid, created=_created(r, date_col))
    if index:
        ref.timespan = _timespan(r, "timespan")
        ref.journal_self = _flag(r, "journal_sc")
        ref.author_self = _flag(r, "author_sc")
    rec = Record(origin=r.origin, doi=citing_doi, pmid=citing_pmid, describes=False)
    rec.references = [ref]
    rec.issues = r.issues
    return rec


def work_ids(r: RowContext, column: str) -> tuple[str | None, str | None]:
    """(DOI, PubMed id) of the work a citing or cited cell names: a bare DOI (COCI), or
    space-separated ``schema:value`` ids; the first of each is kept.

    :raises RecordError: if the cell names the work by neither.
    """
    text = r.cell(column) or ""
    doi: str | None = None
    pmid: str | None = None
    unread: list[str] = []
    for token in text.split():
        m = _ID.match(token)
        schema = m.group(1).lower() if m else None
        if schema == "doi" or schema is None or schema in ("http", "https"):
            value = m.group(2) if m and schema == "doi" else token
            found = ids.normalize_doi(value)
            if found is None:
                unread.append(token)
            doi = doi or found
        elif schema == "pmid" and m is not None:
            value = m.group(2)
            if _PMID.match(value):
                pmid = pmid or value.lstrip("0") or "0"
            else:
                unread.append(token)
    if doi is None and pmid is None:
        if not text.strip():
            raise r.fail(column, "the cell is empty: the citation needs the work's DOI or PMID")
        why = f" ({', '.join(repr(t) for t in unread)} cannot be read)" if unread else ""
        raise r.fail(column, f"{text.strip()!r} names the work by neither DOI nor PMID{why}")
    for token in unread:
        r.warn(column, f"{token!r} is not a DOI or PubMed id kg can use; left out")
    return doi, pmid


def check_created(text: str) -> str:
    """A citation's creation date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    :raises ValueError: if it is not one (or not a calendar date).

    >>> check_created("2018-06"), check_created("2003-10-24"), check_created("2025-2")
    ('2018-06', '2003-10-24', '2025-02')
    """
    m = _DATE.match(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        raise ValueError(f"{text!r} has no month {int(month)}")
    if day is None:
        return fields.partial_date(int(year), int(month))
    full = fields.full_date(year, month, day)
    if full is None:
        raise ValueError(f"{text!r} is not a calendar date")
    return full


def check_duration(text: str) -> str:
    """A timespan that is an xsd:duration (``P2Y9M``, ``P0Y6M``, ``-P1D``).

    :raises ValueError: if it is not one.
    """
    value = text.strip()
    if not DURATION.match(value):
        raise ValueError(f"{text!r} is not a timespan written as an xsd:duration (e.g. P2Y9M)")
    return value


def _created(r: RowContext, column: str) -> str | None:
    text = r.cell(column)
    return r.lenient(column, check_created, text) if text else None


def _timespan(r: RowContext, column: str) -> str | None:
    text = r.cell(column)
    return r.lenient(column, check_duration, text) if text else None


def _flag(r: RowContext, column: str) -> bool | None:
    text = (r.cell(column) or "").strip().lower()
    if not text:
        return None
    if text not in _FLAGS:
        r.warn(column, f"{text!r} is not yes or no; left out")
        return None
    return _FLAGS[text]


__all__ = [
    "DURATION",
    "INDEX_COLUMNS",
    "META_COLUMNS",
    "check_created",
    "check_duration",
    "is_citation_row",
    "parse_citation",
    "work_ids",
]
