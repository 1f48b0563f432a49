"""The page of any other node (identifiers, roles, statuses, reference entries, citations,
volumes...): a table of its triples, and of the triples that point at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.serve.pages.common import (
    Link,
    Text,
    href,
    kind_name,
    labels,
    link,
    ref,
    render,
    select,
    short,
)

LIMIT = 1000


@dataclass
class Cell:
    """One term of a triple: a link for a node, text for a literal (with its datatype)."""

    link: Link | None = None
    text: Text | None = None
    datatype: str = ""


def cell(term: Any, base: str, names: dict[str, Text]) -> Cell:
    if isinstance(term, ox.Literal):
        dt = "" if term.language else short(term.datatype.value)
        return Cell(text=Text(term.value, term.language or None), datatype=dt)
    return Cell(link=link(term.value, base, names.get(term.value)))


def generic_page(store: Any, node: str, base: str, types: list[str]) -> str:
    out_rows = select(store, f"SELECT DISTINCT ?p ?o WHERE {{ {ref(node)} ?p ?o }} LIMIT {LIMIT}")
    in_rows = select(store, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {ref(node)} }} LIMIT {LIMIT}")
    nodes = [r["o"].value for r in out_rows if not isinstance(r["o"], ox.Literal)]
    names = labels(store, [*nodes, *(r["s"].value for r in in_rows), node])
    outgoing = sorted(
        ((link(r["p"].value, base), cell(r["o"], base, names)) for r in out_rows),
        key=lambda x: (x[0].label, (x[1].link or x[1].text or Text("")).__repr__()),
    )
    incoming = sorted(
        ((cell(r["s"], base, names), link(r["p"].value, base)) for r in in_rows),
        key=lambda x: (x[1].label, repr(x[0].link)),
    )
    label = names.get(node)
    return render(
        "generic.html",
        label.value if label else (href(node, base) if node.startswith(base) else node),
        base,
        node=node,
        label=label,
        kinds=", ".join(f"{kind_name(t)} ({short(t)})" for t in types),
        outgoing=outgoing,
        incoming=incoming,
        limit=LIMIT,
    )
