"""RIS files (Scopus, Web of Science, PubMed via reference managers, EndNote, Zotero) to kg records.

:func:`read` streams a ``.ris`` (or ``.ris.gz``) file one record at a time:
the lines from a ``TY  -`` line to its ``ER  -`` line are cut out of the
stream and given to ``rispy`` (its line tokenizer and record loop, with a
small override that keeps every repeated tag and joins continuation lines).
So a file of any size is read in the memory of one record, and a broken
record rejects only itself: a record whose ``ER`` line is missing (the next
``TY`` comes first) is rejected and the next one read; a file that ends
inside a record gives the records before and one reject naming the line
where the cut record starts. Measured on the Scopus sample repeated 200
times (18,400 records, 49 MB): ``rispy.loads`` on the whole text took 0.9 s
and held 271 MB at its peak (text plus every record's dict); cutting records
out of the byte stream and parsing each took 0.8 s with a peak of 26 kB.
The whole reader (records built) read that file in 3.3 s.

What this reader and kg/readers/bibtex.py share is in kg/readers/exports.py:
the :class:`~kg.readers.exports.Export` (the fields of one exported reference,
as text, with the tag or field each came from) and
:func:`~kg.readers.exports.to_record`, which turns it into a :class:`Record`.
How each field maps (docs/sources.md has the same as a table):

- ``TY`` (with Scopus' ``M3`` document type) picks the kind: ``JOUR``,
  ``EJOUR``, ``INPR``, ``JFULL`` -> journal-article (an erratum too: these
  exports do not say what it corrects, which a kg correction must);
  ``CHAP``, ``ECHAP`` -> book-chapter; ``CONF``, ``CPAPER`` ->
  proceedings-article; ``BOOK``, ``EBOOK``, ``EDBOOK`` -> book; ``THES`` ->
  thesis; ``RPRT`` -> report; ``DATA`` -> dataset; ``SER``, ``GEN`` and
  ``UNPB``/``ELEC`` by their ``M3`` document type (``Article``, ``Conference
  Paper``, ``Preprint``, ...) or, for preprints, by a preprint server in the
  DOI, journal or URL. Other types, and Scopus' ``Conference Review`` (a
  list of a conference's papers), are skipped and counted.
- ``TI`` (else ``T1``) is the title. Titles, abstracts and keywords are
  tagged ``und``: Scopus gives English titles of articles whose ``LA`` is
  another language, so ``LA`` does not tell the language of the title. For
  the same reason ``ST`` (Scopus puts the original-language title there,
  other exporters a short title) and ``TT`` are left out: a second title
  tagged ``und`` would break the one-title-per-language rule of the shapes.
- ``AB`` (else ``N2``) the abstract; ``KW`` keywords (one per ``KW`` line,
  or split on ``;``); ``LA`` the language of the text.
- ``DO`` the DOI, in any spelling (``https://doi.org/...``, ``doi:``, ``10.x``
  with trailing punctuation or `` [doi]``); else a DOI in ``M3`` (EndNote puts
  it there) or a ``doi.org`` address in ``UR``. A malformed DOI rejects the record.
- ``SN`` ISSNs, several in one field (``14602431 03058557``, ``;`` or ``,``
  between them). An export that says the medium (``0305-8557 (Print)``,
  ``(Electronic)``, ``(Linking)``, or Web of Science's ``EI`` for the eISSN,
  which makes ``SN`` the print one) fills print, online and ISSN-L. Scopus
  and most exports do not say it, and kg does not guess: such ISSNs are
  ISSNs of unknown medium (``Journal.issns_unknown``, sorted so that one
  journal gets one IRI whatever order an export lists them in). An ISBN in
  ``SN`` (books) is ignored.
- ``T2``/``JF``/``JO``/``JA``/``J2`` the journal (full title first), ``PB``
  (Web of Science: ``PU``) its publisher, ``VL`` volume, ``IS`` issue: for
  journal articles only.
- ``SP``/``EP`` pages (``SP`` may hold the range); ``C7`` (an article number)
  is the first page when there are no pages.
- ``PY``, ``Y1``, ``DA`` (``2020``, ``2020/05/03/``, ``2020-05-03``, ``2005 Jan
  15``): year, and the full date when one of them gives a day.
- ``AU`` (else ``A1``) authors in order, ``Family, Given, Suffix``; a name
  without a comma is kept whole, except PubMed's ``Smith JA``.
- ``AD`` affiliations: ``[Author; Author] Institution`` (Web of Science
  ``C1``) attaches the institution to those authors; otherwise the export
  does not say which author, and the institutions (one per line, or split on
  ``;``) go on the work as a whole (``kgo:affiliation``).
- ``UR`` the first address that is not a DOI link; ``AN`` (numeric, with
  ``DB``/``DP`` PubMed, MEDLINE or NLM) or ``PMID: n`` in a note: PubMed id.
- A title starting ``RETRACTED:`` gives the title without it, the shown title
  and a retracted status (sourced to ``DB``, e.g. Scopus, when given); so
  does Scopus' document type ``Retracted``. A notice typed ``Erratum`` keeps
  its "Retracted: ..." title whole.

Left out: editors (``A2``, ``ED``), notes (``N1``: cited-by counts, export
dates), ``DB``, ``CY``, call numbers, ISBNs, file attachments and custom fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import rispy

from kg.errors import Location, RecordError
from kg.readers.base import Reject, Skipped, open_binary
from kg.readers.exports import DOCUMENT_TYPES, Export, Name, Value, to_record
from kg.records import Record

_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd"}


def person(field_name: str, text: str) -> Name:
    """A RIS author: ``Family, Given, Suffix``; PubMed's ``Smith JA``; else the name whole."""
    value = " ".join(text.split())
    parts = [p.strip() for p in value.split(",")]
    if len(parts) >= 2 and parts[0]:
        suffix = None
        rest = [p for p in parts[1:] if p]
        if len(rest) >= 2 and rest[-1].lower() in _SUFFIXES:
            suffix = rest.pop()
        elif len(rest) >= 2 and rest[0].lower() in _SUFFIXES:
            suffix = rest.pop(0)
        return Name(field_name, value, parts[0], ", ".join(rest) or None, suffix)
    tokens = value.split(" ")
    if len(tokens) >= 2 and re.fullmatch(r"[A-Z]{1,3}", tokens[-1]):
        return Name(field_name, value, " ".join(tokens[:-1]), tokens[-1])
    return Name(field_name, value)


