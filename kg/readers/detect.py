"""What a file holds, told from its content first and its name only where the content
cannot say: records of one of kg's readers, records kg does not read yet, or no records
at all (RDF, a JSON-LD context, a licence, ...).

:func:`detect` looks at the first bytes of a file (decompressed): RIS ``TY  -`` and
MEDLINE ``PMID-`` lines, BibTeX ``@article{``, the shape of JSON (Crossref works,
kg's own records, CSL-JSON, JSON-LD, ROR records), the root element of XML (JATS
``<article>``, PubMed ``<PubmedArticleSet>``, HTML), Turtle and N-Triples, and
the header of CSV (Retraction Watch, OpenCitations, kg's own columns). The
extension decides only what the content leaves open (plain text, an empty file,
a CSV whose columns say nothing). :func:`syntax_for` gives the syntax a reader
chosen with ``--from`` reads a file in, whatever its extension.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import re
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kg.readers.base import open_binary, syntax_of
from kg.readers.native import RECORD_FIELDS

HEAD = 65536  # bytes read to tell a file's format
JSON_HEAD = 1 << 20  # more for JSON whose first record does not fit in HEAD


@dataclass(frozen=True, slots=True)
class Format:
    """What a file holds.

    ``reader`` reads its records (None: kg reads no records from it);
    ``syntax`` is how they are written (json, jsonl, yaml, csv, ris, bibtex,
    xml, html, text); ``sure`` is False where only the name told; ``later``
    marks records kg does not read yet; ``detail`` names what was seen (the
    columns, the root element), for messages.
    """

    kind: str
    reader: str | None = None
    syntax: str | None = None
    sure: bool = True
    later: bool = False
    detail: str = ""

    @property
    def label(self) -> str:
        """The kind as a build summary lists it."""
        return f"{self.kind}, not read yet" if self.later else self.kind


EMPTY = Format("empty file", sure=False)
UNREADABLE = Format("file that cannot be read", sure=False)
UNKNOWN_TEXT = Format("text of unknown format", sure=False)

# the reader of each syntax, when only the extension tells
EXTENSION_READERS = {
    "json": "native",
    "jsonl": "native",
    "yaml": "native",
    "csv": "native",
    "ris": "ris",
    "bibtex": "bibtex",
    "xml": "jats",
    "html": "page",
    "text": "page",
}
_NAMES = {
    "json": "JSON",
    "jsonl": "JSON Lines",
    "yaml": "YAML",
    "csv": "CSV",
    "ris": "RIS",
    "bibtex": "BibTeX",
    "xml": "XML",
    "html": "HTML",
    "text": "text",
}
# text files that are documentation, not records
_DOCUMENTS = {".md": "Markdown text", ".markdown": "Markdown text", ".rst": "reStructuredText"}

# --- reading the head -------------------------------------------------------------------


def read_head(path: Path, size: int = HEAD) -> tuple[bytes, bool]:
    """Up to ``size`` bytes from the start of a file (decompressed), and whether that is
    all of it; as far as they can be read (the reader says what is wrong with the file)."""
    chunks: list[bytes] = []
    got = 0
    try:
        with open_binary(path) as f:
            while got < size:
                chunk = f.read1(size - got)  # type: ignore[attr-defined]
                if not chunk:
                    return b"".join(chunks), True
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks), not f.read1(1)  # type: ignore[attr-defined]
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return b"".join(chunks), False


def is_empty(path: Path) -> bool:
    """Whether a file holds nothing but white space (and a byte-order mark)."""
    try:
        with open_binary(path) as f:
            first = True
            while chunk := f.read(HEAD):
                if first:
                    chunk = chunk.removeprefix(codecs.BOM_UTF8)
                    first = False
                if chunk.strip():
                    return False
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return False  # the reader says what is wrong with it
    return True


def _text(data: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    return data.decode("utf-8-sig", "replace")


def _binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > max(4, len(head) // 10)


# --- the content --------------------------------------------------------------------------

_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_RIS = re.compile(r"^TY  -", re.MULTILINE)
_BIBTEX = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_TURTLE = re.compile(
    r"^[ \t]*(?:@prefix[ \t]+[\w.-]*:|@base[ \t]+<|PREFIX[ \t]+[\w.-]*:[ \t]*<|BASE[ \t]+<)",
    re.MULTILINE | re.IGNORECASE,
)
_NTRIPLES = re.compile(r"^(?:<[^>\s]*>|_:\S+)[ \t]+<[^>\s]*>[ \t]+\S")
_ROR_TABLE = re.compile(
    r"^[^\t\n]+\t(?:https://ror\.org/)?0[a-z0-9]{6}[0-9]{2}[ \t]*$", re.MULTILINE
)


def sniff(data: bytes, complete: bool = True) -> Format | None:
    """What the first bytes of a file say it holds, or None when they do not say
    (plain text, white space).

    ``complete`` says whether ``data`` is the whole file.
    """
    if not data.strip() or not data.removeprefix(codecs.BOM_UTF8).strip():
        return None
    text = _text(data)
    body = text.lstrip()
    if not body:  # control characters Python counts as white space
        return Format("binary data")
    if body[0] in "{[":
        return _json(body, complete)
    first = next((ln for ln in body.splitlines() if ln.strip() and ln[0] != "#"), "")
    if _NTRIPLES.match(first):
        return Format("RDF (N-Triples or N-Quads)")
    if body[0] == "<":
        found = _markup(body)
        if found is not None:
            return found
    lines = text[:8192]
    if _MEDLINE.search(lines):
        return Format("MEDLINE (PubMed)", reader="medline", syntax="text")
    if _RIS.search(lines):
        return Format("RIS", "ris", "ris")
    if _TURTLE.search(lines):
        return Format("RDF (Turtle)")
    if _BIBTEX.search(text):
        return Format("BibTeX", "bibtex", "bibtex")
    if _ROR_TABLE.search(lines):
        return Format("organisation names table (kg build --organisations)")
    found = _csv(body)
    if found is None and _binary(data):  # a stray control character in records is theirs
        return Format("binary data")
    return found


# --- JSON ---------------------------------------------------------------------------------

# types only CSL-JSON uses (Crossref's and kg's own are spelt otherwise)
_CSL_TYPES = {
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "paper-conference",
    "chapter",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "manuscript",
    "post",
    "post-weblog",
    "webpage",
    "personal_communication",
    "interview",
    "legal_case",
    "legislation",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "review",
    "review-book",
    "song",
    "speech",
    "broadcast",
    "graphic",
    "figure",
    "map",
    "thesis",
}
# keys CSL-JSON and Crossref works share, and kg's own records spell otherwise
_CSL_KEYS = {
    "DOI",
    "URL",
    "ISSN",
    "ISBN",
    "PMID",
    "PMCID",
    "author",
    "editor",
    "issued",
    "container-title",
    "citation-key",
    "page",
    "publisher",
    "accessed",
}
# Crossref's types (CSL-JSON shares book, report, dataset and standard)
_CROSSREF_TYPES = {
    "journal-article",
    "book-chapter",
    "proceedings-article",
    "posted-content",
    "dissertation",
    "peer-review",
    "component",
    "journal-issue",
    "journal-volume",
    "journal",
    "edited-book",
    "monograph",
    "reference-book",
    "book",
    "book-section",
    "book-part",
    "book-track",
    "book-set",
    "book-series",
    "reference-entry",
    "report",
    "report-component",
    "report-series",
    "proceedings",
    "proceedings-series",
    "dataset",
    "standard",
    "standard-series",
    "grant",
    "database",
    "other",
}
# keys only Crossref works have
_CROSSREF_KEYS = {
    "message-type",
    "issn-type",
    "published-print",
    "published-online",
    "is-referenced-by-count",
    "reference-count",
    "update-to",
    "updated-by",
    "indexed",
    "deposited",
    "member",
    "prefix",
    "content-domain",
    "short-container-title",
}
# the same, as text, for JSON whose first record is too long to decode
_CROSSREF_TEXT = re.compile(
    r'"(?:DOI|message-type|issn-type|container-title|published-print|published-online|'
    r'is-referenced-by-count|update-to|updated-by|reference-count)"\s*:'
)


def _json(body: str, complete: bool) -> Format:
    """Crossref works, kg's records, CSL-JSON, JSON-LD, ROR records, in JSON or JSON Lines."""
    value: Any = None
    syntax: str | None = "json"
    decoder = json.JSONDecoder()
    try:
        value, end = decoder.raw_decode(body)
    except json.JSONDecodeError:
        value, syntax = None, None  # cut short or broken: JSON or JSON Lines, as named
    else:
        rest = body[end:].lstrip()
        if rest[:1] in ("{", "["):
            syntax = "jsonl"  # a second value follows the first: JSON Lines
    items = _items(value) if value is not None else _first_items(body)
    kinds = [k for k in (_item_kind(i) for i in items) if k is not None]
    if isinstance(value, dict) and "@context" in value:
        extra = set(value) - {"@context", "@version", "@comment"}
        return Format("JSON-LD context" if not extra else "JSON-LD (linked data)")
    if not kinds and isinstance(value, dict) and ("message-type" in value or "items" in value):
        return Format("Crossref works (JSON)", "crossref", syntax)  # a response with no work
    if "csl" in kinds:
        return Format("CSL-JSON", reader="csl", syntax=syntax)
    for kind in kinds:
        if kind == "crossref":
            return Format("Crossref works (JSON)", "crossref", syntax)
        if kind == "native":
            return Format("kg records (JSON)", "native", syntax)
        if kind == "jsonld":
            return Format("JSON-LD (linked data)")
        if kind == "ror":
            return Format("ROR organisation records (JSON)")
        if kind == "other":
            keys = ", ".join(sorted(k for i in items[:1] if isinstance(i, dict) for k in i)[:8])
            return Format("JSON of another kind", syntax=syntax, detail=f"keys {keys}")
    if value is None and _CROSSREF_TEXT.search(body):
        return Format("Crossref works (JSON)", "crossref", syntax)
    return Format("JSON", syntax=syntax, sure=False)  # no record to tell by (e.g. [])


