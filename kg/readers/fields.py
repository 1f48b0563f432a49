"""Field helpers every reader shares: identifiers (DOI, ISSN, ORCID iD, ROR id),
dates, names (and names and titles given in two scripts), and the retracted status
a ``RETRACTED:`` title gives.

The identifier helpers read a value with :mod:`kg.ids` and say, through the
reader's :class:`~kg.readers.context.ReaderContext`, what is wrong with it: in
the same words whichever format it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kg import ids
from kg.readers.context import ReaderContext
from kg.readers.normalize import has_mojibake, written_in
from kg.records import Record, Source, Status

_NORMALIZE: dict[str, Callable[[str], str | None]] = {
    "doi": ids.normalize_doi,
    "isbn": ids.normalize_isbn,
    "issn": ids.normalize_issn,
    "orcid": ids.normalize_orcid,
    "ror": ids.normalize_ror,
}
_LABELS = {
    "doi": "a DOI",
    "isbn": "an ISBN",
    "issn": "an ISSN",
    "orcid": "an ORCID iD",
    "ror": "a ROR id",
}
_CHECKED = {"isbn", "issn", "orcid", "ror"}  # identifiers with a check digit
ISSN_FORM = "expected NNNN-NNNC"


def check_digits(ctx: ReaderContext, field: str, scheme: str, value: str, prefix: str = "") -> None:
    """Warn if a well-formed ISSN, ORCID iD or ROR id has a wrong check digit (it is kept)."""
    if problem := ids.check_digit_problem(scheme, value):
        ctx.warn(field, prefix + problem)


def optional_id(
    ctx: ReaderContext,
    field: str,
    text: str,
    scheme: str,
    *,
    prefix: str = "",
    shown: str | None = None,
) -> str | None:
    """The identifier (``doi``, ``issn``, ``orcid``, ``ror``) in ``text``; None, with a
    warning naming the value (``shown``, else ``text`` quoted), if it is not one."""
    value = _NORMALIZE[scheme](text)
    if value is None:
        ctx.warn(field, f"{prefix}{shown or repr(text)} is not {_LABELS[scheme]}; left out")
    return value


def lenient_id(
    ctx: ReaderContext, field: str, text: str, scheme: str, *, shown: str | None = None
) -> str | None:
    """:func:`optional_id`, with a warning for a wrong check digit."""
    value = optional_id(ctx, field, text, scheme, shown=shown)
    if value is not None:
        check_digits(ctx, field, scheme, value)
    return value


def required_id(
    ctx: ReaderContext,
    field: str,
    text: str,
    scheme: str,
    expected: str | None = None,
    *,
    shown: str | None = None,
) -> str:
    """The identifier in ``text``; a value that is not one rejects the record (the
    message says what was ``expected``). A wrong check digit is a warning."""
    value = _NORMALIZE[scheme](text)
    if value is None:
        hint = f" ({expected})" if expected else ""
        raise ctx.fail(field, f"{shown or repr(text)} is not {_LABELS[scheme]}{hint}")
    if scheme in _CHECKED:
        check_digits(ctx, field, scheme, value)
    return value


def issn(ctx: ReaderContext, field: str, text: str) -> str:
    """An ISSN that must be one (``NNNN-NNNC``), with a warning for a wrong check digit."""
    return required_id(ctx, field, text, "issn", ISSN_FORM)


def partial_date(year: int, *rest: int) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from its numbers, as given.

    >>> partial_date(2015), partial_date(2015, 6), partial_date(2015, 6, 1)
    ('2015', '2015-06', '2015-06-01')
    """
    return "-".join([f"{year:04d}", *(f"{p:02d}" for p in rest)])


def full_date(year: int | str, month: int | str | None, day: int | str | None) -> str | None:
    """``YYYY-MM-DD`` if year, month and day make a calendar date, else None."""
    if month is None or day is None:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def split_name(text: str) -> tuple[str, str] | None:
    """(family, given) of a name written ``Family, Given`` (split at its first comma),
    or None for a name without a comma."""
    family, comma, given = text.partition(",")
    return (family.strip(), given.strip()) if comma else None