RIS_KINDS = {
    "JOUR": "journal-article",
    "EJOUR": "journal-article",
    "INPR": "journal-article",
    "JFULL": "journal-article",
    "CHAP": "book-chapter",
    "ECHAP": "book-chapter",
    "CONF": "proceedings-article",
    "CPAPER": "proceedings-article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "THES": "thesis",
    "RPRT": "report",
    "DATA": "dataset",
}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_BOM = b"\xef\xbb\xbf"


class _RisParser(rispy.RisParser):  # type: ignore[misc]
    """rispy's parser, keeping every repeated tag (rispy keeps only the first of
    tags it does not list, e.g. the second ``AD``) and joining wrapped lines to
    the value they continue."""

    def _add_tag(
        self, record: dict[str, Any], tag: str, content: str, extend_multiline: bool = False
    ) -> None:
        if tag is None:  # text before any tag of the record
            return
        values = record.setdefault(tag, [])
        if not isinstance(values, list):  # the TY value rispy put in
            values = record[tag] = [values]
        if extend_multiline and values:
            if content:
                sep = "\n" if tag in ("AB", "N2") else " "
                values[-1] = f"{values[-1]}{sep}{content}"
        elif not extend_multiline:
            values.append(content)


def _chunks(f: IO[bytes], name: str) -> Iterator[tuple[str, list[str]] | Reject]:
    """(record label, lines from TY to ER) for each record, or a Reject for a broken one."""
    lines: list[str] = []
    start = 0
    index = 0
    stray: int | None = None  # first line of tag lines found outside a record
    n = 0
    for n, raw in enumerate(f, start=1):
        if n == 1 and raw.startswith(_BOM):
            raw = raw[3:]
        line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
        m = _TAG_LINE.match(line)
        tag = m.group(1) if m else None
        if tag == "TY":
            if stray is not None:
                where = Location(name, f"line {stray}")
                yield Reject(RecordError(where, "tag lines outside a record (no 'TY  -' line)"))
                stray = None
            if start:
                where = Location(name, f"record {index} (line {start})")
                problem = f"no 'ER  -' line ends this record before the next one at line {n}"
                yield Reject(RecordError(where, problem), "\n".join(lines))
            index += 1
            start = n
            lines = [line]
        elif start:
            lines.append(line)
            if tag == "ER":
                yield f"record {index} (line {start})", lines
                start = 0
                lines = []
        elif tag is not None and stray is None:
            stray = n
    if stray is not None:
        where = Location(name, f"line {stray}")
        yield Reject(RecordError(where, "tag lines outside a record (no 'TY  -' line)"))
    if start:
        where = Location(name, f"record {index} (line {start})")
        problem = "the file ends in the middle of this record (no 'ER  -' line; truncated?)"
        yield Reject(RecordError(where, problem), "\n".join(lines))
    elif n == 0 or index == 0:
        yield Reject(RecordError(Location(name), "no RIS records (no 'TY  -' line)"))