def _items(value: Any) -> list[Any]:
    """The first records of a decoded JSON value (a response, a list, a wrapper)."""
    if isinstance(value, dict):
        message = value.get("message")
        if isinstance(message, dict):
            value = message
        for key in ("items", "records"):
            if isinstance(value, dict) and isinstance(value.get(key), list):
                return list(value[key][:20])
        return [value]
    if isinstance(value, list):
        return list(value[:20])
    return []


_ITEMS = re.compile(r'"(?:items|records)"\s*:\s*\[')


def _first_items(body: str) -> list[Any]:
    """The records that can be decoded from the start of a JSON text cut short."""
    m = _ITEMS.search(body)
    pos = m.end() if m is not None else (1 if body.startswith("[") else -1)
    if pos < 0:
        return []
    decoder = json.JSONDecoder()
    items: list[Any] = []
    while len(items) < 20:
        while pos < len(body) and body[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(body, pos)
        except json.JSONDecodeError:
            break
        items.append(item)
    return items


def _item_kind(item: Any) -> str | None:
    """crossref, csl, native, jsonld, ror or other, for one JSON record; None for no object."""
    if not isinstance(item, dict) or not item:
        return None
    keys = set(item)
    if "@context" in keys or "@id" in keys or "@type" in keys:
        return "jsonld"
    if str(item.get("id", "")).startswith("https://ror.org/"):
        return "ror"
    kind = item.get("type")
    if kind in _CSL_TYPES:
        return "csl"
    if isinstance(item.get("title"), list) or isinstance(item.get("container-title"), list):
        return "crossref"
    if keys & _CSL_KEYS and isinstance(item.get("title"), str):
        return "csl"  # CSL-JSON gives a title as a text, Crossref as a list
    if keys & _CROSSREF_KEYS:
        return "crossref"
    if keys & _CSL_KEYS:
        return "crossref" if kind in _CROSSREF_TYPES else "csl"
    if keys & RECORD_FIELDS:
        return "native"
    return "other"


# --- XML and HTML ---------------------------------------------------------------------------

_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+([A-Za-z_][\w.:-]*)[^>\[]*(?:\[.*?\]\s*)?>)",
    re.DOTALL | re.IGNORECASE,
)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_HTML_ROOTS = {"html", "head", "body", "meta", "title", "div", "p"}
_PUBMED_ROOTS = {"PubmedArticleSet", "PubmedArticle", "PubmedBookArticleSet", "PubmedBookArticle"}


