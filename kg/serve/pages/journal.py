"""The page of a journal: titles, ISSNs, publisher, and its volumes and issues (the
``frbr:partOf`` chain) with their articles; retracted articles marked and counted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.serve.pages.common import Link, Text, labels, link, pick_label, ref, render, select, text
from kg.serve.pages.works import WorkItem, describe_works


@dataclass
class Part:
    """A volume, an issue, or the journal itself (articles in no volume), with its works."""

    label: str
    link: Link | None
    works: list[WorkItem] = field(default_factory=list)
    sort: tuple[Any, ...] = ()


def _num(value: str) -> tuple[int, str]:
    m = re.match(r"\d+", value)
    return (int(m.group(0)) if m else 1 << 30, value)


def journal_page(store: Any, journal: str, base: str) -> str:
    j = ref(journal)
    facts = select(
        store,
        f"""SELECT DISTINCT ?p ?v WHERE {{ {j} ?p ?v FILTER(?p IN (dcterms:title, prism:issn,
          prism:eIssn, fabio:hasIssnL, dcterms:publisher)) }}""",
    )
    by: dict[str, list[Any]] = {}
    for r in facts:
        by.setdefault(r["p"].value.rsplit("/", 1)[-1], []).append(r["v"])
    rows = select(
        store,
        f"""SELECT ?w ?c ?vol ?iss ?v2 WHERE {{
          {{ ?w frbr:partOf {j} BIND({j} AS ?c) }}
          UNION {{ ?c frbr:partOf {j} . ?w frbr:partOf ?c }}
          UNION {{ ?v frbr:partOf {j} . ?c frbr:partOf ?v . ?w frbr:partOf ?c }}
          FILTER NOT EXISTS {{ ?w prism:volume ?x }}
          FILTER NOT EXISTS {{ ?w prism:issueIdentifier ?y }}
          OPTIONAL {{ ?c prism:volume ?vol }}
          OPTIONAL {{ ?c prism:issueIdentifier ?iss .
                     OPTIONAL {{ ?c frbr:partOf/prism:volume ?v2 }} }}
        }}""",
    )
    items = {w.node: w for w in describe_works(store, [r["w"].value for r in rows], base)}
    parts: dict[str, Part] = {}
    for r in rows:
        c = r["c"].value
        part = parts.get(c)
        if part is None:
            if "iss" in r:
                vol = r["v2"].value if "v2" in r else ""
                label = (f"Volume {vol}, " if vol else "") + f"issue {r['iss'].value}"
                sort: tuple[Any, ...] = (0, _num(vol), _num(r["iss"].value))
            elif "vol" in r:
                label, sort = f"Volume {r['vol'].value}", (0, _num(r["vol"].value), (-1, ""))
            else:
                label, sort = "Not in a volume or issue", (1,)
            part = parts[c] = Part(label, link(c, base) if c != journal else None, sort=sort)
        work = items.get(r["w"].value)
        if work is not None and work not in part.works:
            part.works.append(work)
    publishers = [v.value for v in by.get("publisher", [])]
    names = labels(store, publishers)
    title = pick_label(by.get("title", [])) or Text(journal)
    all_items = list(items.values())
    return render(
        "journal.html",
        title.value,
        base,
        node=journal,
        title=title,
        titles=sorted(
            {text(v) for v in by.get("title", [])}, key=lambda t: (t.lang or "", t.value)
        ),
        issn=sorted(v.value for v in by.get("issn", [])),
        eissn=sorted(v.value for v in by.get("eIssn", [])),
        issnl=sorted(v.value for v in by.get("hasIssnL", [])),
        publishers=[link(p, base, names.get(p)) for p in publishers],
        parts=sorted(parts.values(), key=lambda p: p.sort, reverse=False),
        count=len(all_items),
        retracted=sorted((w for w in all_items if w.retracted), key=lambda w: w.link.label),
    )
