"""Reference lists shared by the readers: Crossref's ``reference`` entries (in Crossref
works, kg/readers/crossref.py, and in the CSL-JSON Crossref gives by content negotiation,
kg/readers/csl.py) to :class:`~kg.records.Reference` objects, and a reference's text put
together from its parts (:func:`assemble`, also used for JATS ``element-citation``).

A Crossref entry (``reference[i]``) gives:

- ``DOI`` -> the cited work's DOI, whether ``doi-asserted-by`` is ``publisher`` or
  ``crossref`` (Crossref's matching); a DOI kg cannot read is left out with a warning
  naming the field (``reference[3].DOI``), and the entry keeps its text;
- ``key`` -> the label;
- ``unstructured`` -> the text as printed (markup dropped); else the text put together
  from ``author``, ``year``, ``article-title`` (or ``volume-title``, ``series-title``),
  ``journal-title``, ``volume``, ``issue``, ``first-page`` and the DOI. An entry that
  gives only its DOI has no text (the DOI says all it says).

A reference that names the citing work itself loses that id (:func:`without_self`, for
every reader's reference list). A bad entry never rejects the record: an entry that is
not an object, or that names no work (no DOI, no text), is left out with a warning; so
is a ``reference`` that is not a list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.readers import fields
from kg.readers.context import ReaderContext
from kg.readers.normalize import markup_to_text
from kg.records import Reference

_SURROGATE = re.compile("[\ud800-\udfff]")
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def assemble(
    *,
    author: str | None = None,
    year: str | None = None,
    title: str | None = None,
    container: str | None = None,
    volume: str | None = None,
    issue: str | None = None,
    pages: str | None = None,
    doi: str | None = None,
) -> str | None:
    """One readable line from a reference's parts; None when it has no part but the DOI.

    >>> assemble(author="Bonke", year="2003", title="APL regulates vascular identity",
    ...          container="Nature", volume="426", issue="6963", pages="181", doi="10.1/x")
    'Bonke (2003). APL regulates vascular identity. Nature 426(6963):181. doi:10.1/x'
    >>> assemble(author="Pearson H", year="2006", title="What is a gene?", container="Nature")
    'Pearson H (2006). What is a gene? Nature'
    >>> assemble(doi="10.1038/nature02100") is None
    True
    """
    who = " ".join(p for p in (author, f"({year})" if year else None) if p)
    where = container or ""
    if volume:
        where = f"{where} {volume}".strip()
    if issue:
        where = f"{where}({issue})" if volume else f"{where} ({issue})".strip()
    if pages:
        where = f"{where}:{pages}" if volume or issue else f"{where} {pages}".strip()
    parts = [(p or "").strip().rstrip(".").strip() for p in (who, title, where)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    if doi:
        parts.append(f"doi:{doi}")
    line = parts[0]
    for part in parts[1:]:  # a title that ends in ? or ! keeps its own stop
        line += (" " if line[-1] in "?!" else ". ") + part
    return line


def crossref_references(
    ctx: ReaderContext, value: Any, field: str = "reference"
) -> list[Reference]:
    """The entries of a Crossref ``reference`` list, in order (see the module docstring)."""
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.warn(field, f"expected a list of references, got {type(value).__name__}; left out")
        return []
    out = []
    for i, entry in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(entry, Mapping):
            what = type(entry).__name__
            ctx.warn(where, f"expected a reference (an object), got {what}; left out")
            continue
        ref = Reference(label=_part(ctx, where, entry, "key"))
        raw_doi = entry.get("DOI")
        if isinstance(raw_doi, str) and raw_doi.strip():
            ref.doi = fields.optional_id(ctx, f"{where}.DOI", raw_doi, "doi")
        elif raw_doi is not None:
            ctx.warn(f"{where}.DOI", f"{raw_doi!r} is not a DOI; left out")
        ref.text = _part(ctx, where, entry, "unstructured") or assemble(
            author=_part(ctx, where, entry, "author"),
            year=_part(ctx, where, entry, "year"),
            title=(
                _part(ctx, where, entry, "article-title")
                or _part(ctx, where, entry, "volume-title")
                or _part(ctx, where, entry, "series-title")
            ),
            container=_part(ctx, where, entry, "journal-title"),
            volume=_part(ctx, where, entry, "volume"),
            issue=_part(ctx, where, entry, "issue"),
            pages=_part(ctx, where, entry, "first-page"),
            doi=ref.doi,
        )
        if ref.doi is None and ref.text is None:
            ctx.warn(where, "the reference names no work (no DOI, no text); left out")
            continue
        out.append(ref)
    return out


def without_self(
    ctx: ReaderContext, refs: list[Reference], doi: str | None, pmid: str | None, field: str
) -> list[Reference]:
    """The references, where one names the citing work itself (its DOI or PubMed id: a
    data error, a work does not cite itself) without that id, with a warning; one left
    naming nothing is left out."""
    out = []
    for i, ref in enumerate(refs, start=1):
        own = [k for k, v in (("DOI", doi), ("PubMed id", pmid)) if v and v == _id(ref, k)]
        if not own:
            out.append(ref)
            continue
        if "DOI" in own:
            ref.doi = None
        if "PubMed id" in own:
            ref.pmid = None
        kept = ref.doi or ref.pmid or ref.text
        what = f"{field} {i}" + (f" ({ref.label})" if ref.label else "")
        ctx.warn(
            field,
            f"{what} names the work itself by its {' and '.join(own)}; "
            + ("the id is left out" if kept else "left out"),
        )
        if kept:
            out.append(ref)
    return out


def _id(ref: Reference, kind: str) -> str | None:
    return ref.doi if kind == "DOI" else ref.pmid


def _part(ctx: ReaderContext, where: str, entry: Mapping[str, Any], key: str) -> str | None:
    """A part of an entry as plain text on one line; None when absent, empty or not text
    (with a warning: a bad part only loses itself)."""
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        ctx.warn(f"{where}.{key}", f"expected text, got {type(value).__name__}; left out")
        return None
    text = str(value)
    if _SURROGATE.search(text):  # bytes that were not UTF-8, kept as surrogates
        ctx.warn(f"{where}.{key}", "not UTF-8 text; left out")
        return None
    # an & that starts no entity is text (a URL's &noteId=), not HTML's legacy &not
    text = _BARE_AMPERSAND.sub("&amp;", text)
    return ctx.lenient(f"{where}.{key}", markup_to_text, text) or None


__all__ = ["assemble", "crossref_references", "without_self"]
