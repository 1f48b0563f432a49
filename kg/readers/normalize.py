"""Value normalisation shared by every reader: languages, dates, pages, texts, URLs.

Functions here raise ``ValueError`` with a short message when a value cannot be
read; readers add the file, record and field and turn it into a RecordError.

Every text a reader reads goes through :func:`clean_text` (directly, or through
:func:`markup_to_text`), which first repairs text in a broken encoding
(mojibake: UTF-8 read as Windows-1252, Latin-1 or Windows-1251) with ftfy. What
it repaired, and what it could not, is noted in :data:`REPAIRS` for the reader's
:class:`~kg.readers.context.ReaderContext` to count and warn about.
"""

from __future__ import annotations

import re
from datetime import date as _date
from datetime import datetime as _datetime
from urllib.parse import quote

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-125x codecs)
from ftfy import fix_encoding
from pyoxigraph import NamedNode as _IriCheck

# ISO 639-2/3 codes and English names of the languages journals use most,
# mapped to ISO 639-1. Others keep their 3-letter code (iso639-2 vocabulary).
_LANG_ALIASES = {
    "eng": "en",
    "english": "en",
    "rus": "ru",
    "russian": "ru",
    "ger": "de",
    "deu": "de",
    "german": "de",
    "fre": "fr",
    "fra": "fr",
    "french": "fr",
    "spa": "es",
    "spanish": "es",
    "ita": "it",
    "italian": "it",
    "por": "pt",
    "portuguese": "pt",
    "chi": "zh",
    "zho": "zh",
    "chinese": "zh",
    "jpn": "ja",
    "japanese": "ja",
    "kor": "ko",
    "korean": "ko",
    "ukr": "uk",
    "ukrainian": "uk",
    "pol": "pl",
    "polish": "pl",
    "cze": "cs",
    "ces": "cs",
    "czech": "cs",
    "tur": "tr",
    "turkish": "tr",
    "ara": "ar",
    "arabic": "ar",
    "per": "fa",
    "fas": "fa",
    "persian": "fa",
    "dut": "nl",
    "nld": "nl",
    "dutch": "nl",
    "swe": "sv",
    "swedish": "sv",
    "kaz": "kk",
    "kazakh": "kk",
    "bel": "be",
    "belarusian": "be",
    "ind": "id",
    "indonesian": "id",
    "hun": "hu",
    "hungarian": "hu",
    "rum": "ro",
    "ron": "ro",
    "romanian": "ro",
    "srp": "sr",
    "serbian": "sr",
    "hrv": "hr",
    "croatian": "hr",
    "bul": "bg",
    "bulgarian": "bg",
    "gre": "el",
    "ell": "el",
    "greek": "el",
    "heb": "he",
    "hebrew": "he",
    "lit": "lt",
    "lithuanian": "lt",
    "lav": "lv",
    "latvian": "lv",
    "est": "et",
    "estonian": "et",
    "fin": "fi",
    "finnish": "fi",
    "nor": "no",
    "norwegian": "no",
    "dan": "da",
    "danish": "da",
}
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$")
_WS = re.compile(r"\s+")


def squeeze(text: str) -> str:
    r"""``text`` with each run of white space as one space, stripped.

    The same as ``_WS.sub(" ", text).strip()``, at about a sixth of its time on a
    1 kB abstract (10 us against 54): ``str.split`` and the ``\s`` of ``re`` both
    take white space to be what ``str.isspace`` says
    (tests/readers/test_encoding.py checks every code point).
    """
    return " ".join(text.split())


_C1 = re.compile("[\x80-\x9f]")
_BAD_CHARS = re.compile("[\ud800-\udfff\ufffe\uffff\x00-\x08\x0b\x0c\x0e-\x1f]")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_ISO_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"
)
_PAGE_SPLIT = re.compile(
    r"^\s*([^\s\-\u2010-\u2015]+)\s*[-\u2010-\u2015]+\s*([^\s\-\u2010-\u2015]+)\s*$"
)
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+$")
# "RETRACTED: Title", "RETRACTED ARTICLE: Title", "[RETRACTED] Title", "Retracted: Title"
RETRACTED_PREFIX = re.compile(
    r"^\s*(?:\[\s*retracted(?:\s+article)?\s*\]|retracted(?:\s+article)?\s*[:.\u2013\u2014-])\s*",
    re.IGNORECASE,
)


