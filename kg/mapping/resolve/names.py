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


# for keys across scripts, ё as the schemes that write its iota do ("yo", "jo")
_CYRILLIC_IOTA = {**_CYRILLIC, "ё": "io"}


def _latin(text: str, table: dict[str, str] = _CYRILLIC) -> str:
    """Lower case, accents removed, Cyrillic transliterated."""
    text = text.casefold()
    if re.search("[\u0400-\u04ff]", text):
        text = "".join(table.get(c, c) for c in text)
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


# Letter groups that the transliteration schemes of Russian disagree on, and the one
# letter each stands for in a match key (see :func:`match_key`)
_GROUPS = {
    "shch": "s",
    "shh": "s",
    "sh": "s",
    "zh": "z",
    "kh": "h",
    "x": "h",
    "ch": "c",
    "ts": "c",
    "y": "i",
    "j": "i",
}
_GROUP = re.compile("|".join(_GROUPS))
_DOUBLE = re.compile(r"([^aeou])\1+")  # doubled vowels are as the source wrote them
_IOTATED = re.compile(r"i+(?=[aeou])")
_CYRILLIC_TEXT = re.compile("[\u0400-\u04ff]")


def has_cyrillic(text: str | None) -> bool:
    """Whether ``text`` holds a Cyrillic letter."""
    return text is not None and _CYRILLIC_TEXT.search(text) is not None


def _skeleton(word: str) -> str:
    word = _DOUBLE.sub(r"\1", word).replace("cz", "c")
    word = _GROUP.sub(lambda m: _GROUPS[m.group()], word).replace("sc", "s").replace("tc", "c")
    word = _DOUBLE.sub(r"\1", word).replace("io", "e")
    return _DOUBLE.sub(r"\1", _IOTATED.sub("", word))


@lru_cache(maxsize=65536)
def match_words(text: str | None) -> tuple[str, ...]:
    """A name's words as a key that Cyrillic and its Latin transliterations share.

    The Cyrillic is transliterated, the Latin folded to ASCII, and the letter groups
    that the schemes Russian records use (GOST 7.79-2000 A and B, ISO 9, BGN/PCGN,
    ALA-LC, ICAO Doc 9303 / MVD 310, GOST R 52535.1) write differently are collapsed:
    ``Карташова``, ``Kartashova`` and ``Kartašova`` all give ``("kartasova",)``. The
    key is only for matching: it is never shown nor written.

    >>> match_words("Карташова"), match_words("Kartašova"), match_words("Iuliia")
    (('kartasova',), ('kartasova',), ('ula',))
    """
    if not text:
        return ()
    words = (
        re.sub(r"[^a-z0-9]", "", w) for w in re.split(r"[\s\-‐-―]+", _latin(text, _CYRILLIC_IOTA))
    )
    # an initial keeps its letter: "Y." is not "I." (И is never Y)
    return tuple(w if len(w) == 1 else _skeleton(w) for w in words if w)


def match_initial(initial: str) -> str:
    """The first letter of a given name as keys across scripts compare it in a
    co-author's code (``y`` and ``j`` as ``i``, as in a name: ``Yu.`` and ``Iu.``)."""
    return _skeleton(initial)[:1]


def match_key(text: str | None) -> str:
    """A family name as :func:`match_words`, its words joined by spaces."""
    return " ".join(match_words(text))


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


# What each letter of a key across scripts may have been written as, Latin or
# Cyrillic (a regular expression, matched ignoring case): see :func:`name_pattern`
_MARKS = "[\u0300-\u036f]*"  # combining marks: accents, the tie of ALA-LC's "i͡a"
_SIGNS = "[ʹʺ'’`\"”·ьъ]*"
_IOTA = f"(?:[iyjĭȳìíïиыйі]{_MARKS}{_SIGNS})*"
_SPELLINGS = {
    "a": f"{_IOTA}(?:[aâäàáāая])",
    "e": f"{_IOTA}(?:[eëèėéēоoöеёэє])",
    "i": "(?:[iyjĭȳìíïиыйіїĭ])",
    "o": "(?:[oоö])",
    "u": f"{_IOTA}(?:[uûüūŭую])",
    "s": "(?:shch|shh|sch|sh|šč|sč|сч|[sšŝśсшщ])",
    "c": "(?:t*(?:ch|t͡s|ts|tc|cz|[cčć])|т?[цч]|тс)",
    "z": "(?:zh|[zžźзж])",
    "h": "(?:kh|[hxх])",
    "g": "[gгґ]",
    "b": "[bб]",
    "v": "[vwв]",
    "d": "[dд]",
    "k": "[kк]",
    "l": "[lл]",
    "m": "[mм]",
    "n": "[nн]",
    "p": "[pп]",
    "r": "[rр]",
    "t": "[tт]",
    "f": "[fф]",
}


@lru_cache(maxsize=1024)
def name_pattern(text: str) -> str:
    """A regular expression (to match ignoring case) that finds ``text`` in a name
    written in Cyrillic or in any Latin transliteration whose key across scripts
    (:func:`match_words`) holds the text's key, for searches by name.

    >>> import re
    >>> p = name_pattern("Kartashova")
    >>> [bool(re.search(p, n, re.I)) for n in ("Карташова А. А.", "KARTAŠOVA", "Kartova")]
    [True, True, False]
    """
    parts = []
    for word in match_words(text):
        letters = []
        for c in word:
            spelled = _SPELLINGS.get(c, re.escape(c))
            letters.append(f"(?:{spelled}{_MARKS}{_SIGNS})+")
        parts.append("".join(letters))
    return r"[\s\-.,]+".join(parts) or r"[^\s\S]"  # no letters: nothing more
