"""What every page needs: SPARQL over the store, links to nodes, labels, and the layout.

A node IRI under ``base`` is linked as ``/`` + the rest of the IRI; any other IRI links to
itself. Queries run with the default graph as the union of the store's named graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jinja2
import pyoxigraph as ox

from kg import vocab

PREFIXES: dict[str, str] = {**vocab.PREFIXES, "owl": vocab.OWL}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

WORK_CLASSES = tuple(
    vocab.FABIO + c
    for c in (
        "JournalArticle",
        "BookChapter",
        "ProceedingsPaper",
        "Book",
        "AcademicProceedings",
        "Preprint",
        "ReportDocument",
        "Thesis",
        "Dataset",
        "ReferenceEntry",
        "RetractionNotice",
        "Correction",
        "Expression",
    )
)
WORKS_VALUES = " ".join(f"<{c}>" for c in WORK_CLASSES)

STATUS_NAMES: dict[str, str] = {
    vocab.PSO + "retracted-from-publication": "Retracted",
    vocab.PSO + "corrected": "Corrected",
    vocab.KGO + "expression-of-concern": "Expression of concern",
    vocab.KGO + "reinstated": "Reinstated",
}
RETRACTED = vocab.PSO + "retracted-from-publication"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("kg.serve.pages", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Text:
    """A literal to show: its text, and its language tag when it has one."""

    value: str
    lang: str | None = None


@dataclass(frozen=True)
class Link:
    """A link to a node: where it goes and what it says."""

    href: str
    label: str
    lang: str | None = None


def ref(value: str) -> str:
    """``value`` as a SPARQL IRI reference (pyoxigraph checks it is an IRI)."""
    return str(ox.NamedNode(value))


def select(store: Any, sparql: str) -> list[dict[str, Any]]:
    """The solutions of a SELECT query (kg's prefixes added) as dicts of bound terms."""
    result = store.query(SPARQL_PREFIXES + sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    out: list[dict[str, Any]] = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term
        out.append(row)
    return out


def scalar(store: Any, sparql: str) -> int:
    """The first variable of the first solution of an aggregate query, as an int."""
    rows = select(store, sparql)
    if not rows or not rows[0]:
        return 0
    return int(next(iter(rows[0].values())).value)


def href(node: str, base: str) -> str:
    """Where a node's page is: ``/rest`` for a node under ``base``, else the IRI itself."""
    if node.startswith(base) and len(node) > len(base):
        return "/" + node[len(base) :]
    return node


def text(term: Any) -> Text:
    """A literal (or any term) as Text, keeping a literal's language tag."""
    if isinstance(term, ox.Literal):
        return Text(term.value, term.language or None)
    return Text(term.value)


def short(node: str) -> str:
    """A compact name for an IRI: ``prefix:local`` when kg knows the namespace."""
    for prefix, ns in PREFIXES.items():
        if node.startswith(ns) and len(node) > len(ns):
            return f"{prefix}:{node[len(ns) :]}"
    return node


def kind_name(node: str) -> str:
    """A class as words: ``fabio:JournalArticle`` is 'Journal article'."""
    local = re.split(r"[/#]", node)[-1]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else node


def year_of(value: str) -> str:
    """The year a date, dateTime or gYear string starts with ('' when there is none)."""
    m = re.match(r"-?\d{4}", value)
    return m.group(0) if m else ""


def pick_label(values: Iterable[Any], prefer: str = "en") -> Text | None:
    """One label out of several literals: the preferred language, else untagged, else any."""
    texts = sorted({text(v) for v in values}, key=lambda t: (t.lang or "", t.value))
    for t in texts:
        if t.lang == prefer:
            return t
    for t in texts:
        if not t.lang or t.lang == "und":
            return t
    return texts[0] if texts else None


def labels(store: Any, nodes: Iterable[str]) -> dict[str, Text]:
    """A label for each node that has a title or a name (one query for all of them)."""
    nodes = sorted(set(nodes))
    out: dict[str, Text] = {}
    for i in range(0, len(nodes), 400):
        chunk = " ".join(ref(n) for n in nodes[i : i + 400])
        found: dict[str, list[Any]] = {}
        dois: dict[str, str] = {}
        for row in select(
            store,
            f"SELECT ?n ?l ?doi WHERE {{ VALUES ?n {{ {chunk} }} "
            "{ ?n dcterms:title ?l } UNION { ?n foaf:name ?l } UNION { ?n prism:doi ?doi } }",
        ):
            if "l" in row:
                found.setdefault(row["n"].value, []).append(row["l"])
            elif "doi" in row:
                dois.setdefault(row["n"].value, row["doi"].value)
        for node, values in found.items():
            label = pick_label(values)
            if label is not None:
                out[node] = label
        for node, doi in dois.items():
            out.setdefault(node, Text(f"DOI {doi}"))
    return out


def link(node: str, base: str, label: Text | None = None) -> Link:
    """A Link to ``node`` that says its label, or a short form of its IRI."""
    if label is None:
        return Link(href(node, base), short(node) if not node.startswith(base) else node)
    return Link(href(node, base), label.value, label.lang)


def rdf_links(node: str | None, base: str) -> list[Link]:
    """Links to the node's description in Turtle and JSON-LD (the same path, an extension)."""
    if node is None or not node.startswith(base):
        return []
    path = href(node, base)
    return [Link(path + ".ttl", "Turtle"), Link(path + ".jsonld", "JSON-LD")]


def render(
    template: str, page_title: str, base: str, node: str | None = None, **context: Any
) -> str:
    """A whole page: ``template`` inside the shared layout."""
    return _ENV.get_template(template).render(
        page_title=page_title, formats=rdf_links(node, base), node=node, **context
    )
