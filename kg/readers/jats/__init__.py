"""JATS XML articles (publishers' and PubMed Central files, ``.xml``/``.nxml``) to kg records.

:func:`read` reads a file holding one ``<article>`` (or a PMC ``<pmc-articleset>``
of them) and yields a :class:`~kg.records.Record` per article. Only the front
matter is read (``front/journal-meta`` and ``front/article-meta``); the body,
back matter, references, sub-articles and responses are not mapped.

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

import re
import zlib
from collections.abc import Iterator
from gzip import BadGzipFile
from pathlib import Path
from typing import Any

from lxml import etree

from kg.errors import Location, RecordError
from kg.readers.base import ReadResult, Reject, open_binary
from kg.readers.jats.article import KINDS, parse_article
from kg.readers.jats.related import NOTICES

__all__ = ["KINDS", "MAX_BYTES", "NOTICES", "read"]

# Files larger than this (decompressed) are refused: one JATS article is well under 5 MB.
MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024

_ENTITY_DECL = re.compile(rb"<!ENTITY\b")
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_LIBXML_WHERE = re.compile(r",\s*line \d+, column \d+\s*$")
_ENTITY_PROBLEM = (
    "the document declares entities in its DOCTYPE (<!ENTITY ...>); kg refuses such "
    "documents, which is how entity-expansion bombs ('billion laughs') and external-entity "
    "(XXE) attacks are built: JATS articles do not need them"
)


def read(path: Path, name: str) -> Iterator[ReadResult]:
    """The articles of one JATS file: a Record, Skipped or Reject for each, in order.

    A problem with the file as a whole (too large, not XML, not JATS, entity
    declarations, broken or cut off) ends it with one Reject naming the line.
    """
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
    )
    size = 0
    lines = 1  # the number of the line being read
    ends_line = False
    checked_prolog = False
    root: Any = None
    index = 0
    ns: str | None = None
    with open_binary(path) as f:
        while True:
            try:
                chunk = f.read(_CHUNK)
            except (EOFError, zlib.error, BadGzipFile) as e:
                yield Reject(
                    RecordError(Location(name), f"the compressed file is cut off or corrupt ({e})")
                )
                return
            size += len(chunk)
            lines += chunk.count(b"\n")
            if chunk:
                ends_line = chunk.endswith(b"\n")
            if size > MAX_BYTES:
                yield Reject(
                    RecordError(
                        Location(name),
                        f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                        "kg reads JATS files of up to that size (one article, or a PMC "
                        "article set): split it",
                    )
                )
                return
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
            # the elements completed before an error are still read
            for event, el in parser.read_events():
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
                    el.clear(keep_tail=True)
                    if el is not root:
                        parent = el.getparent()
                        if parent is not None:
                            parent.remove(el)
            if error is not None:
                # cut off: the break is on the last line and nothing follows it
                try:
                    at_end = not chunk or not f.read(1)
                except (EOFError, zlib.error, BadGzipFile):
                    at_end = False
                last = (lines - 1 if ends_line else lines) if at_end else None
                yield Reject(_syntax_error(error, _first_error(path), name, last_line=last))
                return
            if not chunk:
                break
    if index == 0 and root is not None:
        yield Reject(RecordError(Location(name), "the article set holds no <article>"))


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


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
    )


def _first_error(path: Path) -> etree.XMLSyntaxError | None:
    """The first well-formedness error of the file, from a whole-file parse.

    The incremental parser sometimes reports only a generic "no element found"
    at the end; parsing the file again (it is no larger than MAX_BYTES, and its
    DOCTYPE declares no entities) gives the error where it really is.
    """
    try:
        with open_binary(path) as f:
            etree.parse(f, _safe_parser())
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
