"""JATS XML articles (publishers' and PubMed Central files, ``.xml``/``.nxml``) to kg records.

:func:`read` reads a file holding one ``<article>`` (or a PMC ``<pmc-articleset>``
of them) and yields a :class:`~kg.records.Record` per article. The front
matter is read (``front/journal-meta`` and ``front/article-meta``), and the
reference list (``back/ref-list``); the body, the rest of the back matter,
sub-articles and responses are not mapped.

Safety. The file is parsed with lxml, incrementally, with
``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``:
nothing is fetched, no DTD is loaded, no entity is expanded. A document whose
DOCTYPE declares entities of its own (``<!DOCTYPE article [<!ENTITY ...>]>``:
the shape of "billion laughs" entity bombs and XXE attacks that read local
files) is rejected before any of it is used. Files larger than
:data:`MAX_BYTES` (after decompression) are rejected. A malformed or cut-off
file gives the articles before the break and one reject naming the line.

Named character entities. JATS files declare the JATS (or NLM) DTD, which
defines entities such as ``&nbsp;`` or ``&eacute;``. kg does not load that
DTD, so lxml keeps such references unexpanded; kg reads them from the HTML5
table of named characters (which holds the ISO 8879 and MathML sets the DTD
uses) and leaves out, with a warning, a name that is not there. A file with
no DOCTYPE that uses a named entity is not well-formed XML and is rejected.

The article's fields are read in kg/readers/jats/article.py (its docstring and
docs/sources.md have the table), their text in kg/readers/jats/text.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from kg.errors import Location, RecordError
from kg.readers.base import ReadResult, Reject
from kg.readers.jats.article import KINDS, parse_article
from kg.readers.jats.related import NOTICES
from kg.readers.xmlstream import declares_entities, drop, entity_problem, events

__all__ = ["KINDS", "MAX_BYTES", "NOTICES", "read"]

# Files larger than this (decompressed) are refused: one JATS article is well under 5 MB.
MAX_BYTES = 50 * 1024 * 1024
_ENTITY_PROBLEM = entity_problem("JATS articles")


def read(path: Path, name: str) -> Iterator[ReadResult]:
    """The articles of one JATS file: a Record, Skipped or Reject for each, in order.

    A problem with the file as a whole (too large, not XML, not JATS, entity
    declarations, broken or cut off) ends it with one Reject naming the line
    (kg/readers/xmlstream.py reads the file).
    """
    too_large = (
        f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; kg reads JATS files of up "
        "to that size (one article, or a PMC article set): split it"
    )
    root: Any = None
    index = 0
    ns: str | None = None
    stream = events(path, name, problem=_ENTITY_PROBLEM, max_bytes=MAX_BYTES, too_large=too_large)
    for item in stream:
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
            ns = etree.QName(el).namespace
        elif event == "end" and _is_article(el, root):
            index += 1
            if ns:
                _strip_namespace(el, ns)
            yield parse_article(el, Location(name, f"article {index}"))
            drop(el, root)
    if index == 0 and root is not None:
        yield Reject(RecordError(Location(name), "the article set holds no <article>"))


def _check_root(el: Any) -> str | None:
    """Why the document is not one kg reads, checked at its first element; or None."""
    if declares_entities(el):
        return _ENTITY_PROBLEM
    local = etree.QName(el).localname
    if local not in ("article", "pmc-articleset"):
        return (
            f"not a JATS article: the root element is <{local}> "
            "(kg reads <article>, or a <pmc-articleset> of articles)"
        )
    return None


def _is_article(el: Any, root: Any) -> bool:
    tag = el.tag
    if not isinstance(tag, str) or not (tag == "article" or tag.endswith("}article")):
        return False
    return el is root or el.getparent() is root


def _strip_namespace(article: Any, ns: str) -> None:
    """A JATS article in a default namespace, read as the usual un-namespaced JATS."""
    prefix = "{" + ns + "}"
    for el in article.iter():
        if isinstance(el.tag, str) and el.tag.startswith(prefix):
            el.tag = el.tag[len(prefix) :]
