"""A JATS article's reference list (``back/ref-list/ref``) as
:class:`~kg.records.Reference` objects, in order.

For each ``<ref>``: its ``id`` is the label (else its ``<label>``); ``pub-id``
``pub-id-type="doi"`` and ``"pmid"`` name the cited work (a DOI or PMID kg cannot
read is left out with a warning); the text is that of its citation: a
``mixed-citation`` (or a ``citation`` written with its punctuation) as printed,
whitespace collapsed; an ``element-citation`` (or a ``citation`` of elements only)
put together from its parts (authors, year, title, source, volume, issue, pages; see
:func:`kg.readers.references.assemble`). Where a ref gives several citations
(``citation-alternatives``), the mixed one is read. A ref that names no work (no
DOI, PMID or text) is left out with a warning; a ref that cannot be read loses
itself, never the article.

The article element is already parsed whole when this runs (kg/readers/jats/__init__.py
streams the file article by article), so reading the references keeps the reader
streaming.
"""

from __future__ import annotations

import re
from typing import Any

from kg.errors import RecordError
from kg.readers import fields
from kg.readers.jats.text import ArticleContext, local_name
from kg.readers.references import assemble
from kg.records import Reference

# the elements that hold a reference's citation, the ones written as printed first
_MIXED = ("mixed-citation", "citation", "nlm-citation")
_CITATIONS = (*_MIXED, "element-citation")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:])(?=\s|$)")


def references(a: ArticleContext, article: Any) -> list[Reference]:
    """The references of the article's own back matter (not its sub-articles')."""
    back = article.find("back")
    if back is None:
        return []
    out = []
    for i, ref in enumerate(back.iter("ref"), start=1):
        field = f"ref-list/ref[{i}]"
        try:
            found = _reference(a, ref, field)
        except RecordError as e:
            a.warn(field, f"{e.problem}; the reference is left out")
            continue
        if found is not None:
            out.append(found)
    return out


def _reference(a: ArticleContext, ref: Any, field: str) -> Reference | None:
    label = (ref.get("id") or "").strip()
    if not label and ref.find("label") is not None:
        label = a.text(ref.find("label"), f"{field}/label")
    out = Reference(label=label or None)
    for pid in ref.iter("pub-id"):
        kind = (pid.get("pub-id-type") or "").strip().lower()
        if kind == "doi" and out.doi is None:
            out.doi = fields.optional_id(a, f"{field}/pub-id", a.text(pid, field), "doi")
        elif kind == "pmid" and out.pmid is None:
            pmid = a.text(pid, f"{field}/pub-id")
            if pmid.isdigit():
                out.pmid = pmid.lstrip("0") or "0"
            else:
                a.warn(f"{field}/pub-id", f"PubMed id {pmid!r} is not a number; left out")
    citation = _citation(ref)
    if citation is not None:
        out.text = _text(a, citation, field, out.doi)
    if out.doi is None and out.pmid is None and out.text is None:
        a.warn(field, "the reference names no work (no DOI, PMID or text); left out")
        return None
    return out


def _citation(ref: Any) -> Any:
    """The citation element to read: a mixed one where the ref gives one, else the first."""
    found = [el for el in ref.iter() if isinstance(el.tag, str) and el.tag in _CITATIONS]
    for el in found:
        if el.tag in _MIXED and _is_mixed(el):
            return el
    return found[0] if found else None


def _is_mixed(el: Any) -> bool:
    """Whether the citation holds text of its own between its elements (punctuation)."""
    if (el.text or "").strip():
        return True
    return any((child.tail or "").strip() for child in el)


def _text(a: ArticleContext, el: Any, field: str, doi: str | None) -> str | None:
    if _is_mixed(el):  # as printed; a space the markup left before punctuation dropped
        return _SPACE_BEFORE_STOP.sub(r"\1", a.text(el, field)) or None
    return assemble(
        author=_names(a, el, field),
        year=_part(a, el, "year", field),
        title=_part(a, el, "article-title", field)
        or _part(a, el, "chapter-title", field)
        or _part(a, el, "data-title", field),
        container=_part(a, el, "source", field),
        volume=_part(a, el, "volume", field),
        issue=_part(a, el, "issue", field),
        pages=_pages(a, el, field),
        doi=doi,
    )


def _part(a: ArticleContext, el: Any, tag: str, field: str) -> str | None:
    part = el.find(tag)
    return a.text(part, field) or None if part is not None else None


def _pages(a: ArticleContext, el: Any, field: str) -> str | None:
    first = _part(a, el, "fpage", field)
    last = _part(a, el, "lpage", field)
    if first and last and last != first:
        return f"{first}-{last}"
    return first or _part(a, el, "elocation-id", field)


def _names(a: ArticleContext, el: Any, field: str) -> str | None:
    """The authors (the first person-group, or names directly in the citation)."""
    groups = el.findall("person-group")
    authors = [g for g in groups if (g.get("person-group-type") or "author") == "author"]
    holder = authors[0] if authors else (groups[0] if groups else el)
    names = []
    for child in holder:
        tag = local_name(child.tag) if isinstance(child.tag, str) else ""
        if tag == "name":
            parts = (_part(a, child, "surname", field), _part(a, child, "given-names", field))
            name = " ".join(p for p in parts if p)
        elif tag in ("string-name", "collab"):
            name = a.text(child, field)
        elif tag == "etal":
            name = "et al."
        else:
            continue
        if name:
            names.append(name)
    return ", ".join(names) or None


__all__ = ["references"]
