"""Retraction Watch database rows (CSV, the 20 official columns or some of them) to kg records.

Each row is one retracted (or corrected, ...) paper: the row's record says
what the paper is (title, journal, authors, original date and DOI) and what
happened to it (``RetractionNature`` on ``RetractionDate``, announced by the
notice ``RetractionDOI``, for the ``Reason`` list), with the Record ID as the
provenance of that status. Institutions and countries are kept as given, for
the paper as a whole, since the database does not say which author they
belong to. docs/sources.md has the details.

Names and titles given in two scripts, ``Ivan Petrovich (Иван Петрович) Sidorov
(Сидоров)`` and ``Title (Заголовок)``, become one person with a name in each
script (:class:`~kg.records.ScriptName`: ``ru`` and ``ru-Latn``, given and family
names for both), and a title in each (the Cyrillic tagged with its language).
Cyrillic in all capitals takes the case of the Latin form. A part in parentheses
that is not Cyrillic (``O V (O B)``, with Latin letters) is left out with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.context import RowContext
from kg.readers.normalize import has_mojibake
from kg.records import (
    Author,
    Journal,
    LangText,
    Notice,
    Organization,
    Record,
    ScriptName,
    Source,
    Status,
)

NATURES = {
    "retraction": "retracted",
    "correction": "corrected",
    "expression of concern": "expression-of-concern",
    "reinstatement": "reinstated",
}
_MISSING = {"", "unavailable", "not available", "n/a", "na", "none", "0"}
# ``Given (Имя) Family (Фамилия)``, and ``Name (Имя)``
_GIVEN_FAMILY = re.compile(
    r"^(?P<given>[^()]*?\S)\s*\((?P<given_c>[^()]*)\)\s*(?P<family>[^()]*?\S)\s*"
    r"\((?P<family_c>[^()]*)\)$"
)
_NAME = re.compile(r"^(?P<family>[^()]*?\S)\s*\((?P<family_c>[^()]*)\)$")
_DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


class _Row(RowContext):
    """One row's cells, read with the origin at hand for messages."""

    def value(self, column: str) -> str | None:
        """The cell as one line of text, or None when it is absent or says it is missing."""
        text = self.cell(column)
        return None if text is None or text.lower() in _MISSING else text

    def list(self, column: str) -> list[str]:
        value = self.value(column)
        if value is None:
            return []
        return [p for p in (part.strip() for part in value.split(";")) if p]


def parse_date(text: str) -> str:
    """``YYYY-MM-DD`` from Retraction Watch's ``2/2/2010 0:00`` (and ISO dates).

    >>> parse_date("9/27/2023 0:00")
    '2023-09-27'
    """
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 9/27/2023 0:00")


def author(r: RowContext, text: str) -> Author:
    """An author as given, or with a name in each script where it is given in two
    (``Ivan Petrovich (Иван Петрович) Sidorov (Сидоров)``).

    >>> row = RowContext({}, Location("rw.csv"))
    >>> a = author(row, "I Sh (И ШАМИЛЕВИЧ) Mukhametzyanov (МУХАМЕТЗЯНОВ)")
    >>> [(s.lang, s.name, s.family, s.given) for s in a.scripts]
    [('ru', 'И Шамилевич Мухаметзянов', 'Мухаметзянов', 'И Шамилевич'), \
('ru-Latn', 'I Sh Mukhametzyanov', 'Mukhametzyanov', 'I Sh')]
    """
    m = _GIVEN_FAMILY.match(text) or _NAME.match(text)
    if m is None:
        return Author(name=text)
    parts = m.groupdict()
    family, family_c = parts["family"].strip(), parts["family_c"].strip()
    given, given_c = (parts.get("given") or "").strip(), (parts.get("given_c") or "").strip()
    if not fields.is_cyrillic(family_c):
        if fields.is_cyrillic(given_c) or family_c:
            _not_cyrillic(r, family_c or given_c, text)
        return Author(name=text)
    if given_c and not fields.is_cyrillic(given_c):
        _not_cyrillic(r, given_c, text)
        given_c = ""
    lang = fields.cyrillic_language(f"{given_c} {family_c}")
    family_c, family = fields.match_case(family_c, family), fields.match_case(family, family_c)
    if given_c:
        given_c, given = fields.match_case(given_c, given), fields.match_case(given, given_c)
    shown = fields.shown_name(given, family)
    return Author(
        name=shown,
        family=family if given else None,
        given=given or None,
        scripts=[
            ScriptName(
                lang,
                fields.shown_name(given_c, family_c),
                family_c if given else None,
                given_c or None,
            ),
            ScriptName(f"{lang}-Latn", shown, family if given else None, given or None),
        ],
    )