def read(path: Path, name: str) -> Iterator[Record | Reject | Skipped]:
    """Read the records of a RIS file, one at a time (see the module docstring)."""
    with open_binary(path) as f:
        for chunk in _chunks(f, name):
            if isinstance(chunk, Reject):
                yield chunk
                continue
            label, lines = chunk
            origin = Location(name, label)
            raw = "\n".join(lines)
            try:
                parsed = _RisParser(mapping={"TY": "TY"}).parse_lines(iter(lines + [""]))
                if len(parsed) != 1:
                    raise RecordError(origin, "rispy could not read this record")
                result = to_record(ris_export(parsed[0], origin))
            except RecordError as e:
                yield Reject(e, raw)
                continue
            if isinstance(result, Record):
                result.raw = raw
            yield result


def _values(entry: dict[str, list[str]], *tags: str) -> list[Value]:
    return [(tag, v) for tag in tags for v in entry.get(tag, []) if v.strip()]


def _first(entry: dict[str, list[str]], *tags: str) -> Value | None:
    values = _values(entry, *tags)
    return values[0] if values else None


def ris_export(entry: dict[str, list[str]], origin: Location) -> Export:
    """The fields of one RIS record (tag -> values, as :class:`_RisParser` gives them)."""
    ty = entry.get("TY", [""])
    ty_value = (ty[0] if isinstance(ty, list) else str(ty)).strip().upper()
    db = " ".join(entry.get("DB", []) + entry.get("DP", []))
    ex = Export(origin, "TY", ty_value, RIS_KINDS.get(ty_value))
    m3 = _first(entry, "M3")
    if m3 and m3[1].strip().lower() in (*DOCUMENT_TYPES, "conference review", "retracted"):
        ex.document_type = m3
    ex.titles = _values(entry, "TI", "T1")
    ex.abstracts = _values(entry, "AB") or _values(entry, "N2")
    ex.keywords = _values(entry, "KW")
    ex.dois = _values(entry, "DO")
    ex.doi_hints = _values(entry, "M3", "UR", "L3")
    ex.issns = _values(entry, "SN")
    ex.eissns = _values(entry, "EI")
    ex.journals = _values(entry, "JF", "T2", "JO", "JA", "J2")
    ex.books = _values(entry, "BT")
    ex.publisher = _first(entry, "PB", "PU")
    ex.volume = _first(entry, "VL")
    ex.issue = _first(entry, "IS")
    ex.first_page = _first(entry, "SP")
    ex.last_page = _first(entry, "EP")
    ex.article_number = _first(entry, "C7")
    ex.years = _values(entry, "PY", "Y1")
    ex.dates = _values(entry, "DA")
    ex.language = _first(entry, "LA")
    ex.urls = _values(entry, "UR", "L2")
    if re.search(r"pubmed|medline|\bnlm\b", db, re.IGNORECASE):
        ex.pmids = _values(entry, "AN")
    ex.pmid_hints = _values(entry, "N1", "M1", "C1", "C2")
    ex.authors = [person(tag, text) for tag, text in (_values(entry, "AU") or _values(entry, "A1"))]
    ex.affiliations = _values(entry, "AD")
    ex.database = " ".join(entry.get("DB", [])).strip() or None
    return ex