def _markup(body: str) -> Format | None:
    """JATS, PubMed XML, HTML, RDF/XML or other XML, from the root element."""
    pos = 0
    doctype = None
    while True:
        m = _PROLOG.match(body, pos)
        if m is None or m.end() == pos:
            break
        doctype = doctype or m.group(1)
        pos = m.end()
    m = _ROOT.match(body, pos)
    root = m.group(1) if m is not None else doctype
    if root is None:
        return None
    local = root.rsplit(":", 1)[-1]
    if (doctype or "").lower() == "html" or local.lower() in _HTML_ROOTS:
        return Format("HTML (a landing page)", "page", "html")
    if local in ("article", "pmc-articleset"):
        return Format("JATS XML", "jats", "xml")
    if local in _PUBMED_ROOTS:
        return Format("PubMed XML", reader="pubmed", syntax="xml", detail=f"root element <{root}>")
    if local == "RDF":
        return Format("RDF (RDF/XML)")
    return Format("XML of another kind", syntax="xml", detail=f"root element <{root}>")


# --- CSV ------------------------------------------------------------------------------------

# the twenty columns of the Retraction Watch data, and those only it has
RW_COLUMNS = {
    "Record ID",
    "Title",
    "Subject",
    "Institution",
    "Journal",
    "Publisher",
    "Country",
    "Author",
    "URLS",
    "ArticleType",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
    "Paywalled",
    "Notes",
}
_RW_ONLY = {
    "Record ID",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
}


