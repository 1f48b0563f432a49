"""Lists of works shared by the person, organisation and journal pages: each work with its
title, year and whether it is retracted, from one query over the given works."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.serve.pages.common import RETRACTED, Link, labels, link, ref, select, year_of


@dataclass
class WorkItem:
    link: Link
    year: str
    retracted: bool
    node: str


def describe_works(store: Any, nodes: list[str], base: str) -> list[WorkItem]:
    """The works, newest first, with their year and retraction."""
    nodes = sorted(set(nodes))
    years: dict[str, str] = {}
    retracted: set[str] = set()
    for i in range(0, len(nodes), 400):
        values = " ".join(ref(n) for n in nodes[i : i + 400])
        for row in select(
            store,
            f"""SELECT ?w ?y ?s WHERE {{ VALUES ?w {{ {values} }}
              OPTIONAL {{ ?w fabio:hasPublicationYear ?y }}
              OPTIONAL {{ ?w pso:holdsStatusInTime/pso:withStatus ?s
                         FILTER(?s = {ref(RETRACTED)}) }} }}""",
        ):
            w = row["w"].value
            if "y" in row:
                years[w] = min(years.get(w, "9999"), year_of(row["y"].value) or "9999")
            if "s" in row:
                retracted.add(w)
    names = labels(store, nodes)
    items = [
        WorkItem(
            link(n, base, names.get(n)),
            "" if years.get(n, "9999") == "9999" else years[n],
            n in retracted,
            n,
        )
        for n in nodes
    ]
    return sorted(items, key=lambda w: (-(int(w.year) if w.year else 0), w.link.label))