# month names and their English abbreviations -> month number (JATS, RIS, BibTeX)
MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}


def language_code(text: str) -> str:
    """An ISO 639-1 code (or 639-2 when there is none) for a code, tag or English name.

    >>> language_code("Russian"), language_code("rus"), language_code("en-GB")
    ('ru', 'ru', 'en')
    """
    value = text.strip().lower().replace("_", "-")
    if value in _LANG_ALIASES:
        return _LANG_ALIASES[value]
    primary = value.split("-", 1)[0]
    if re.fullmatch(r"[a-z]{2}", primary):
        return primary
    if re.fullmatch(r"[a-z]{3}", primary):
        return _LANG_ALIASES.get(primary, primary)
    raise ValueError(f"{text!r} is not a language code (ISO 639) or name")


# The script a language is written in, where it is not the Latin alphabet.
_SCRIPT_OF = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn"), "cyrillic"),
    **dict.fromkeys(("zh", "ja", "ko"), "cjk"),
    **dict.fromkeys(("ar", "fa", "ur"), "arabic"),
    "el": "greek",
    "he": "hebrew",
}


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250 or 0x1E00 <= code < 0x1F00:
        return "latin"
    if 0x370 <= code < 0x400 or 0x1F00 <= code < 0x2000:
        return "greek"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x590 <= code < 0x600:
        return "hebrew"
    if 0x600 <= code < 0x700:
        return "arabic"
    if 0x2E80 <= code < 0xA000 or 0xAC00 <= code < 0xD7B0 or 0xF900 <= code < 0xFB00:
        return "cjk"  # Han, kana and Hangul
    return "other"


def written_in(code: str, text: str) -> bool:
    """Whether ``text`` can be in language ``code`` by its script: most of its letters
    are in the script the language is written in (Latin unless :data:`_SCRIPT_OF` says).

    An English title of a Russian article is not Russian; between two languages
    written in one script, the script cannot tell (True).

    >>> written_in("ru", "Карташова А. А."), written_in("ru", "Kartashova A. A.")
    (True, False)
    """
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = _script(ch)
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return False
    return max(counts, key=lambda k: counts[k]) == _SCRIPT_OF.get(code, "latin")


def language_tag(text: str) -> str:
    """A BCP 47 language tag for an RDF literal, lower-cased."""
    value = text.strip().replace("_", "-")
    if not _LANG_TAG.match(value):
        raise ValueError(f"{text!r} is not a language tag such as 'en' or 'ru'")
    lowered = value.lower()
    return _LANG_ALIASES.get(lowered, lowered)


