"""Names as entity resolution compares them: organisations, family names, given names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch  y  e yu ya i i e g".split(
            " "
        ),
        strict=True,
    )
)
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "natl": "national",
    "nat": "national",
    "dept": "department",
    "coll": "college",
    "acad": "academy",
    "hosp": "hospital",
    "ctr": "center",
    "centre": "center",
    "lab": "laboratory",
    "labs": "laboratories",
}
_ENDINGS = re.compile(r"(?<=[a-z])(?:iy|ij|yi|yy)\b")


def _latin(text: str) -> str:
    """Lower case, accents removed, Cyrillic transliterated."""
    text = text.casefold()
    if re.search("[\u0400-\u04ff]", text):
        text = "".join(_CYRILLIC.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """The normalised form of an organisation's name that kg compares.

    >>> org_key("The Tomsk Polytechnic Univ.")
    'tomsk polytechnic university'
    >>> org_key("Томский политехнический университет")
    'tomskii politekhnicheskii universitet'
    """
    text = _latin(name).replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    if words and words[0] == "the":
        words = words[1:]
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    return _ENDINGS.sub("ii", " ".join(words))


@lru_cache(maxsize=65536)
def family_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _latin(text)))


@lru_cache(maxsize=65536)
def given_parts(text: str | None) -> tuple[str, ...]:
    """Given names as words: ``"A. A."`` -> ``("a", "a")``, ``"Anna-Maria"`` -> two words."""
    if not text:
        return ()
    return tuple(w for w in re.findall(r"[a-z]+", _latin(text)))


def compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names that may be the same person's: initials match, full names are equal."""
    if not a or not b:
        return False
    for x, y in zip(a, b, strict=False):
        if len(x) > 1 and len(y) > 1:
            if x != y:
                return False
        elif x[0] != y[0]:
            return False
    return True
