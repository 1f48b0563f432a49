"""Values in the fields of exported records (RIS, BibTeX): lists, DOIs, ISSNs, dates."""

from __future__ import annotations

import re
from urllib.parse import unquote

from kg import ids
from kg.readers.normalize import MONTHS

_ISSN_TOKEN = re.compile(r"\b(\d{4})[-\u2010\u2011\u2013 ]?(\d{3}[\dXx])\b(?:\s*\(([^)]*)\))?")
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_DOI_SUFFIX = re.compile(r"\s*\[doi\]\s*$", re.IGNORECASE)
_OPENING = {")": "(", "]": "[", "}": "{"}


def split_list(text: str) -> list[str]:
    """``a; b; c`` -> ``[a, b, c]``; without ``;``, ``a, b`` -> ``[a, b]``."""
    sep = ";" if ";" in text else ","
    return [p.strip() for p in text.split(sep) if p.strip()]


def doi_of(text: str) -> str | None:
    """A DOI from any of its spellings: bare, ``doi:``, a resolver URL (percent-escaped or
    not), with trailing punctuation or PubMed's `` [doi]``; None if there is none."""
    value = _DOI_SUFFIX.sub("", text.strip())
    if value.lower().startswith(("http://", "https://")):
        value = unquote(value)
    doi = ids.normalize_doi(value)
    if doi is None:
        m = _DOI_IN_TEXT.search(value)
        if m and (m.start() == 0 or "doi" in value[: m.start()].lower()):
            doi = ids.normalize_doi(m.group().rstrip(".,;)]}"))
    # a closing bracket the DOI does not open is the sentence's: "(doi:10.1/x)"
    while doi and doi[-1] in ")]}" and doi.count(doi[-1]) > doi.count(_OPENING[doi[-1]]):
        doi = doi[:-1]
    return doi


def issns_of(text: str) -> list[tuple[str, str | None]]:
    """The ISSNs in a field, each with the medium the field names (``print``,
    ``online``, ``linking``) or None.

    >>> issns_of("14602431 03058557")
    [('1460-2431', None), ('0305-8557', None)]
    >>> issns_of("0305-8557 (Print); 1460-2431 (Electronic)")
    [('0305-8557', 'print'), ('1460-2431', 'online')]
    """
    out: list[tuple[str, str | None]] = []
    for m in _ISSN_TOKEN.finditer(text):
        issn = f"{m.group(1)}-{m.group(2).upper()}"
        note = (m.group(3) or "").strip().lower()
        medium = None
        if note.startswith("print"):
            medium = "print"
        elif note.startswith(("electronic", "online", "e-issn", "eissn")):
            medium = "online"
        elif note.startswith("linking"):
            medium = "linking"
        out.append((issn, medium))
    return out


def date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) from ``2020``, ``2020/05/03/``, ``2020-05``, ``2005 Jan 15``,
    ``MAY 2020`` or ``15 May 2005``; None if no year is there.

    >>> date_parts("2019/12/01/"), date_parts("2005 Jan 15"), date_parts("MAY 2020")
    ((2019, 12, 1), (2005, 1, 15), (2020, 5, None))
    """
    value = text.strip()
    m = re.match(r"^(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?[/-]*(?:(?<=/).*)?$", value)
    if m:
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
        return int(m.group(1)), month, day
    year_m = re.search(r"\b(\d{4})\b", value)
    if not year_m:
        return None
    words = re.findall(r"[A-Za-z]+", value)
    months = [MONTHS[w.lower()] for w in words if w.lower() in MONTHS]
    month = months[0] if months else None
    rest = value[: year_m.start()] + " " + value[year_m.end() :]
    days = [int(d) for d in re.findall(r"\b(\d{1,2})\b", rest)]
    day = days[0] if month is not None and len(days) == 1 else None
    return int(year_m.group(1)), month, day


def month_number(text: str) -> int | None:
    value = text.strip().lower().rstrip(".")
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
    return MONTHS.get(value) or MONTHS.get(value[:3])


__all__ = ["date_parts", "doi_of", "issns_of", "month_number", "split_list"]
