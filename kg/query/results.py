"""Writing query results: an aligned table, CSV, TSV, SPARQL JSON, JSON Lines; RDF for graphs.

Every form has every row format: a graph (CONSTRUCT, DESCRIBE) as rows of
``subject``, ``predicate``, ``object``, a boolean (ASK) as ``true``/``false``
(SPARQL JSON with ``json``). Only the table is ever cut: to the width it is
given (:func:`table_width`: $COLUMNS, else the terminal's, else not at all),
its columns sharing the room fairly and long cells ending in ``…``. CSV, TSV
and JSON give every value whole.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import unicodedata

import pyoxigraph as ox

from kg.errors import UsageError
from kg.query.library import QueryResult, Term
from kg.vocab import PREFIXES

ROW_FORMATS = ("table", "csv", "tsv", "json", "jsonl")
GRAPH_FORMATS = ("ttl", "nt")
FORMATS = ROW_FORMATS + GRAPH_FORMATS
_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_GAP = "  "  # between two columns of a table
_NARROWEST = 3  # a column is cut to no less than this (or its own width)


def check_format(form: str, fmt: str | None) -> None:
    """Check, before a query runs, that its form can be written in ``fmt``.

    :raises UsageError: for a graph format (ttl, nt) asked of a SELECT or ASK query.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt in GRAPH_FORMATS and form not in ("CONSTRUCT", "DESCRIBE"):
        gives = "rows" if form == "SELECT" else "true or false"
        article = "an" if form == "ASK" else "a"
        raise UsageError(
            f"{article} {form} query gives {gives}, not a graph: "
            f"use --format {', '.join(ROW_FORMATS)}"
        )


def table_width(terminal: bool) -> int | None:
    """How wide a table may be: $COLUMNS if set, else the terminal's width on a terminal,
    else None (piped into a file or a program: not cut)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if terminal:
        return shutil.get_terminal_size().columns
    return None


def _short(t: Term) -> str:
    if t.kind == "uri":
        for prefix, ns in _PREFIXES:
            if t.value.startswith(ns) and "/" not in t.value[len(ns) :]:
                return f"{prefix}:{t.value[len(ns) :]}"
        return t.value
    if t.kind == "bnode":
        return f"_:{t.value}"
    return t.value


def _shown(text: str) -> str:
    """A cell on one line: whitespace runs as one space, control characters (which a
    terminal would obey) as U+FFFD."""
    return "".join(c if c.isprintable() else "\ufffd" for c in " ".join(text.split()))


def _columns(c: str) -> int:
    """How many terminal columns a character takes: 2 for wide East Asian ones, 0 for
    combining marks."""
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The width of ``text`` on a terminal, in columns."""
    return sum(_columns(c) for c in text)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending in ``…`` if it was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _columns(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def share(natural: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` (gaps not counted): the room is shared fairly
    (max-min: a column that needs less than an equal share keeps its width, the
    others split what is left, extra columns to the leftmost), no column narrower
    than :data:`_NARROWEST` (or its own width), so the sum may exceed a tiny room."""
    widths = list(natural)
    if sum(natural) <= room:
        return widths
    left = sorted(range(len(natural)), key=lambda i: natural[i])
    remaining = room
    while left:
        fair = remaining // len(left)
        if natural[left[0]] <= fair:
            remaining -= natural[left.pop(0)]
            continue
        extra = remaining - fair * len(left)
        for k, i in enumerate(sorted(left)):
            share_i = fair + (1 if k < extra else 0)
            widths[i] = max(min(natural[i], share_i), min(natural[i], _NARROWEST))
        break
    return widths


def table(result: QueryResult, width: int | None = None) -> str:
    """An aligned table, at most ``width`` columns wide (None: values whole, on one line)."""
    rows = _rows(result)
    cols = rows.variables
    cells = [[_shown(_short(row[v])) if v in row else "" for v in cols] for row in rows.rows]
    natural = [
        max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(cols)
    ]
    widths = natural
    if width is not None:
        widths = share(natural, max(width - len(_GAP) * (len(cols) - 1), 0))

    def line(values: list[str]) -> str:
        cut = (_cut(v, w) for v, w in zip(values, widths, strict=True))
        return _GAP.join(_pad(c, w) for c, w in zip(cut, widths, strict=True)).rstrip()

    lines = [line(cols), _GAP.join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    n = len(rows.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


def _rows(result: QueryResult) -> QueryResult:
    """A graph's triples as rows of subject, predicate, object; other results as they are."""
    if result.form not in ("CONSTRUCT", "DESCRIBE"):
        return result
    names = ["subject", "predicate", "object"]
    rows = [
        dict(zip(names, (Term.of(t.subject), Term.of(t.predicate), Term.of(t.object)), strict=True))
        for t in result.triples
    ]
    return QueryResult("SELECT", names, rows)


def _tsv(value: str) -> str:
    """A TSV field: tab, line breaks and backslash escaped (``\\t``, ``\\n``, ``\\r``, ``\\\\``)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def render(
    result: QueryResult, fmt: str | None, *, terminal: bool = False, width: int | None = None
) -> str:
    """The result as text in ``fmt`` (default: a table on a terminal, CSV when piped, Turtle
    for graphs). ``width``: the table's width (None: not cut).

    :raises UsageError: for a format that does not fit the query form.
    """
    check_format(result.form, fmt)
    if result.form == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    graph = result.form in ("CONSTRUCT", "DESCRIBE")
    if graph and fmt in (None, *GRAPH_FORMATS):
        rdf = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE
        data = ox.serialize(
            result.triples, None, rdf, prefixes=dict(PREFIXES) if fmt != "nt" else None
        )
        return (data or b"").decode("utf-8")
    fmt = fmt or ("table" if terminal else "csv")
    if fmt == "table":
        return table(result, width)
    rows = _rows(result)
    names = rows.variables
    if fmt == "json":  # SPARQL 1.1 Query Results JSON
        bindings = [{v: t.sparql_json() for v, t in row.items()} for row in rows.rows]
        doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(
            json.dumps({v: row[v].value for v in names if v in row}, ensure_ascii=False) + "\n"
            for row in rows.rows
        )
    if fmt == "tsv":  # plain names and values, like CSV (not SPARQL TSV's ?names and terms)
        lines = ["\t".join(_tsv(v) for v in names)]
        lines += [
            "\t".join(_tsv(row[v].value) if v in row else "" for v in names) for row in rows.rows
        ]
        return "\n".join(lines) + "\n"
    buf = io.StringIO()  # SPARQL 1.1 CSV: plain values
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(names)
    for row in rows.rows:
        w.writerow([row[v].value if v in row else "" for v in names])
    return buf.getvalue()