def shown_name(*parts: str | None, suffix: str | None = None) -> str:
    """A name as printed from its parts in printed order (given name first, or family
    name first for an eastern name order), and a suffix such as ``Jr.``."""
    name = " ".join(p for p in parts if p)
    return f"{name} {suffix}" if suffix else name


def retracted_by_title(rec: Record, sources: list[Source]) -> None:
    """A title shown as ``RETRACTED: ...`` is evidence of a retracted status: the
    record gets one (from ``sources``) unless it has one already."""
    if rec.shown_title is not None and not any(s.kind == "retracted" for s in rec.statuses):
        rec.statuses.append(Status("retracted", sources=sources))


# Letters only some languages written in Cyrillic have, and the language they tell.
_CYRILLIC_LANGUAGES = (("ў", "be"), ("ґєії", "uk"))
_FINAL_PARENS = re.compile(r"^(?P<text>[^()]*?\S)\s*\((?P<other>[^()]+)\)\s*$")


def is_cyrillic(text: str) -> bool:
    """Whether every letter of ``text`` (at least one) is Cyrillic: ``Л P``, with a
    Latin P, is not.

    >>> is_cyrillic("И Ш"), is_cyrillic("Л P"), is_cyrillic("O B"), is_cyrillic("")
    (True, False, False, False)
    """
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all("\u0400" <= ch <= "\u04ff" for ch in letters)


def cyrillic_language(text: str) -> str:
    """The language of a Cyrillic text, as far as its letters tell: Belarusian (ў),
    Ukrainian (ґ, є, і, ї), else Russian.

    >>> cyrillic_language("Сидоров"), cyrillic_language("Шевченко Тарас Григорович Київ")
    ('ru', 'uk')
    """
    lowered = text.lower()
    for letters, lang in _CYRILLIC_LANGUAGES:
        if any(ch in lowered for ch in letters):
            return lang
    return "ru"


def match_case(text: str, model: str) -> str:
    """``text`` in the case ``model`` shows, where ``text`` is all capitals and ``model``
    is not: each word capitalised when ``model``'s are, else only the first.

    >>> match_case("ИВАН ПЕТРОВИЧ", "Ivan Petrovich"), match_case("И Ш", "I Sh")
    ('Иван Петрович', 'И Ш')
    >>> match_case("ВЕСТНИК МОСКОВСКОГО УНИВЕРСИТЕТА", "Moscow University bulletin")
    'Вестник московского университета'
    """
    if not text.isupper() or model.isupper() or not any(c.isalpha() for c in model):
        return text
    words = [w for w in model.split() if len(w) > 1 and w[0].isalpha()]
    if words and all(w[0].isupper() for w in words):
        return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in text.split(" "))
    return text[:1] + text[1:].lower()


def final_parentheses(text: str) -> tuple[str, str] | None:
    """(text, what the parentheses that end it hold), or None when no parentheses end it.

    >>> final_parentheses("Title (Заголовок)"), final_parentheses("Cells (HeLa) in culture")
    (('Title', 'Заголовок'), None)
    """
    m = _FINAL_PARENS.match(text)
    return None if m is None else (m.group("text").strip(), m.group("other").strip())


def two_scripts(text: str) -> tuple[str, str] | None:
    """(Latin text, Cyrillic text) of ``Title (Заголовок)``, the Cyrillic in the case the
    Latin shows; None when the text is not so (no final parentheses, parentheses not in
    Cyrillic, or still in a broken encoding).

    >>> two_scripts("Bulletin of Psychology (ВЕСТНИК ПСИХОЛОГИИ)")
    ('Bulletin of Psychology', 'Вестник психологии')
    >>> two_scripts("Effects of heat (a review)") is None
    True
    """
    parts = final_parentheses(text)
    if parts is None:
        return None
    latin, other = parts
    if has_mojibake(other) or not written_in("ru", other) or written_in("ru", latin):
        return None
    return latin, match_case(other, latin)