def _not_cyrillic(r: RowContext, part: str, text: str) -> None:
    if part and not fields.is_cyrillic(part):
        r.warn("Author", f"{part!r} in {text!r} is not a name in Cyrillic; left out")


def titles(r: RowContext, column: str, text: str, *, markup: bool = True) -> list[LangText]:
    """A title (or a name: ``markup=False``, kept as given), or one in Latin and one in
    Cyrillic (``Title (Заголовок)``), tagged; a Cyrillic one that lost bytes to a broken
    encoding is left out, with a warning."""
    title = r.plain(column, text) if markup else text
    parts = fields.final_parentheses(title)
    if parts is not None and has_mojibake(parts[1]) and not has_mojibake(parts[0]):
        r.warn(column, f"{parts[1]!r} is in a broken encoding that lost bytes; left out")
        return [(parts[0], "und")]
    both = fields.two_scripts(title)
    if both is None:
        return [(title, "und")]
    return [(both[0], "und"), (both[1], fields.cyrillic_language(both[1]))]


def parse_row(row: Any, origin: Location) -> Record:
    """Turn one Retraction Watch row (a dict of column -> text) into a :class:`Record`.

    :raises RecordError: naming the column that cannot be read.
    """
    if not isinstance(row, Mapping):
        raise RecordError(origin, "expected a Retraction Watch row")
    r = _Row(row, origin)
    fail = r.fail
    record_id = r.value("Record ID")
    if record_id is not None:
        r.origin = Location(origin.path, f"{origin.record} [Record ID {record_id}]")
    rec = Record(origin=r.origin)

    doi_text = r.value("OriginalPaperDOI")
    if doi_text is not None:
        rec.doi = fields.required_id(r, "OriginalPaperDOI", doi_text, "doi")
    title = r.value("Title")
    if title is None and rec.doi is None:  # a DOI names a work without a title
        raise fail("Title", "the row has no title and no OriginalPaperDOI")
    rec.titles = titles(r, "Title", title) if title is not None else []
    pmid = r.value("OriginalPaperPubMedID")
    if pmid is not None and pmid.isdigit():
        rec.pmid = pmid
    date = r.value("OriginalPaperDate")
    if date is not None:
        rec.date = r.read("OriginalPaperDate", parse_date, date)
        rec.year = int(rec.date[:4])

    article_type = (r.value("ArticleType") or "").lower()
    if "book chapter" in article_type:
        rec.kind = "book-chapter"
    elif "conference" in article_type:
        rec.kind = "proceedings-article"
    journal = r.value("Journal")
    if journal and rec.kind == "journal-article":
        rec.journal = Journal(titles=titles(r, "Journal", journal))
        publisher = r.value("Publisher")
        if publisher:
            rec.journal.publisher = Organization(
                names=titles(r, "Publisher", publisher, markup=False)
            )
    rec.authors = [author(r, name) for name in r.list("Author")]
    rec.subjects = r.list("Subject")
    rec.affiliations = [
        Organization(names=titles(r, "Institution", name, markup=False))
        for name in r.list("Institution")
    ]
    rec.countries = r.list("Country")

    nature = (r.value("RetractionNature") or "Retraction").lower()
    kind = NATURES.get(nature)
    if kind is None:
        known = ", ".join(n.capitalize() for n in NATURES)
        raise fail("RetractionNature", f"{nature!r} is not one of {known}")
    status = Status(kind)
    when = r.value("RetractionDate")
    if when is not None:
        status.date = r.read("RetractionDate", parse_date, when)
    notice = r.value("RetractionDOI")
    if notice is not None:
        status.notice = Notice(doi=fields.required_id(r, "RetractionDOI", notice, "doi"))
    status.reasons = [r.lstrip("+").strip() for r in r.list("Reason") if r.lstrip("+").strip()]
    status.sources = [Source(name="Retraction Watch", record_id=record_id)]
    rec.statuses = [status]
    rec.issues = r.issues
    return rec