# The Windows-1252 (and Latin-1 C1) forms of the bytes 0x80-0xBF, which UTF-8 uses
# after the first byte of a character.
_CP1252_TAIL = (
    "\x80-\xbf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152"
    + ("\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178")
)
# Their Windows-1251 forms, less the letters of real languages (ё, і, ї, є, ґ, ў, ј) and
# the spaces, quotes and dashes that follow a Cyrillic letter in correct text.
_CP1251_TAIL = "\u0402\u0403\u0453\u0409\u040a-\u040c\u040e\u040f\u0452\u0459\u045a-\u045c" + (
    "\u045f\u0405\u0455\u201a\u2026\u2020\u2021\u20ac\u2030\u2039\u2018\u2019\u2022\u2122"
    "\u203a\xa4\xa6\xa7\xa9\xac\xad\xae\xb0\xb1\xb5\xb6\xb7"
)
# What mojibake leaves: a UTF-8 lead byte (Â..ô) before a continuation byte read as
# Windows-1252 or Latin-1; a lead byte read as Windows-1251 (В..ф) before a continuation
# byte read so; a C1 control character.
_MOJIBAKE = re.compile(
    f"[\xc2-\xf4][{_CP1252_TAIL}]|[\u0412-\u042f\u0430-\u0444][{_CP1251_TAIL}]|[\x80-\x9f]"
)
# Any of the second characters above: one scan for a single class of characters, rare
# in correct text, spares the search above to most texts (in Cyrillic, nearly every
# letter is a first character of the Windows-1251 pattern).
_TAIL = re.compile(f"[{_CP1252_TAIL}{_CP1251_TAIL}]")
# ... and what a repair that lost bytes leaves: the first byte of a Cyrillic letter
# (Ð, Ñ) against a Cyrillic letter (``ИВÐРПЕТРОВИЧ``).
_RESIDUE = re.compile("[\xd0\xd1][\u0400-\u04ff]|[\u0400-\u04ff][\xd0\xd1]")
# What mojibake was most often read as: the first that decodes a text whole is its repair.
_CODECS = ("sloppy-windows-1252", "latin-1", "sloppy-windows-1251")
# Where a text that cannot be repaired whole is cut, to repair what can be: names and
# titles in a list or in parentheses.
_PIECES = re.compile(r"(\s*[;()]\s*)")

# (text as given, text as repaired, whether the repair is whole): what clean_text
# repaired since a ReaderContext last took them (kg/readers/context.py). A list changed
# in place, never rebound.
REPAIRS: list[tuple[str, str, bool]] = []


def _suspect(text: str) -> bool:
    """Whether ``text`` holds what mojibake makes (then ftfy is asked)."""
    return (
        not text.isascii() and _TAIL.search(text) is not None and _MOJIBAKE.search(text) is not None
    )


def has_mojibake(text: str) -> bool:
    """Whether ``text`` holds what a broken encoding leaves: what ftfy would repair, or
    what lost bytes leave (``ИВÐРПЕТРОВИЧ``).

    >>> has_mojibake("Ð˜Ð²Ð°Ð½"), has_mojibake("Иван"), has_mojibake("ИВÐРПЕТРОВИЧ")
    (True, False, True)
    >>> has_mojibake("café’s «crème»")
    False
    """
    if text.isascii():
        return False
    if _RESIDUE.search(text) or _C1.search(text):
        return True
    return _suspect(text) and fix_encoding(text) != text


def repair_encoding(text: str) -> tuple[str, bool]:
    """``text`` with a broken encoding repaired (ftfy), and whether all of it could be.

    Only text that holds what mojibake makes goes to ftfy; text that was right
    comes back as it is. Where bytes were lost (Windows-1252 leaves 0x81, 0x8D,
    0x8F, 0x90 and 0x9D undefined, and some copies dropped them), the parts of
    a list or of parentheses that can be repaired whole are, and the others are
    kept as given (False).

    >>> repair_encoding("Ivan (Ð˜Ð²Ð°Ð½)")
    ('Ivan (Иван)', True)
    >>> repair_encoding("Иван (Ivan), «café»")
    ('Иван (Ivan), «café»', True)
    """
    if not _suspect(text):
        return text, True
    fixed = _redecode(text) or fix_encoding(text)
    if not _broken(fixed, text):
        return fixed, True
    parts = _PIECES.split(text)
    done = [p if i % 2 else _repair_piece(p) for i, p in enumerate(parts)]
    return "".join(done), False


def _redecode(text: str) -> str | None:
    """The text whole as UTF-8 read as one of the usual codecs, decoded right (ftfy's
    answer in most cases, for a tenth of its time); None when no codec gives a text
    free of mojibake."""
    for codec in _CODECS:
        try:
            fixed = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        if not _suspect(fixed) and not _C1.search(fixed):
            return fixed
    return None


def _repair_piece(text: str) -> str:
    if not _suspect(text):
        return text
    fixed = fix_encoding(text)
    return text if _broken(fixed, text) else fixed


