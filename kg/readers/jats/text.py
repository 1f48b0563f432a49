"""The text of JATS elements: inline markup dropped, paragraphs kept apart, named
character entities (which kg does not expand from the DTD) read from the HTML5 table.

:class:`ArticleContext` reads one article's elements as text, with the warnings
found on the way; kg/readers/jats/article.py maps the article's fields with it.
"""

from __future__ import annotations

import html.entities
from typing import Any

from lxml import etree

from kg.errors import Location
from kg.readers.context import ReaderContext
from kg.readers.normalize import clean_text, language_tag, squeeze

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MATHML = "http://www.w3.org/1998/Math/MathML"
# elements whose text is not part of the text around them (footnote markers, labels)
NOT_TEXT = frozenset({"xref", "fn", "label", "object-id", "contrib-group", "alt-text"})
# elements that start a new paragraph in an abstract
_BLOCKS = frozenset(
    {"p", "sec", "title", "list", "list-item", "disp-quote", "def-list", "def-item", "statement"}
)
_BREAK = "\u2029"  # a paragraph break while gathering text (U+2029 PARAGRAPH SEPARATOR)


class ArticleContext(ReaderContext):
    """Reads one article's front matter, keeping the origin and warnings."""

    def __init__(self, el: Any, origin: Location) -> None:
        super().__init__(origin)
        self.el = el

    def text(self, el: Any, field: str, skip: frozenset[str] = NOT_TEXT) -> str:
        """The element's text on one line, markup dropped; '' if none."""
        parts: list[str] = []
        self._gather(el, parts, skip, field, blocks=False)
        return self._clean(field, "".join(parts))

    def paragraphs(self, el: Any, field: str, skip: frozenset[str] = NOT_TEXT) -> list[str]:
        """The element's paragraphs, each on one line, markup dropped."""
        parts: list[str] = []
        self._gather(el, parts, skip, field, blocks=True)
        out = []
        for para in "".join(parts).split(_BREAK):
            text = self._clean(field, para)
            if text:
                out.append(text)
        return out

    def _clean(self, field: str, text: str) -> str:
        return self.read(field, clean_text, squeeze(text))

    def _gather(
        self, el: Any, out: list[str], skip: frozenset[str], field: str, *, blocks: bool
    ) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                local = local_name(tag)
                if local in skip:
                    pass
                elif local == "alternatives":
                    chosen = _alternative(child)
                    if chosen is not None:
                        self._gather(chosen, out, skip, field, blocks=blocks)
                elif blocks and local in _BLOCKS:
                    out.append(_BREAK)
                    self._gather(child, out, skip, field, blocks=blocks)
                    out.append(_BREAK)
                elif local == "break":
                    out.append(" ")
                else:
                    self._gather(child, out, skip, field, blocks=blocks)
            elif tag is etree.Entity:
                char = html.entities.html5.get(f"{child.name};")
                if char is None:
                    self.warn(
                        field,
                        f"the entity &{child.name}; is defined only in the DTD, which kg "
                        "does not load; left out",
                    )
                else:
                    out.append(char)
            # comments and processing instructions add no text, only their tail
            if child.tail:
                out.append(child.tail)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _alternative(el: Any) -> Any:
    """The one of ``<alternatives>`` to read: MathML, else the first that is not a graphic."""
    children = [c for c in el if isinstance(c.tag, str)]
    for c in children:
        if c.tag == f"{{{_MATHML}}}math":
            return c
    for c in children:
        if local_name(c.tag) not in ("graphic", "inline-graphic", "media"):
            return c
    return None


def lang_of(el: Any, default: str) -> str:
    value = el.get(XML_LANG)
    if not value:
        return default
    try:
        return language_tag(value)
    except ValueError:
        return default
