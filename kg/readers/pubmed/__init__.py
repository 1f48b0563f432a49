"""PubMed XML (``<PubmedArticleSet>``: what E-utilities efetch and the annual
baseline and update files give) to kg records.

:func:`read` streams a file article by article: each ``<PubmedArticle>`` is
read when its end tag is parsed, turned into a :class:`~kg.records.Record`
(kg/readers/pubmed/article.py) and cleared, so a baseline file of 30,000
articles is read in the memory of one. The older ``<MedlineCitationSet>`` of
``<MedlineCitation>`` elements is read the same way. ``<PubmedBookArticle>``
(NCBI Bookshelf chapters) is skipped and counted; ``<DeleteCitation>`` (the
update files' list of PMIDs to delete) holds no records and is passed over.

Safety. As for JATS (kg/readers/jats/): lxml with ``resolve_entities=False,
no_network=True, load_dtd=False, huge_tree=False``: nothing is fetched, no
DTD is loaded, no entity is expanded; a DOCTYPE that declares entities of its
own is refused before anything is read. A named entity the DTD would define is
read from the HTML5 table (kg/readers/jats/text.py). A broken article is one
reject naming it (``article 3 (line 120) [PMID 12345]``) and the element; a
file that is not well-formed or is cut off gives the articles before the break
and one reject naming the line.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from gzip import BadGzipFile
from pathlib import Path
from typing import Any

from lxml import etree

from kg.errors import Location, RecordError
from kg.readers.base import ReadResult, Reject, Skipped, open_binary
from kg.readers.pubmed.article import parse_article

__all__ = ["ROOTS", "read"]

# root element -> the elements under it that are records
ROOTS = {
    "PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle"),
    "PubmedArticle": ("PubmedArticle",),
    "MedlineCitationSet": ("MedlineCitation",),
}
_CHUNK = 64 * 1024
_ENTITY_DECL = re.compile(rb"<!ENTITY\b")
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_LIBXML_WHERE = re.compile(r",\s*line \d+, column \d+\s*$")
_ENTITY_PROBLEM = (
    "the document declares entities in its DOCTYPE (<!ENTITY ...>); kg refuses such "
    "documents, which is how entity-expansion bombs ('billion laughs') and external-entity "
    "(XXE) attacks are built: PubMed XML does not need them"
)


def _parser_settings() -> dict[str, Any]:
    """The safe settings kg parses XML with (the same as JATS's)."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "dtd_validation": False,
    }


def read(path: Path, name: str) -> Iterator[ReadResult]:
    """The articles of one PubMed XML file: a Record, Skipped or Reject for each, in order."""
    parser = etree.XMLPullParser(events=("start", "end"), **_parser_settings())
    lines = 1
    ends_line = False
    tail = b""  # the last bytes read
    checked_prolog = False
    root: Any = None
    records: tuple[str, ...] = ()
    index = 0
    with open_binary(path) as f:
        while True:
            try:
                chunk = f.read(_CHUNK)
            except (EOFError, zlib.error, BadGzipFile) as e:
                yield Reject(
                    RecordError(Location(name), f"the compressed file is cut off or corrupt ({e})")
                )
                return
            lines += chunk.count(b"\n")
            if chunk:
                ends_line = chunk.endswith(b"\n")
                tail = (tail + chunk)[-256:]
            if not checked_prolog:
                declared = _entity_declaration(chunk)
                if declared is not None:
                    yield Reject(RecordError(Location(name, declared), _ENTITY_PROBLEM))
                    return
                checked_prolog = True
            error: etree.XMLSyntaxError | None = None
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except etree.XMLSyntaxError as e:
                error = e
            # the articles completed before an error are still read
            for event, el in parser.read_events():
                if event == "start" and root is None:
                    root = el
                    wrong = _check_root(el)
                    if wrong is not None:
                        where = f"line {el.sourceline}" if el.sourceline else None
                        yield Reject(RecordError(Location(name, where), wrong))
                        return
                    records = ROOTS[_local(el.tag)]
                elif event == "end" and _is_record(el, root, records):
                    index += 1
                    yield _record(el, name, index)
                    el.clear(keep_tail=True)
                    if el is not root:
                        parent = el.getparent()
                        if parent is not None:
                            parent.remove(el)
                elif event == "end" and el is not root and el.getparent() is root:
                    if _local(root.tag) != "PubmedArticle":
                        el.clear(keep_tail=True)  # DeleteCitation and the like: not records
                        root.remove(el)
            if error is not None:
                try:
                    at_end = not chunk or not f.read(1)
                except (EOFError, zlib.error, BadGzipFile):
                    at_end = False
                # a file that ends with its root's end tag is broken, not cut off
                closed = root is not None and tail.rstrip().endswith(
                    b"</" + _local(root.tag).encode() + b">"
                )
                last = (lines - 1 if ends_line else lines) if at_end and not closed else None
                yield Reject(_syntax_error(error, _first_error(path), name, last_line=last))
                return
            if not chunk:
                break
    if index == 0 and root is not None:
        yield Reject(RecordError(Location(name), "the file holds no <PubmedArticle>"))


