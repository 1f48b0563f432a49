"""BibTeX files (Scopus, Web of Science, PubMed converters, reference managers) to kg records.

:func:`read` parses a ``.bib``/``.bibtex`` file (also gzipped) with
``bibtexparser`` 2.x (``parse_string`` with its default stack: string macros
resolved, enclosing braces and quotes removed). The file is parsed whole:
a BibTeX entry may use ``@string`` macros defined anywhere before it, so it
cannot be read alone (the Scopus sample repeated 50 times, 10,000 entries and
31 MB, reads in about 6 s). Blocks the library could not parse become
rejects that name their line and the library's reason (an unclosed brace,
an entry cut off by the end of the file, a field given twice); the other
entries come through. A key used twice is only a warning: the key names
nothing in kg's records. Bytes that are not UTF-8 reject only the entries
holding them.

Each entry becomes a :class:`kg.readers.exports.Export` and then a record by the
rules kg/readers/exports.py holds for both this and the RIS reader (kg/readers/ris.py's
docstring and docs/sources.md list them). What is BibTeX's own:

- LaTeX in text fields (``{\\"o}``, ``\\'{e}``, ``{\\&}``, ``\\textit{...}``,
  ``--``) is decoded to Unicode with ``pylatexenc`` (installed with
  bibtexparser) when a value holds a backslash; braces alone (``{DNA}``)
  are dropped. A bare ``%``, ``&`` or ``$`` (Scopus writes them unescaped
  in abstracts) is kept as the character. DOIs, URLs, ISSNs and pages are
  not decoded (``%2f`` in a URL is no comment), only unescaped (``\\_``).
- ``author``: split on ``and`` and into parts by bibtexparser's name
  functions (``von Last, Jr, First``; Scopus' ``Last, F.R., III`` order is
  recognised); ``{World Health Organization}`` stays one name.
- Entry types: ``article`` -> journal-article; ``incollection``, ``inbook``
  -> book-chapter; ``inproceedings``, ``conference`` -> proceedings-article;
  ``book`` -> book; ``phdthesis``, ``mastersthesis``, ``thesis`` -> thesis;
  ``techreport``, ``report`` -> report; ``dataset``, ``data`` -> dataset;
  ``misc``, ``online``, ``unpublished`` -> preprint when a preprint server
  shows (``archiveprefix``, ``eprint``, arXiv/bioRxiv DOI, journal or URL);
  Scopus' ``document_type`` refines the type (an ``@BOOK`` with
  ``document_type = {Book Chapter}`` is a chapter). Others are skipped.
- Fields (any case): ``title``; ``abstract``; ``author_keywords``,
  ``keywords``, ``keywords-plus`` (split on ``;``, else ``,``); ``doi``
  (also ``https://doi.org/...``); ``issn`` (several: ``0305-8557; 1460-2431``)
  and ``eissn`` (Web of Science); ``journal``/``journaltitle``;
  ``publisher``; ``volume``; ``number``/``issue``; ``pages`` (``1--10``);
  ``art_number``/``article-number``/``eid``; ``year``, ``month``, ``day``,
  ``date``; ``language``; ``url``; ``pmid``/``pubmed``/``pubmed-id``;
  ``affiliation``/``affiliations`` (``;``-separated institutions for the
  work, or Web of Science's per-author lines); ``orcid-numbers``; ``source``
  (the database, e.g. Scopus, named as the source of a retracted status).

``booktitle`` and ``isbn`` give a chapter its book and a paper its proceedings
(a book entry's ``isbn`` is its own); an ``issn`` there is the book series'.

Left out: editors, ``note`` (read only for ``PMID: n``), ``coden``, cited-by counts,
correspondence addresses and every other field.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from kg.errors import Location, RecordError
from kg.readers.base import Reject, Skipped, open_binary
from kg.readers.exports import DOCUMENT_TYPES, Export, Name, Value, to_record
from kg.records import Issue, Record

KINDS = {
    "article": "journal-article",
    "incollection": "book-chapter",
    "inbook": "book-chapter",
    "inproceedings": "proceedings-article",
    "conference": "proceedings-article",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "dataset": "dataset",
    "data": "dataset",
}
# fields that are text, decoded from LaTeX; the others (DOI, URL, ISSN, pages) only unescaped
_TEXT_FIELDS = {
    "title",
    "abstract",
    "author_keywords",
    "keywords",
    "keywords-plus",
    "journal",
    "journaltitle",
    "publisher",
    "affiliation",
    "affiliations",
    "language",
    "note",
    "document_type",
    "document-type",
    "type",
    "source",
}
_LATEX = re.compile(r"[\\{}]")
_BARE = re.compile(r"(?<!\\)([%&#])")
_ESCAPED = re.compile(r"\\([_&%#$])")


def read(path: Path, name: str) -> Iterator[Record | Reject | Skipped]:
    """Read the entries of a BibTeX file (see the module docstring)."""
    with open_binary(path) as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", "surrogateescape")
    with _quiet():
        library = parse_string(text)
    index = 0
    found = False
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            index += 1
            yield _entry(block.ignore_error_block, index, name, duplicate_key=True)
            found = True
        elif isinstance(block, ParsingFailedBlock):
            index += 1
            yield _failed(block, index, name)
            found = True
        elif isinstance(block, Entry):
            index += 1
            yield _entry(block, index, name)
            found = True
    if not found:
        yield Reject(RecordError(Location(name), "no BibTeX entries (no '@type{key, ...}')"))


@contextmanager
def _quiet() -> Iterator[None]:
    """bibtexparser logs each block it cannot parse; kg reports them as rejects instead."""
    logger = logging.getLogger("bibtexparser")  # its modules' loggers inherit the level
    before = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(before)


def _label(index: int, line: int | None, key: str | None) -> str:
    where = f"entry {index}" + (f" (line {line + 1})" if line is not None else "")
    return f"{where} [{key}]" if key else where


def _failed(block: ParsingFailedBlock, index: int, name: str) -> Reject:
    raw = block.raw or ""
    m = re.match(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)", raw)
    key = m.group(2) if m else None
    origin = Location(name, _label(index, block.start_line, key))
    error = block.error
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = sorted(getattr(block, "duplicate_keys", []) or [])
        problem = "a field is given twice" + (f" ({', '.join(fields)})" if fields else "")
    else:
        reason = getattr(error, "abort_reason", None) or getattr(error, "message", None)
        reason = reason or str(error) or type(error).__name__
        if "end of file" in reason.lower():
            problem = f"the file ends in the middle of this entry (truncated?): {reason}"
        else:
            problem = f"broken BibTeX: {' '.join(reason.split())}"
    return Reject(RecordError(origin, problem), raw)


def _entry(
    entry: Entry, index: int, name: str, duplicate_key: bool = False
) -> Record | Reject | Skipped:
    origin = Location(name, _label(index, entry.start_line, entry.key))
    try:
        result = to_record(bibtex_export(entry, origin))
    except RecordError as e:
        return Reject(e, entry.raw)
    if isinstance(result, Record):
        result.raw = entry.raw
        if duplicate_key:
            result.issues.insert(
                0,
                Issue("key", f"the key {entry.key!r} is used by an earlier entry too"),
            )
    return result


def decode(value: str, *, latex: bool = True) -> str:
    """A BibTeX value as Unicode text: LaTeX decoded (text fields), or only unescaped.

    Braces without a macro (``{DNA}``) are only grouping and are dropped
    without calling pylatexenc, which costs about 10 microseconds a character.
    """
    if not latex:
        return _ESCAPED.sub(r"\1", value).replace("{", "").replace("}", "")
    if not _LATEX.search(value):
        return value
    if "\\" not in value:  # a bare "$" is more often money than mathematics
        return value.replace("{", "").replace("}", "")
    escaped = _BARE.sub(r"\\\1", value)
    try:
        return str(_latex_to_text().latex_to_text(escaped))
    except Exception:  # pylatexenc is tolerant; should it still fail, keep the text
        return value


@functools.cache
def _latex_to_text() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text")


def _names(field: str, value: str) -> list[Name]:
    out: list[Name] = []
    for whole in split_multiple_persons_names(value):
        text = decode(whole)
        try:
            parts = parse_single_name_into_parts(whole, strict=False)
        except (InvalidNameError, ValueError):
            out.append(Name(field, text))
            continue
        first = [decode(p) for p in parts.first]
        von = [decode(p) for p in parts.von]
        last = [decode(p) for p in parts.last]
        jr = [decode(p) for p in parts.jr]
        # Scopus writes "Thompson, F.R., III": BibTeX reads III as the first name
        if (
            jr
            and len(first) == 1
            and first[0].lower().rstrip(".") in ("jr", "sr", "ii", "iii", "iv")
        ):
            first, jr = jr, first
        family = " ".join(von + last) or None
        given = " ".join(first) or None
        if family and not given and not von and " " in family and whole.strip().startswith("{"):
            out.append(Name(field, family))  # "{World Health Organization}": one name
            continue
        out.append(Name(field, text, family, given, " ".join(jr) or None))
    return out


def bibtex_export(entry: Entry, origin: Location) -> Export:
    """The fields of one BibTeX entry, keys in lower case."""
    fields: dict[str, tuple[str, str]] = {}
    for f in entry.fields:
        key = f.key.strip().lower()
        if key not in fields and isinstance(f.value, str):
            fields[key] = (f.key, f.value)

    def get(*keys: str) -> list[Value]:
        out = []
        for key in keys:
            if key in fields:
                original, raw = fields[key]
                value = decode(raw, latex=key in _TEXT_FIELDS)
                if value.strip():
                    out.append((original, value))
        return out

    def one(*keys: str) -> Value | None:
        values = get(*keys)
        return values[0] if values else None

    entry_type = entry.entry_type.strip().lower()
    ex = Export(origin, "entry type", entry_type, KINDS.get(entry_type))
    doc_type = one("document_type", "document-type", "type")
    known = (*DOCUMENT_TYPES, "conference review", "retracted")
    if doc_type and doc_type[1].strip().lower() in known:
        ex.document_type = doc_type
    ex.titles = get("title")
    ex.abstracts = get("abstract")
    ex.keywords = get("author_keywords", "keywords", "keywords-plus")
    ex.dois = get("doi")
    ex.doi_hints = get("url", "eprint", "archiveprefix", "howpublished")
    ex.issns = get("issn")
    ex.eissns = get("eissn", "e-issn")
    ex.journals = get("journal", "journaltitle")
    ex.books = get("booktitle")
    ex.isbns = get("isbn")
    ex.publisher = one("publisher")
    ex.volume = one("volume")
    ex.issue = one("number", "issue")
    ex.pages = one("pages")
    ex.article_number = one("art_number", "article-number", "articleno", "eid")
    ex.years = get("year")
    ex.dates = get("date")
    ex.month = one("month")
    ex.day = one("day")
    ex.language = one("language", "langid")
    ex.urls = get("url")
    ex.pmids = get("pmid", "pubmed", "pubmedid", "pubmed-id")
    ex.pmid_hints = get("note", "annote")
    if "author" in fields:
        ex.authors = _names(fields["author"][0], fields["author"][1])
    ex.affiliations = get("affiliation", "affiliations")
    ex.orcids = get("orcid-numbers")
    source = one("source")
    ex.database = source[1].strip() if source else None
    return ex
