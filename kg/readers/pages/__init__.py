"""Journal landing pages: the meta tags of an HTML page, or the text of a page.

:func:`read` reads one file as one page, and one page is one record. Nothing is
fetched: links on the page are kept as they are, never followed.

**HTML** (``.html``, ``.htm``, also gzipped) is read from its ``<meta>`` tags
(Highwire Press and Dublin Core): kg/readers/pages/html.py says which, and how.
**Text** (``.txt``, also gzipped) is read as the plain-text layout of the pages
of *Liberal Arts in Russia* (libartrus.com): kg/readers/pages/libartrus.py.
What both share is in kg/readers/pages/common.py.

Either way, a title shown as ``RETRACTED: X`` gives the title ``X``, the shown
title, and a retracted status whose source is the page's URL (else the
journal, by title). A file larger than :data:`MAX_PAGE_BYTES`, binary data,
text that does not decode, a page cut off before its ``<head>`` ends, and a
control character in a value give one reject each (naming the tag), never a
traceback; a page cut off after its head still gives its record, with a
warning.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from kg.errors import Location, RecordError
from kg.readers.base import ReadResult, Reject, open_binary, syntax_of
from kg.readers.pages.common import RAW_CHARS
from kg.readers.pages.html import read_html
from kg.readers.pages.libartrus import read_text_page

__all__ = ["MAX_PAGE_BYTES", "RECORD", "read"]

# A landing page is a few hundred kilobytes; a file larger than this is not one
# (or is a dump kg should not load whole into memory) and is rejected unread.
MAX_PAGE_BYTES = 16 * 1024 * 1024
RECORD = "page"  # the record label in messages: "file.html: page: field '...': ..."


def read(path: Path, name: str, html: bool | None = None) -> Iterator[ReadResult]:
    """Read one landing page (HTML meta tags, or the text layout) as one record.

    ``name`` is the file's display name for messages; ``html`` whether it is HTML
    (None: as its extension says).
    """
    origin = Location(name, RECORD)
    try:
        with open_binary(path) as f:
            data = f.read(MAX_PAGE_BYTES + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        yield Reject(RecordError(origin, f"the compressed file is cut off or corrupt ({e})"))
        return
    if len(data) > MAX_PAGE_BYTES:
        limit = f"{MAX_PAGE_BYTES // (1024 * 1024)} MiB"
        yield Reject(
            RecordError(
                origin,
                f"the file is larger than {limit}, the limit for a landing page "
                "(MAX_PAGE_BYTES in kg/readers/pages/__init__.py); not read",
            )
        )
        return
    if not data.strip():
        yield Reject(RecordError(origin, "the file is empty"))
        return
    if _looks_binary(data):
        yield Reject(RecordError(origin, "binary data, not a landing page (HTML or text)"))
        return
    is_html = syntax_of(path)[0] == "html" if html is None else html
    try:
        text = _decode_html(data) if is_html else _decode_text(data)
    except ValueError as e:
        yield Reject(RecordError(origin, str(e)))
        return
    try:
        if is_html:
            yield read_html(text, data, origin)
        else:
            yield read_text_page(text, origin)
    except RecordError as e:
        yield Reject(e, text[:RAW_CHARS])


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte-order mark: decoded below
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > len(head) // 100


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes) -> str:
    """The page's text: by its byte-order mark, else UTF-8, else its declared charset."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        m = _CHARSET.search(data[:4096])
        if m is None:
            line = data[: e.start].count(b"\n") + 1
            raise ValueError(
                f"not UTF-8 (byte {e.start}, line {line}) and the page declares no charset"
            ) from None
        charset = m.group(1).decode("ascii")
        try:
            return data.decode(charset, "replace")
        except LookupError:
            raise ValueError(f"the page's charset {charset!r} is unknown") from None


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ValueError(f"not UTF-8 text (byte {e.start}, line {line})") from None
