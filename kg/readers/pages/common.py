"""What the two layouts of a landing page (kg/readers/pages/html.py, kg/readers/pages/libartrus.py)
share: the record being built, its titles, and the retracted status a ``RETRACTED:`` title gives.
"""

from __future__ import annotations

from kg.readers import fields
from kg.readers.context import ReaderContext
from kg.readers.normalize import strip_retracted_prefix
from kg.records import LangText, Record, Source

# how much of a page's text is kept in a reject, to name it
RAW_CHARS = 2000


class PageContext(ReaderContext):
    """A record being built, with the warnings found on the way."""

    def __init__(self, rec: Record) -> None:
        super().__init__(rec.origin)
        self.rec = rec

    def issn(self, fld: str, text: str) -> str | None:
        """An ISSN, or None (with a warning) if ``text`` is not one."""
        return fields.lenient_id(self, fld, text, "issn")


def set_title(p: PageContext, titles: list[LangText]) -> None:
    """Titles, with a ``RETRACTED:`` prefix taken off into the shown title."""
    for text, lang in titles:
        stripped = strip_retracted_prefix(text)
        if stripped is not None:
            p.rec.shown_title = p.rec.shown_title or (text, lang)
        item = (stripped or text, lang)
        if item not in p.rec.titles:
            p.rec.titles.append(item)


def retracted_status(rec: Record) -> None:
    """The ``RETRACTED:`` prefix the page shows is evidence of the status."""
    if rec.url:
        sources = [Source(url=rec.url)]
    elif rec.journal is not None and rec.journal.titles:
        sources = [Source(name=rec.journal.titles[0][0])]
    else:
        sources = []
    fields.retracted_by_title(rec, sources)


def issn_kind(label: str) -> str | None:
    """``print`` or ``online`` for a label such as ``Print``, ``e``, ``Электронная версия``."""
    value = label.strip().lower()
    if value in ("p", "print") or value.startswith(("print ", "печатн")):
        return "print"
    if value in ("e", "online", "electronic", "web") or value.startswith(
        ("online ", "electronic ", "электронн")
    ):
        return "online"
    return None
