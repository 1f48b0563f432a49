"""Crossref works (the REST API's ``message``, the public data file's items) to kg records.

:func:`parse_work` reads one work. How each field maps is in docs/sources.md;
in short:

- ``type`` picks the FaBiO class (:data:`KINDS`); works of other types (peer
  reviews, journal issues, components, ...) are skipped and counted;
- ``issn-type`` tells print from electronic ISSNs; an ISSN listed without a
  type is kept as an ISSN of unknown medium (kg does not guess);
- ``update-to`` makes the work a notice that gives a status to other works
  (retraction -> retracted, correction -> corrected, ...); ``updated-by`` gives
  the work its own statuses. Their ``source`` (publisher or retraction-watch)
  and ``record-id`` become the provenance of the status;
- ``reference`` gives the work's reference list (kg/readers/references.py): each
  entry's DOI, key and text; a bad entry is left out or loses its DOI, with a
  warning, and never rejects the work.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from kg.errors import Location, RecordError
from kg.readers import fields
from kg.readers.base import Skipped
from kg.readers.context import ReaderContext
from kg.readers.normalize import (
    check_url,
    language_code,
    language_tag,
    split_pages,
    strip_retracted_prefix,
)
from kg.readers.references import crossref_references, without_self
from kg.records import (
    CONTAINER_KIND,
    Author,
    Container,
    Isbns,
    Journal,
    Notice,
    Organization,
    Record,
    Source,
    Status,
    Update,
)

# Crossref work type -> kind of kg record (its FaBiO class: kg/mapping/mapper.py KIND_CLASS)
KINDS = {
    "journal-article": "journal-article",
    "book-chapter": "book-chapter",
    "proceedings-article": "proceedings-article",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "posted-content": "preprint",
    "report": "report",
    "dissertation": "thesis",
    "dataset": "dataset",
    "reference-entry": "reference-entry",
}
# kinds published in a journal: they get journal, volume and issue
_IN_JOURNAL = {"journal-article", "retraction-notice", "correction"}

# Crossref update type -> (status, reason to record with it)
UPDATES: dict[str, tuple[str, str | None]] = {
    "retraction": ("retracted", None),
    "withdrawal": ("retracted", "Withdrawal"),
    "removal": ("retracted", "Removal"),
    "partial_retraction": ("corrected", "Partial retraction"),
    "correction": ("corrected", None),
    "erratum": ("corrected", None),
    "corrigendum": ("corrected", None),
    "expression_of_concern": ("expression-of-concern", None),
    "reinstatement": ("reinstated", None),
}
_NOTICE_KINDS = {"retracted": "retraction-notice", "corrected": "correction"}


class _Work(ReaderContext):
    """Reads one Crossref work, keeping the origin for messages."""

    def __init__(self, data: Mapping[str, Any], origin: Location) -> None:
        super().__init__(origin)
        self.d = data

    def texts(self, field: str, *, single_line: bool = True) -> list[str]:
        value = self.d.get(field)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str):
                raise self.fail(field, f"expected text, got {type(item).__name__}")
            text = self.plain(field, item, single_line=single_line)
            if text:
                out.append(text)
        return out

    def date(self, field: str) -> str | None:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from a Crossref date object."""
        value = self.d.get(field)
        if not isinstance(value, Mapping):
            return None
        return _date_parts(self, field, value)


def _date_parts(w: _Work, field: str, value: Mapping[str, Any]) -> str | None:
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        return None
    first = parts[0]
    if first == [None]:
        return None
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in first[:3]):
        raise w.fail(field, f"date-parts {first!r} are not numbers")
    year, *rest = first[:3]
    if not 1 <= year <= 9999 or any(not 1 <= p <= 31 for p in rest) or (rest and rest[0] > 12):
        raise w.fail(field, f"date-parts {first!r} are not a date")
    return fields.partial_date(year, *rest)


