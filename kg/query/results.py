"""Writing query results: an aligned table, CSV, TSV, SPARQL JSON, JSON Lines; RDF for graphs."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from kg.errors import UsageError
from kg.query.library import QueryResult, Term
from kg.vocab import PREFIXES

SELECT_FORMATS = ("table", "csv", "tsv", "json", "jsonl")
GRAPH_FORMATS = ("ttl", "nt")
_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _short(t: Term) -> str:
    if t.kind == "uri":
        for prefix, ns in _PREFIXES:
            if t.value.startswith(ns) and "/" not in t.value[len(ns) :]:
                return f"{prefix}:{t.value[len(ns) :]}"
        return t.value
    if t.kind == "bnode":
        return f"_:{t.value}"
    return t.value


def table(result: QueryResult, width: int = 60) -> str:
    """An aligned table for a terminal; long values are cut with an ellipsis."""
    cols = result.variables
    cells = [[_cut(_short(row[v]) if v in row else "", width) for v in cols] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(result: QueryResult, fmt: str | None, *, terminal: bool = False) -> str:
    """The result as text in ``fmt`` (default: a table on a terminal, CSV when piped, Turtle
    for graphs).

    :raises UsageError: for a format that does not fit the query form.
    """
    if result.form == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        fmt = fmt or "ttl"
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"a {result.form} query gives a graph: use --format ttl or nt")
        rdf = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
        data = ox.serialize(
            result.triples, None, rdf, prefixes=dict(PREFIXES) if fmt == "ttl" else None
        )
        return (data or b"").decode("utf-8")
    fmt = fmt or ("table" if terminal else "csv")
    if fmt not in SELECT_FORMATS:
        raise UsageError(f"a SELECT query gives rows: use --format {', '.join(SELECT_FORMATS)}")
    if fmt == "table":
        return table(result)
    if fmt == "json":
        return (
            json.dumps(
                {
                    "head": {"vars": result.variables},
                    "results": {
                        "bindings": [
                            {v: t.sparql_json() for v, t in row.items()} for row in result.rows
                        ]
                    },
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
    if fmt == "jsonl":
        return "".join(
            json.dumps({v: row[v].value for v in result.variables if v in row}, ensure_ascii=False)
            + "\n"
            for row in result.rows
        )
    buf = io.StringIO()
    if fmt == "csv":  # SPARQL 1.1 CSV: plain values
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow([row[v].value if v in row else "" for v in result.variables])
        return buf.getvalue()
    # SPARQL 1.1 TSV: terms in their SPARQL syntax
    buf.write("\t".join(f"?{v}" for v in result.variables) + "\n")
    for row in result.rows:
        buf.write("\t".join(row[v].nt() if v in row else "" for v in result.variables) + "\n")
    return buf.getvalue()
