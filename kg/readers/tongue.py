"""The language of an exported record's texts (RIS ``LA``, BibTeX ``language``), and
Scopus's ``English title [Original title]``."""

from __future__ import annotations

import re

from kg.readers.normalize import language_tag, written_in
from kg.records import LangText

# "English title [Original title]": how Scopus (and Web of Science) give the title of
# a work in another language; not "[Abstract]", "[in Russian]" and the like
_TRANSLATED = re.compile(r"^(?P<main>.*\S)\s*\[(?P<original>[^\[\]]+)\]\s*$")
_NOT_A_TITLE = re.compile(r"^(?:in \w+|abstract|editorial|letter|review|erratum|retracted)$", re.I)


class Tongue:
    """The language tags of a record's texts, from its language field (``LA``, ``language``).

    A text is tagged with the record's language when its script fits that language
    (:func:`written_in`); Scopus gives works in other languages an English title,
    abstract and keywords, so a Scopus record's texts are tagged only when its language
    is English, and its ``English title [Original title]`` becomes two titles. ``und``
    where nothing says.
    """

    def __init__(self, code: str | None, database: str | None) -> None:
        self.code = code
        self.scopus = (database or "").lower().startswith("scopus")

    def tag(self, text: str) -> str:
        code = self.code
        if code is None or (self.scopus and code != "en") or not written_in(code, text):
            return "und"
        return language_tag(code)

    def titles(self, title: str) -> list[LangText]:
        code = self.code
        found = _TRANSLATED.match(title) if self.scopus and code not in (None, "en") else None
        if found is None or _NOT_A_TITLE.match(found["original"].strip()):
            return [(title, self.tag(title))]
        assert code is not None
        main, original = found["main"], found["original"].strip()
        main_tag = "en" if "[" not in main and written_in("en", main) else "und"
        original_tag = language_tag(code) if written_in(code, original) else "und"
        if original_tag == "und":
            return [(title, self.tag(title))]
        return [(main, main_tag), (original, original_tag)]