def parse_work(data: Any, origin: Location) -> Record | Skipped:
    """Turn one Crossref work into a :class:`Record`, or a :class:`Skipped` for
    a type kg does not map.

    :raises RecordError: naming the field that cannot be read.
    """
    if not isinstance(data, Mapping):
        raise RecordError(
            origin, f"expected a Crossref work (an object), got {type(data).__name__}"
        )
    w = _Work(data, origin)
    crossref_type = data.get("type")
    kind = KINDS.get(crossref_type) if isinstance(crossref_type, str) else None
    if kind is None:
        return Skipped(str(crossref_type or "no type"), origin)

    raw_doi = data.get("DOI")
    if not isinstance(raw_doi, str):
        raise w.fail("DOI", "a Crossref work needs a DOI")
    doi = fields.required_id(w, "DOI", raw_doi, "doi")
    rec = Record(origin=Location(origin.path, f"{origin.record} [{doi}]"), kind=kind, doi=doi)
    w.origin = rec.origin

    lang = "und"
    if isinstance(data.get("language"), str):
        try:
            rec.language = language_code(data["language"])
            lang = language_tag(data["language"])
        except ValueError as e:
            w.warn("language", f"{e}; left out")

    rec.updates = _updates(w, doi)
    notice_of = {u.status.kind for u in rec.updates} & set(_NOTICE_KINDS)
    if notice_of and kind == "journal-article":
        rec.kind = _NOTICE_KINDS["retracted" if "retracted" in notice_of else "corrected"]

    titles = w.texts("title")  # none: the work is still known by its DOI (the shapes warn)
    for title in titles:
        # "Retracted: ..." is how notices are titled; only a work that is not a
        # notice shows that it is itself retracted this way
        stripped = None if rec.kind != kind or notice_of else strip_retracted_prefix(title)
        if stripped is not None:
            rec.shown_title = rec.shown_title or (title, lang)
        rec.titles.append((stripped or title, lang))
    rec.titles = list(dict.fromkeys(rec.titles))
    rec.subtitles = [(t, lang) for t in w.texts("subtitle")]
    rec.abstracts = [(t, lang) for t in w.texts("abstract", single_line=False)]

    issued = w.date("issued") or w.date("published")
    if issued:
        rec.year = int(issued[:4])
        rec.date = issued if len(issued) == 10 else None
    rec.printed = w.date("published-print")
    rec.online = w.date("published-online")

    if rec.kind in _IN_JOURNAL:
        rec.journal = _journal(w)
        rec.volume = _string(w, "volume")
        rec.issue = _string(w, "issue")
    elif kind in CONTAINER_KIND:
        rec.container = _container(w, CONTAINER_KIND[kind])
    elif kind in ("book", "report"):  # the book's own ISBNs; the series it is in
        rec.isbns = _isbns(w) if kind == "book" else None
        rec.series = _series(w, w.texts("container-title")[:1])
    page = _string(w, "page")
    pages = w.lenient("page", split_pages, page) if page else None
    if pages:
        rec.first_page, rec.last_page, rec.page_range = pages

    rec.authors = _authors(w)
    rec.subjects = w.texts("subject")
    rec.licenses = _licenses(w)
    resource = data.get("resource")
    if isinstance(resource, Mapping) and isinstance(resource.get("primary"), Mapping):
        url = resource["primary"].get("URL")
        if isinstance(url, str):
            rec.url = w.lenient("resource.primary.URL", check_url, url)
    rec.statuses = _own_statuses(w)
    fields.retracted_by_title(rec, [Source(name="Crossref")])
    refs = crossref_references(w, data.get("reference"))
    rec.references = without_self(w, refs, rec.doi, rec.pmid, "reference")
    rec.issues = w.issues
    return rec


def _string(w: _Work, field: str) -> str | None:
    value = w.d.get(field)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise w.fail(field, f"expected text, got {type(value).__name__}")
    text = " ".join(str(value).split())
    return text or None


def _journal(w: _Work) -> Journal | None:
    j = Journal(titles=[(t, "und") for t in w.texts("container-title")[:1]])
    _issns(w, j)
    publisher = _clean(w, "publisher", w.d.get("publisher"))
    if publisher:
        j.publisher = Organization(names=[(publisher, "und")])
    if not j.titles and not j.issns():
        return None
    return j


