"""Statuses from a JATS article's ``related-article`` links: the works a notice
(a retraction, correction or expression of concern) gives a status, or the
notice an article links forward to.
"""

from __future__ import annotations

from typing import Any

from kg import ids
from kg.readers.jats.text import ArticleContext
from kg.records import Notice, Record, Source, Status, Update

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# notice @article-type -> (status given to the related article, reason, related-article types)
NOTICES: dict[str, tuple[str, str | None, frozenset[str]]] = {
    "retraction": ("retracted", None, frozenset({"retracted-article"})),
    "partial-retraction": (
        "corrected",
        "Partial retraction",
        frozenset({"partial-retraction", "retracted-article"}),
    ),
    "correction": ("corrected", None, frozenset({"corrected-article"})),
    "erratum": ("corrected", None, frozenset({"corrected-article"})),
    "corrigendum": ("corrected", None, frozenset({"corrected-article"})),
    "expression-of-concern": (
        "expression-of-concern",
        None,
        frozenset({"object-of-concern", "expression-of-concern"}),
    ),
}
# related-article types on an article that point to the notice about it
_FORWARD = {"retraction-forward": "retracted", "correction-forward": "corrected"}


def related(a: ArticleContext, meta: Any, rec: Record, article_type: str) -> None:
    """Statuses from ``related-article``: a notice's updates, or a forward link to a notice."""
    notice = NOTICES.get(article_type)
    for i, rel in enumerate(meta.iter("related-article")):
        field = f"related-article[{i + 1}]"
        rtype = (rel.get("related-article-type") or "").strip().lower()
        if notice is not None and rtype in notice[2]:
            target = _related_doi(a, rel, field)
            if target is None:
                continue
            if target == rec.doi:
                a.warn(field, "the notice names itself; left out")
                continue
            status_kind, reason, _ = notice
            if rec.doi is None:
                a.warn(
                    field,
                    "the notice has no DOI of its own, so kg records the status without it",
                )
            status = Status(
                status_kind,
                date=rec.date,
                notice=Notice(doi=rec.doi) if rec.doi else None,
                reasons=[reason] if reason else [],
                sources=[Source(doi=rec.doi, name="publisher")]
                if rec.doi
                else [Source(name="publisher")],
            )
            rec.updates.append(Update(target, status))
        elif rtype in _FORWARD:
            target = _related_doi(a, rel, field)
            if target is not None:
                rec.statuses.append(
                    Status(
                        _FORWARD[rtype],
                        notice=Notice(doi=target),
                        sources=[Source(doi=target, name="publisher")],
                    )
                )
    if notice is not None and not rec.updates:
        a.warn(
            "related-article",
            f"this {article_type} notice names no {'/'.join(sorted(notice[2]))} by DOI; "
            "kg keeps it as a journal article",
        )
        rec.kind = "journal-article"
    elif rec.updates and rec.doi is None and rec.kind != "journal-article":
        # without its own DOI the notice cannot be the node its targets point to
        rec.kind = "journal-article"


def _related_doi(a: ArticleContext, rel: Any, field: str) -> str | None:
    href = (rel.get(XLINK_HREF) or "").strip()
    link_type = (rel.get("ext-link-type") or "").strip().lower()
    if not href:
        a.warn(field, "the related article has no xlink:href; left out")
        return None
    doi = ids.normalize_doi(href)
    if doi is None:
        a.warn(
            field,
            f"the related article is named by {link_type or 'a link'} {href!r}, not a DOI; "
            "kg links works by DOI, so it is left out",
        )
    return doi