def _broken(fixed: str, given: str) -> bool:
    """Whether a repair left what lost bytes leave: more U+FFFD than given, Ð or Ñ
    against a Cyrillic letter, C1 control characters."""
    return (
        fixed.count("\ufffd") > given.count("\ufffd")
        or _RESIDUE.search(fixed.replace("\ufffd", "")) is not None
        or _C1.search(fixed) is not None
    )


def clean_text(text: str, *, single_line: bool = True) -> str:
    """Repair a broken encoding (noted in :data:`REPAIRS`); strip a text; collapse white
    space in one-line fields; refuse control characters."""
    if not text.isascii() and _suspect(text):
        fixed, whole = repair_encoding(text)
        if fixed != text or not whole:
            REPAIRS.append((text, fixed, whole))
            text = fixed
    if single_line and text.isprintable() and "  " not in text and text.strip() == text:
        return text  # the common case, checked without regular expressions
    if _BAD_CHARS.search(text):
        bad = _BAD_CHARS.search(text)
        assert bad is not None
        raise ValueError(f"contains the control or invalid character U+{ord(bad.group()):04X}")
    value = squeeze(text) if single_line else text.strip()
    return value


def parse_year(value: object) -> int:
    """A year of the common era (1-9999) from an int or a string.

    Whether the year is plausible for an article (not 1066, not next decade)
    is for validation to say; here it only has to be a year.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a year")
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value):
        year = int(value)
    else:
        raise ValueError(f"{value!r} is not a year")
    if not 1 <= year <= 9999:
        raise ValueError(f"{value!r} is not a year")
    return year


def parse_date(value: object) -> tuple[int, str | None]:
    """(year, full ISO date or None) from ``2015``, ``2015-12`` or ``2015-12-01``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if isinstance(value, _date):  # YAML reads 2015-12-01 as a date
        day = value.date() if isinstance(value, _datetime) else value
        return day.year, day.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    text = value.strip()
    m = _ISO_DATE.match(text)
    if not m:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    if m.group(2) is None:
        return year, None
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} has no month {month}")
    if m.group(3) is None:
        return year, None
    try:
        full = _date(year, month, int(m.group(3)))
    except ValueError as e:
        raise ValueError(f"{value!r} is not a calendar date ({e})") from None
    return year, full.isoformat()


def parse_event_date(value: object) -> str:
    """An xsd:date or xsd:dateTime lexical form for a status date."""
    if isinstance(value, _datetime):  # YAML reads timestamps itself
        text = value.isoformat()
        return text.replace("+00:00", "Z") if value.tzinfo is not None else text
    if isinstance(value, _date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    m = _ISO_DATETIME.match(text)
    if m:
        try:
            _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            raise ValueError(f"{value!r} is not a calendar date ({e})") from None
        seconds = m.group(6) or "00"
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}T{m.group(4)}:{m.group(5)}:{seconds}" + (
            (m.group(7) or "") + (m.group(8) or "")
        )
    year, full = parse_date(text)
    if full is None:
        raise ValueError(f"{value!r} is not a full date (YYYY-MM-DD)")
    return full


def split_pages(text: str) -> tuple[str, str | None, str | None]:
    """(first page, last page, page range) from ``513-523``, ``513–523`` or ``e1234``.

    >>> split_pages("513 – 523")
    ('513', '523', '513-523')
    >>> split_pages("e0123")
    ('e0123', None, None)
    """
    value = clean_text(text)
    if not value:
        raise ValueError("is empty")
    m = _PAGE_SPLIT.match(value)
    if m:
        return m.group(1), m.group(2), f"{m.group(1)}-{m.group(2)}"
    if re.search(r"\s", value):
        raise ValueError(f"{text!r} is not a page or page range such as '513-523'")
    return value, None, None