def csv_columns(body: str) -> list[str]:
    """The cells of a CSV text's first line."""
    first = body.lstrip("\ufeff").splitlines()[:1]
    try:
        return [c.strip() for c in next(csv.reader(first), [])]
    except csv.Error:
        return []


def _csv(body: str) -> Format | None:
    """A CSV of Retraction Watch, OpenCitations or kg's own columns, from its header; a
    CSV whose columns say nothing is left to its extension (syntax csv, not sure)."""
    columns = csv_columns(body)
    names = set(columns)
    if len(columns) < 2 or "" in names:
        return None
    if len(RW_COLUMNS & names) >= 2 and _RW_ONLY & names:
        return Format("Retraction Watch CSV", "retraction-watch", "csv")
    if {"author", "pub_date", "venue"} <= names or {"citing_id", "cited_id"} <= names:
        return Format("OpenCitations Meta CSV", "opencitations", "csv")
    if {"citing", "cited"} <= names and names & {"oci", "creation", "timespan"}:
        return Format("OpenCitations Index citations (CSV)", "opencitations", "csv")
    if {c.split(".", 1)[0] for c in columns} <= RECORD_FIELDS:
        return Format("kg records (CSV)", "native", "csv")
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    return Format("CSV of other columns", syntax="csv", sure=False, detail=f"columns {shown}")


# --- content and name together ----------------------------------------------------------


def detect(path: Path) -> Format:
    """What ``path`` holds: by its content; by its extension where the content does not say."""
    data, complete = read_head(path)
    if not complete and data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        data, complete = read_head(path, JSON_HEAD)  # room for the first record
    ext, _ = syntax_of(path)
    document = _DOCUMENTS.get(_suffix(path))
    if document is not None:  # documentation, whatever examples it shows
        return Format(document)
    found = sniff(data, complete)
    if found is not None and found.sure:
        if found.reader is not None and found.syntax is None:  # JSON cut short
            return replace(found, syntax=ext if ext in ("json", "jsonl") else "json")
        return found
    if found is not None and found.syntax == "csv" and ext == "csv":
        if {c.split(".", 1)[0] for c in csv_columns(_text(data))} & RECORD_FIELDS:
            return Format("kg records (CSV)", "native", "csv", sure=False)
        return Format(found.kind, syntax="csv", detail=found.detail)
    if found is not None and found.kind == "JSON" and ext in ("json", "jsonl"):
        return Format("JSON", EXTENSION_READERS[ext], found.syntax or ext, sure=False)
    if ext is not None:
        return Format(_NAMES[ext], EXTENSION_READERS[ext], ext, sure=False)
    if not data.strip():
        return EMPTY if complete else UNREADABLE
    return found or UNKNOWN_TEXT


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


# syntaxes each reader reads, and the one it takes when neither content nor name tells
SYNTAXES = {
    "native": ("json", "jsonl", "yaml", "csv"),
    "crossref": ("json", "jsonl"),
    "jats": ("xml",),
    "opencitations": ("csv",),
    "ris": ("ris",),
    "bibtex": ("bibtex",),
    "page": ("html", "text"),
    "pubmed": ("xml",),
    "medline": ("text",),
    "csl": ("json", "jsonl"),
    "retraction-watch": ("csv",),
}
_FALLBACK = {"native": "yaml", "crossref": "json", "page": "text"}


def syntax_for(reader: str, path: Path, found: Format | None = None) -> str:
    """The syntax ``reader`` reads ``path`` in: the one its content shows, else its
    extension's, else the reader's own (RIS for ris, YAML for native, ...)."""
    options = SYNTAXES[reader]
    if found is None:
        found = detect(path)
    ext, _ = syntax_of(path)
    if ext == "yaml" and reader == "native" and found.syntax in ("json", "jsonl"):
        return "yaml"  # YAML holds JSON
    for syntax in (found.syntax, ext):
        if syntax in options:
            return syntax
    return _FALLBACK.get(reader, options[0])
