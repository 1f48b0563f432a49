"""The pages of ``/sparql`` for people: the query form (no JavaScript) with kg's query
library as examples, and results as a table (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE)
under the form."""

from __future__ import annotations

import json
from html import escape


def query_page(examples: list[tuple[str, str, str]], query: str = "") -> str:
    """The page for people: a form (no JavaScript) and the library's queries as examples,
    each ``(name, title, text)``."""
    items = "".join(
        f"<details><summary>{escape(title or name)} <code>{escape(name)}</code></summary>"
        f"<pre>{escape(text)}</pre>"
        f'<form method="get" action="/sparql"><input type="hidden" name="query" '
        f'value="{escape(text)}"><input type="hidden" name="format" value="html">'
        "<button>Run</button></form></details>"
        for name, title, text in examples
    )
    text = query or "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"
    intro = (
        "<h1>SPARQL</h1><p>The default graph is the union of every named graph; "
        "<code>GRAPH</code> reaches each one. Read-only.</p>"
    )
    return _layout(
        "SPARQL", intro + _form(text) + f"<h2>Examples from kg's query library</h2>{items}"
    )


def _form(query: str, chosen: str = "html") -> str:
    options = "".join(
        f'<option value="{key}"{" selected" if key == chosen else ""}>{label}</option>'
        for key, label in FORMAT_CHOICES
    )
    return (
        '<form method="get" action="/sparql">'
        f'<p><textarea name="query" rows="14" cols="90">{escape(query)}</textarea></p>'
        f'<p><label>Format <select name="format">{options}</select></label> '
        '<button type="submit">Run</button></p></form>'
    )


FORMAT_CHOICES = [
    ("html", "a page (a table, or Turtle)"),
    ("json", "JSON (results) / JSON-LD (graphs)"),
    ("xml", "XML / RDF/XML"),
    ("csv", "CSV / Turtle"),
    ("tsv", "TSV / Turtle"),
    ("ttl", "Turtle (graphs)"),
    ("nt", "N-Triples (graphs)"),
]


def _layout(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "vertical-align:top;text-align:left}</style></head><body>"
        f"{body}"
        '<p><a href="/sparql">SPARQL</a> · <a href="/">Home</a></p></body></html>'
    )


def _term(term: dict[str, str], base: str) -> str:
    value = term.get("value", "")
    if term.get("type") == "uri":
        href = "/" + value[len(base) :] if base and value.startswith(base) else value
        return f'<a href="{escape(href)}">{escape(value)}</a>'
    if term.get("type") == "bnode":
        return escape("_:" + value)
    text = escape(value)
    if "xml:lang" in term:
        text += f" <small>@{escape(term['xml:lang'])}</small>"
    elif "datatype" in term and not term["datatype"].endswith("#string"):
        text += f" <small>^^{escape(term['datatype'].rsplit('#', 1)[-1])}</small>"
    return text


def results_page(body: bytes, query: str, base: str) -> str:
    """SELECT or ASK results (SPARQL JSON) as a table under the form."""
    data = json.loads(body)
    if "boolean" in data:
        shown = f"<p>ASK: <strong>{'true' if data['boolean'] else 'false'}</strong></p>"
    else:
        names = data["head"].get("vars", [])
        rows = data["results"]["bindings"]
        head = "".join(f"<th>{escape(n)}</th>" for n in names)
        cells = "".join(
            "<tr>"
            + "".join(f"<td>{_term(r[n], base) if n in r else ''}</td>" for n in names)
            + "</tr>"
            for r in rows
        )
        shown = f"<p>{len(rows)} row(s)</p><table><tr>{head}</tr>{cells}</table>"
    return _layout("SPARQL results", "<h1>SPARQL</h1>" + _form(query) + shown)


def graph_page(body: bytes, query: str) -> str:
    """CONSTRUCT or DESCRIBE results (Turtle) under the form."""
    turtle = body.decode("utf-8")
    return _layout(
        "SPARQL results", "<h1>SPARQL</h1>" + _form(query) + f"<pre>{escape(turtle)}</pre>"
    )