def check_url(text: str) -> str:
    """An absolute URL as a valid IRI (RFC 3987, as pyoxigraph and raptor parse it).

    Characters an IRI cannot hold are percent-encoded: spaces, quotes, ``<>{}|\\^```,
    ``[`` and ``]`` outside an IPv6 host, a ``%`` not followed by two hex digits, a second
    ``#``, and everything outside ASCII (as before: kg's IRIs stay ASCII). What no
    encoding can make valid (a port that is not a number, a broken host) raises
    ``ValueError``; readers leave such a URL out with a warning.

    >>> check_url("https://journal.example.org/article?id[]=1&q=a b")
    'https://journal.example.org/article?id%5B%5D=1&q=a%20b'
    >>> check_url("http://example.org/100%zz")
    'http://example.org/100%25zz'
    """
    value = text.strip()
    if not _URL.match(value.replace(" ", "%20")):
        raise ValueError(f"{text!r} is not an absolute URL such as 'https://...'")
    scheme, rest = value.split("://", 1)
    cut = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    authority, tail = rest[:cut], rest[cut:]
    host_start = authority.rfind("@") + 1
    if authority[host_start : host_start + 1] == "[":  # an IP literal keeps its brackets
        end = authority.find("]", host_start)
        authority = (
            _encode(authority[:host_start], _SAFE_AUTHORITY)
            + authority[host_start : end + 1]
            + _encode(authority[end + 1 :], _SAFE_AUTHORITY)
        )
    else:
        authority = _encode(authority, _SAFE_AUTHORITY)
    hash_at = tail.find("#")
    if hash_at >= 0:  # the fragment may not hold another "#"
        tail = _encode(tail[:hash_at], _SAFE_TAIL) + "#" + _encode(tail[hash_at + 1 :], _SAFE_TAIL)
    else:
        tail = _encode(tail, _SAFE_TAIL)
    url = f"{scheme}://{authority}{tail}"
    try:
        _IriCheck(url)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a URL kg can write as an IRI ({e})") from None
    return url


# What stays as it is: RFC 3986's unreserved and sub-delims, and "%" (checked below).
_SAFE_AUTHORITY = "-._~!$&'()*+,;=:@%"
_SAFE_TAIL = _SAFE_AUTHORITY + "/?"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _encode(part: str, safe: str) -> str:
    return quote(_BAD_PERCENT.sub("%25", part), safe=safe)


_BLOCKS = {
    "p",
    "jats:p",
    "sec",
    "jats:sec",
    "title",
    "jats:title",
    "li",
    "jats:list-item",
    "div",
    "br",
    "jats:break",
}
_INLINE_TAG = re.compile(
    r"</?(?:[a-z]+:)?(?:i|b|em|strong|sup|sub|p|italic|bold|sc|span|br|"
    r"math|mi|mo|mn|mrow|msup|msub)\b[^<>]*>",
    re.IGNORECASE,
)


def markup_to_text(text: str, *, single_line: bool = True) -> str:
    """Plain text of a title or abstract that may hold HTML, JATS or MathML markup.

    Entities are decoded, tags dropped (their text kept), paragraphs separated
    by a blank line. Markup that was escaped twice (``&lt;em&gt;``), as some
    Crossref abstracts are, is removed too.

    >>> markup_to_text("<jats:p>Growth of <i>E. coli</i> at p &lt; 0.05</jats:p>")
    'Growth of E. coli at p < 0.05'
    """
    if "<" not in text and "&" not in text:
        return clean_text(text, single_line=single_line)
    from lxml import html
    from lxml.etree import ParserError

    for _ in range(2):  # a second round for markup escaped twice
        try:
            root = html.fragment_fromstring(text, create_parent="div")
        except ParserError:
            break
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
                el.tail = "\n\n" + (el.tail or "")
        text = root.text_content()
        if not _INLINE_TAG.search(text):
            break
    if single_line:
        return clean_text(text)
    paragraphs = (squeeze(p) for p in re.split(r"\n\s*\n", text))
    return clean_text("\n\n".join(p for p in paragraphs if p), single_line=False)


def strip_retracted_prefix(title: str) -> str | None:
    """The title without a ``RETRACTED:`` display prefix, or None if it has none.

    >>> strip_retracted_prefix("RETRACTED: Cluster management model")
    'Cluster management model'
    """
    m = RETRACTED_PREFIX.match(title)
    if not m:
        return None
    rest = title[m.end() :].strip()
    return rest or None