def _issns(w: _Work, j: Journal) -> None:
    """``issn-type`` (print, electronic) and ``ISSN`` (medium not said) into ``j``."""
    typed: dict[str, list[str]] = {}
    for i, entry in enumerate(w.d.get("issn-type") or []):
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), str):
            typed.setdefault(str(entry.get("type")), []).append(
                fields.issn(w, f"issn-type[{i}]", entry["value"])
            )
    j.issn_print = next(iter(typed.get("print", [])), None)
    j.issn_online = next(iter(typed.get("electronic", [])), None)
    known = {i for values in typed.values() for i in values}
    for i, value in enumerate(w.d.get("ISSN") or []):
        if not isinstance(value, str):
            continue
        issn = fields.issn(w, f"ISSN[{i}]", value)
        if issn in known:
            continue
        known.add(issn)
        j.issns_unknown.append(issn)  # no type: print or online is not said


def _isbns(w: _Work) -> Isbns:
    """``isbn-type`` (print, electronic) and ``ISBN`` (medium not said)."""
    isbns = Isbns()
    for i, entry in enumerate(w.d.get("isbn-type") or []):
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), str):
            isbn = fields.lenient_id(w, f"isbn-type[{i}]", entry["value"], "isbn")
            medium = entry.get("type")
            if isbn:
                isbns.add(isbn, medium if medium in ("print", "electronic") else None)
    for i, value in enumerate(w.d.get("ISBN") or []):
        isbn = fields.lenient_id(w, f"ISBN[{i}]", value, "isbn") if isinstance(value, str) else None
        if isbn:
            isbns.add(isbn, None)
    return isbns


def _series(w: _Work, titles: list[str]) -> Journal | None:
    """The series a book, proceedings volume or report is in: a title and the work's ISSNs."""
    series = Journal(titles=[(t, "und") for t in titles])
    _issns(w, series)
    return series if series.issns() else None


def _container(w: _Work, kind: str) -> Container | None:
    """A chapter's book, a paper's proceedings: the first ``container-title``, the ISBNs,
    the publisher; with ISSNs, the series (the next ``container-title``)."""
    names = w.texts("container-title")
    c = Container(kind=kind, titles=[(t, "und") for t in names[:1]], isbns=_isbns(w))
    publisher = _clean(w, "publisher", w.d.get("publisher"))
    if publisher:
        c.publisher = Organization(names=[(publisher, "und")])
    c.series = _series(w, names[1:2])
    return None if c.is_empty() else c


def _authors(w: _Work) -> list[Author]:
    raw = w.d.get("author") or []
    if not isinstance(raw, list):
        raise w.fail("author", "expected a list of authors")
    # the list is in order; "sequence": "first" marks the first author
    ordered = sorted(enumerate(raw), key=lambda ia: (not _is_first(ia[1]), ia[0]))
    authors = []
    for i, a in ordered:
        field = f"author[{i}]"
        if not isinstance(a, Mapping):
            raise w.fail(field, "expected an object")
        given = _clean(w, f"{field}.given", a.get("given"))
        family = _clean(w, f"{field}.family", a.get("family"))
        name = _clean(w, f"{field}.name", a.get("name")) or fields.shown_name(given, family)
        if not name:
            w.warn(field, "an author with no name is left out")
            continue
        author = Author(name=name, family=family, given=given)
        if isinstance(a.get("ORCID"), str):
            author.orcid = fields.lenient_id(w, f"{field}.ORCID", a["ORCID"], "orcid")
        for j, aff in enumerate(a.get("affiliation") or []):
            org = _affiliation(w, f"{field}.affiliation[{j}]", aff)
            if org is not None:
                author.affiliations.append(org)
        authors.append(author)
    return authors


def _is_first(a: Any) -> bool:
    return isinstance(a, Mapping) and a.get("sequence") == "first"