def _record(el: Any, name: str, index: int) -> ReadResult:
    line = el.sourceline
    label = f"article {index} (line {line})" if line else f"article {index}"
    tag = _local(el.tag)
    if tag == "PubmedBookArticle":
        pmid = (el.findtext("BookDocument/PMID") or "").strip()
        return Skipped("PubMed book article", Location(name, _with_pmid(label, pmid)))
    citation = el if tag == "MedlineCitation" else el.find("MedlineCitation")
    pmid = (citation.findtext("PMID") or "").strip() if citation is not None else ""
    origin = Location(name, _with_pmid(label, pmid))
    return parse_article(el, origin)


def _with_pmid(label: str, pmid: str) -> str:
    return f"{label} [PMID {pmid}]" if pmid.isdigit() else label


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _is_record(el: Any, root: Any, records: tuple[str, ...]) -> bool:
    if _local(el.tag) not in records:
        return False
    return el is root or el.getparent() is root


def _entity_declaration(head: bytes) -> str | None:
    """Where (``line N``) the document's DOCTYPE declares an entity, from its first bytes."""
    start = _ROOT_START.search(head)
    prolog = head[: start.start()] if start else head
    m = _ENTITY_DECL.search(prolog)
    if m is None:
        return None
    line = prolog.count(b"\n", 0, m.start()) + 1
    return f"line {line}"


def _check_root(el: Any) -> str | None:
    """Why the document is not one kg reads, checked at its first element; or None."""
    dtd = el.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return _ENTITY_PROBLEM
    local = _local(el.tag)
    if local not in ROOTS:
        return (
            f"not PubMed XML: the root element is <{local}> "
            "(kg reads <PubmedArticleSet>, or a <MedlineCitationSet>)"
        )
    return None


def _first_error(path: Path) -> etree.XMLSyntaxError | None:
    """The first well-formedness error of the file, from a second streaming parse.

    The incremental parser sometimes reports only a generic "no element found"
    at the end; parsing again (in bounded memory: elements are cleared) gives
    the error where it really is.
    """
    try:
        with open_binary(path) as f:
            for _, el in etree.iterparse(f, events=("end",), **_parser_settings()):
                el.clear(keep_tail=True)
    except etree.XMLSyntaxError as e:
        return e
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _syntax_error(
    e: etree.XMLSyntaxError,
    first: etree.XMLSyntaxError | None,
    name: str,
    *,
    last_line: int | None,
) -> RecordError:
    """The reject for a file that is not well-formed; ``last_line`` is the file's last
    line when the file was read to its end."""
    if first is not None and first.lineno:
        e = first
    msg = _LIBXML_WHERE.sub("", str(e.msg or e))
    line = e.lineno or 0
    col = e.position[1] if e.position else 0
    where = f"line {line}" if line else None
    if "amplification" in msg or ("entity" in msg.lower() and "loop" in msg.lower()):
        return RecordError(Location(name, where), _ENTITY_PROBLEM)
    if "Start tag expected" in msg or "Document is empty" in msg:
        return RecordError(Location(name, where), f"not an XML document: {msg}")
    if line == 0:
        return RecordError(Location(name), "the file is empty or holds no XML element")
    truncated = last_line is not None and line >= last_line
    if truncated and not ("mismatch" in msg or "Extra content" in msg):
        return RecordError(
            Location(name, where),
            f"the file ends before the document does (truncated?): {msg}",
        )
    return RecordError(Location(name, where), f"broken XML at line {line}, column {col}: {msg}")
