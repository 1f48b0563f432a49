"""Safe, streaming XML for the readers of XML records (JATS, PubMed XML).

lxml parses with ``resolve_entities=False, no_network=True, load_dtd=False,
huge_tree=False``: nothing is fetched, no DTD is loaded, no entity is expanded.
A document whose DOCTYPE declares entities of its own (the shape of "billion
laughs" bombs and XXE attacks) is refused before any of it is used.
:func:`events` reads a file chunk by chunk and yields its elements as they
start and end, so a reader handles a record when its end tag is parsed and
clears it; a file that is not well-formed, is cut off or is too large ends with
one :class:`~kg.readers.base.Reject` naming the line, after the elements
completed before the break.
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
from kg.readers.base import Reject, open_binary

SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
}
_CHUNK = 64 * 1024
_ENTITY_DECL = re.compile(rb"<!ENTITY\b")
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_LIBXML_WHERE = re.compile(r",\s*line \d+, column \d+\s*$")


def entity_problem(what: str) -> str:
    """The reject's words for a document that declares entities (``what``: JATS articles)."""
    return (
        "the document declares entities in its DOCTYPE (<!ENTITY ...>); kg refuses such "
        "documents, which is how entity-expansion bombs ('billion laughs') and external-entity "
        f"(XXE) attacks are built: {what} do not need them"
    )


def local(tag: object) -> str:
    """An element's tag without its namespace ("" for comments and the like)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def declares_entities(el: Any) -> bool:
    """Whether the document of ``el`` declares entities in its internal DTD subset."""
    dtd = el.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def events(
    path: Path, name: str, *, problem: str, max_bytes: int | None = None, too_large: str = ""
) -> Iterator[tuple[str, Any] | Reject]:
    """``("start", el)`` and ``("end", el)`` for the elements of the file, in order; then,
    where the file is broken, cut off, larger than ``max_bytes`` (the reject says
    ``too_large``) or declares entities (``problem``), one Reject, and nothing more."""
    parser = etree.XMLPullParser(events=("start", "end"), **SAFE)
    size = 0
    lines = 1  # the number of the line being read
    ends_line = False
    tail = b""  # the last bytes read
    checked_prolog = False
    root: Any = None
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
                tail = (tail + chunk)[-256:]
            if max_bytes is not None and size > max_bytes:
                yield Reject(RecordError(Location(name), too_large))
                return
            if not checked_prolog:
                declared = _entity_declaration(chunk)
                if declared is not None:
                    yield Reject(RecordError(Location(name, declared), problem))
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
                if root is None:
                    root = el
                yield event, el
            if error is not None:
                try:
                    at_end = not chunk or not f.read(1)
                except (EOFError, zlib.error, BadGzipFile):
                    at_end = False
                # cut off: the break is on the last line and nothing follows it; a file
                # that ends with its root's end tag is broken, not cut off
                closed = root is not None and tail.rstrip().endswith(
                    b"</" + local(root.tag).encode() + b">"
                )
                last = (lines - 1 if ends_line else lines) if at_end and not closed else None
                first = _first_error(path)
                yield Reject(_syntax_error(error, first, name, last_line=last, problem=problem))
                return
            if not chunk:
                return


def drop(el: Any, root: Any) -> None:
    """Free a handled element: clear it and take it out of its parent."""
    el.clear(keep_tail=True)
    if el is not root:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _entity_declaration(head: bytes) -> str | None:
    """Where (``line N``) the document's DOCTYPE declares an entity, from its first bytes."""
    start = _ROOT_START.search(head)
    prolog = head[: start.start()] if start else head
    m = _ENTITY_DECL.search(prolog)
    if m is None:
        return None
    line = prolog.count(b"\n", 0, m.start()) + 1
    return f"line {line}"


class _Discard:
    """A parser target that keeps nothing: the second parse costs no memory."""

    def start(self, tag: Any, attrib: Any) -> None:
        pass

    def end(self, tag: Any) -> None:
        pass

    def data(self, data: Any) -> None:
        pass

    def close(self) -> None:
        return None


def _first_error(path: Path) -> etree.XMLSyntaxError | None:
    """The first well-formedness error of the file, from a second parse that builds no tree.

    The incremental parser sometimes reports only a generic "no element found"
    at the end; parsing again with a target that keeps nothing gives the error
    where it really is, in bounded memory.
    """
    parser = etree.XMLParser(target=_Discard(), **SAFE)
    try:
        with open_binary(path) as f:
            while chunk := f.read(_CHUNK):
                parser.feed(chunk)
            parser.close()
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
    problem: str,
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
        return RecordError(Location(name, where), problem)
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