def _clean(w: _Work, field: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return w.plain(field, value) or None


# An affiliation read without a word to say (no warning, no repair): (name, ROR ids) ->
# (name, ROR id), or None where it names nothing. Most affiliations come again and again
# (an institution's authors): reading them was about a sixth of reading a generated
# Crossref work (cProfile), and taking them from here about a tenth of that.
_AFFILIATIONS: dict[tuple[str | None, tuple[str, ...]], tuple[str | None, str | None] | None] = {}
_AFFILIATIONS_MAX = 50_000


def _affiliation(w: _Work, field: str, aff: Any) -> Organization | None:
    if not isinstance(aff, Mapping):
        return None
    name, ids = aff.get("name"), aff.get("id") or []
    key = None
    if (name is None or isinstance(name, str)) and isinstance(ids, list):
        rors = tuple(
            i.get("id")
            for i in ids
            if isinstance(i, Mapping) and str(i.get("id-type", "")).upper() == "ROR"
        )
        if all(isinstance(r, str) for r in rors):
            key = (name, cast("tuple[str, ...]", rors))
            if key in _AFFILIATIONS:
                known = _AFFILIATIONS[key]
                if known is None:
                    return None
                return Organization(names=[(known[0], "und")] if known[0] else [], ror=known[1])
    issues = len(w.issues)
    org = _read_affiliation(w, field, aff)
    if key is not None and len(w.issues) == issues and len(_AFFILIATIONS) < _AFFILIATIONS_MAX:
        _AFFILIATIONS[key] = (
            None if org is None else (org.names[0][0] if org.names else None, org.ror)
        )
    return org


def _read_affiliation(w: _Work, field: str, aff: Mapping[str, Any]) -> Organization | None:
    org = Organization()
    name = _clean(w, f"{field}.name", aff.get("name"))
    if name:
        org.names.append((name, "und"))
    for k, ident in enumerate(aff.get("id") or []):
        if isinstance(ident, Mapping) and str(ident.get("id-type", "")).upper() == "ROR":
            raw = ident.get("id")
            ror = fields.lenient_id(
                w, f"{field}.id[{k}]", str(ident.get("id", "")), "ror", shown=repr(raw)
            )
            org.ror = org.ror or ror
    return org if org.names or org.ror else None


def _licenses(w: _Work) -> list[str]:
    out = []
    for i, lic in enumerate(w.d.get("license") or []):
        url = lic.get("URL") if isinstance(lic, Mapping) else None
        checked = w.lenient(f"license[{i}].URL", check_url, url) if isinstance(url, str) else None
        if checked:
            out.append(checked)
    return list(dict.fromkeys(out))


def _status(w: _Work, field: str, u: Mapping[str, Any], notice_doi: str) -> Status | None:
    """A status from an ``update-to`` or ``updated-by`` entry (None for other updates)."""
    utype = str(u.get("type", "")).lower().replace("-", "_").replace(" ", "_")
    if utype not in UPDATES:
        w.warn(f"{field}.type", f"update type {u.get('type')!r} is not a status kg records")
        return None
    kind, reason = UPDATES[utype]
    updated = u.get("updated")
    date = _date_parts(w, f"{field}.updated", updated) if isinstance(updated, Mapping) else None
    status = Status(
        kind,
        date=date if date and len(date) == 10 else None,
        notice=Notice(doi=notice_doi),
        reasons=[reason] if reason else [],
    )
    if u.get("source") == "retraction-watch":
        record_id = u.get("record-id")
        status.sources.append(
            Source(name="Retraction Watch", record_id=str(record_id) if record_id else None)
        )
    else:  # the publisher, through its notice
        status.sources.append(Source(doi=notice_doi))
    return status


def _linked(w: _Work, key: str) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """(field, entry, the DOI it names) for each entry of ``update-to`` or ``updated-by``."""
    for i, u in enumerate(w.d.get(key) or []):
        if not isinstance(u, Mapping):
            continue
        field = f"{key}[{i}]"
        doi = str(u.get("DOI", ""))
        yield field, u, fields.required_id(w, f"{field}.DOI", doi, "doi", shown=repr(u.get("DOI")))


def _updates(w: _Work, doi: str) -> list[Update]:
    """The statuses this work, a notice, gives the works it names (``update-to``)."""
    out = []
    for field, u, target in _linked(w, "update-to"):
        status = _status(w, field, u, doi)
        if status is not None:
            out.append(Update(target, status))
    return out


def _own_statuses(w: _Work) -> list[Status]:
    """The statuses the notices named in ``updated-by`` give this work."""
    statuses = (_status(w, field, u, notice) for field, u, notice in _linked(w, "updated-by"))
    return [s for s in statuses if s is not None]
