"""PubMed XML (``<PubmedArticleSet>``: what E-utilities efetch and the annual
baseline and update files give) to kg records.

:func:`read` streams a file article by article: each ``<PubmedArticle>`` is
read when its end tag is parsed, turned into a :class:`~kg.records.Record`
(kg/readers/pubmed/article.py) and cleared, so a baseline file of 30,000
articles is read in the memory of one. The older ``<MedlineCitationSet>`` of
``<MedlineCitation>`` elements is read the same way. ``<PubmedBookArticle>``
(NCBI Bookshelf chapters) is skipped and counted; ``<DeleteCitation>`` (the
update files' list of PMIDs to delete) holds no records and is passed over.

Safety. As for JATS, through kg/readers/xmlstream.py: lxml with ``resolve_entities=False,
no_network=True, load_dtd=False, huge_tree=False``: nothing is fetched, no
DTD is loaded, no entity is expanded; a DOCTYPE that declares entities of its
own is refused before anything is read. A named entity the DTD would define is
read from the HTML5 table (kg/readers/jats/text.py). A broken article is one
reject naming it (``article 3 (line 120) [PMID 12345]``) and the element; a
file that is not well-formed or is cut off gives the articles before the break
and one reject naming the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import Location, RecordError
from kg.readers.base import ReadResult, Reject, Skipped
from kg.readers.pubmed.article import parse_article
from kg.readers.xmlstream import declares_entities, drop, entity_problem, events, local

__all__ = ["ROOTS", "read"]

# root element -> the elements under it that are records
ROOTS = {
    "PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle"),
    "PubmedArticle": ("PubmedArticle",),
    "MedlineCitationSet": ("MedlineCitation",),
}
_ENTITY_PROBLEM = entity_problem("PubMed XML")


def read(path: Path, name: str) -> Iterator[ReadResult]:
    """The articles of one PubMed XML file: a Record, Skipped or Reject for each, in order
    (kg/readers/xmlstream.py reads the file)."""
    root: Any = None
    records: tuple[str, ...] = ()
    index = 0
    for item in events(path, name, problem=_ENTITY_PROBLEM):
        if isinstance(item, Reject):
            yield item
            return
        event, el = item
        if event == "start" and root is None:
            root = el
            wrong = _check_root(el)
            if wrong is not None:
                where = f"line {el.sourceline}" if el.sourceline else None
                yield Reject(RecordError(Location(name, where), wrong))
                return
            records = ROOTS[local(el.tag)]
        elif event == "end" and _is_record(el, root, records):
            index += 1
            yield _record(el, name, index)
            drop(el, root)
        elif event == "end" and el is not root and el.getparent() is root:
            if local(root.tag) != "PubmedArticle":
                drop(el, root)  # DeleteCitation and the like: not records
    if index == 0 and root is not None:
        yield Reject(RecordError(Location(name), "the file holds no <PubmedArticle>"))


def _record(el: Any, name: str, index: int) -> ReadResult:
    line = el.sourceline
    label = f"article {index} (line {line})" if line else f"article {index}"
    tag = local(el.tag)
    if tag == "PubmedBookArticle":
        pmid = (el.findtext("BookDocument/PMID") or "").strip()
        return Skipped("PubMed book article", Location(name, _with_pmid(label, pmid)))
    citation = el if tag == "MedlineCitation" else el.find("MedlineCitation")
    pmid = (citation.findtext("PMID") or "").strip() if citation is not None else ""
    origin = Location(name, _with_pmid(label, pmid))
    return parse_article(el, origin)


def _with_pmid(label: str, pmid: str) -> str:
    return f"{label} [PMID {pmid}]" if pmid.isdigit() else label


def _is_record(el: Any, root: Any, records: tuple[str, ...]) -> bool:
    if local(el.tag) not in records:
        return False
    return el is root or el.getparent() is root


def _check_root(el: Any) -> str | None:
    """Why the document is not one kg reads, checked at its first element; or None."""
    if declares_entities(el):
        return _ENTITY_PROBLEM
    root = local(el.tag)
    if root not in ROOTS:
        return (
            f"not PubMed XML: the root element is <{root}> "
            "(kg reads <PubmedArticleSet>, or a <MedlineCitationSet>)"
        )
    return None
