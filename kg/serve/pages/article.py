"""The page of a work (an article, a chapter, a book, a notice...): what it is, who wrote
it in what order, where it was published, its statuses (a retraction as a banner), and its
citations both ways. Every query starts from the work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.serve.pages.common import (
    RETRACTED,
    STATUS_NAMES,
    Link,
    Text,
    kind_name,
    labels,
    link,
    pick_label,
    ref,
    render,
    select,
    short,
    text,
    year_of,
)

CONFLICT_PROPERTIES = (
    "fabio:hasPublicationYear",
    "prism:publicationDate",
    "prism:startingPage",
    "prism:endingPage",
    "prism:pageRange",
    "frbr:partOf",
    "fabio:hasRetractionDate",
)


@dataclass
class Author:
    person: Link
    affiliations: list[Link] = field(default_factory=list)


@dataclass
class Status:
    """One status of the work, with what each source says of it."""

    kind: str
    name: str
    node: Link
    dates: list[tuple[str, list[Link]]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)
    notices: list[Link] = field(default_factory=list)
    conflict: bool = False


@dataclass
class Reference:
    number: int
    content: str
    cited: Link | None


def _position(role: str) -> int:
    m = re.search(r"/(\d+)$", role)
    return int(m.group(1)) if m else 1 << 30


def order_roles(roles: list[str], nexts: dict[str, str]) -> list[str]:
    """The roles in author order: along ``oco:hasNext`` from the role no other role points
    to, then any left over in the order of their position numbers."""
    pointed = set(nexts.values())
    starts = sorted((r for r in roles if r not in pointed), key=_position)
    ordered: list[str] = []
    seen: set[str] = set()
    for start in starts:
        node: str | None = start
        while node is not None and node not in seen and node in roles:
            ordered.append(node)
            seen.add(node)
            node = nexts.get(node)
    ordered += sorted((r for r in roles if r not in seen), key=_position)
    return ordered


def _authors(store: Any, work: str, base: str) -> list[Author]:
    rows = select(
        store,
        f"""SELECT ?role ?person ?next ?org WHERE {{
          {ref(work)} pro:isDocumentContextFor ?role .
          OPTIONAL {{ ?role pro:isHeldBy ?person }}
          OPTIONAL {{ ?role oco:hasNext ?next }}
          OPTIONAL {{ ?role pro:relatesToOrganization ?org }}
        }}""",
    )
    roles: list[str] = []
    holder: dict[str, str] = {}
    nexts: dict[str, str] = {}
    orgs: dict[str, list[str]] = {}
    for row in rows:
        role = row["role"].value
        if role not in roles:
            roles.append(role)
        if "person" in row:
            holder[role] = row["person"].value
        if "next" in row:
            nexts[role] = row["next"].value
        if "org" in row and row["org"].value not in orgs.setdefault(role, []):
            orgs[role].append(row["org"].value)
    names = labels(store, [*holder.values(), *(o for os in orgs.values() for o in os)])
    out = []
    for role in order_roles(roles, nexts):
        person = holder.get(role, role)
        out.append(
            Author(
                link(person, base, names.get(person)),
                [link(o, base, names.get(o)) for o in sorted(orgs.get(role, []))],
            )
        )
    return out


def _literals(store: Any, work: str) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for row in select(store, f"SELECT DISTINCT ?p ?o WHERE {{ {ref(work)} ?p ?o }}"):
        values.setdefault(short(row["p"].value), []).append(row["o"])
    return values


def _containers(store: Any, work: str, base: str) -> dict[str, Any]:
    """The issue, volume and journal (or book, series) the work is part of."""
    rows = select(
        store,
        f"""SELECT ?c ?type ?vol ?iss ?issn ?eissn ?issnl WHERE {{
          {ref(work)} frbr:partOf+ ?c .
          OPTIONAL {{ ?c a ?type }}
          OPTIONAL {{ ?c prism:volume ?vol }}
          OPTIONAL {{ ?c prism:issueIdentifier ?iss }}
          OPTIONAL {{ ?c prism:issn ?issn }}
          OPTIONAL {{ ?c prism:eIssn ?eissn }}
          OPTIONAL {{ ?c fabio:hasIssnL ?issnl }}
        }}""",
    )
    out: dict[str, Any] = {"issn": [], "eissn": [], "issnl": []}
    names = labels(store, [r["c"].value for r in rows])
    for row in rows:
        c = row["c"].value
        if "vol" in row:
            out["volume"] = Link(href=link(c, base).href, label=row["vol"].value)
        elif "iss" in row:
            out["issue"] = Link(href=link(c, base).href, label=row["iss"].value)
        elif c in names:
            kind = short(row["type"].value) if "type" in row else ""
            key = "journal" if kind in ("fabio:Journal", "") else "container"
            if key == "container" and kind.endswith("Series"):
                key = "series"
            out.setdefault(key, link(c, base, names[c]))
        for k in ("issn", "eissn", "issnl"):
            if k in row and row[k].value not in out[k]:
                out[k].append(row[k].value)
    return out


def _sources(store: Any, nodes: list[str], base: str) -> dict[str, Link]:
    """A link for each source node: its name and record id, or its URL."""
    if not nodes:
        return {}
    found: dict[str, dict[str, str]] = {}
    values = " ".join(ref(n) for n in sorted(set(nodes)))
    for row in select(
        store,
        f"""SELECT ?s ?title ?id WHERE {{ VALUES ?s {{ {values} }}
          OPTIONAL {{ ?s dcterms:title ?title }} OPTIONAL {{ ?s dcterms:identifier ?id }} }}""",
    ):
        d = found.setdefault(row["s"].value, {})
        for k in ("title", "id"):
            if k in row:
                d[k] = row[k].value
    fallback = labels(store, [n for n in nodes if "title" not in found.get(n, {})])
    out = {}
    for node in nodes:
        d = found.get(node, {})
        label = d.get("title") or (fallback[node].value if node in fallback else node)
        if "id" in d:
            label += f" (record {d['id']})"
        out[node] = Link(link(node, base).href, label)
    return out


def _graph_name(graph: str, base: str) -> str:
    prefix = base + "graph/"
    return graph[len(prefix) :] if graph.startswith(prefix) else graph


def _statuses(store: Any, work: str, base: str) -> list[Status]:
    rows = select(
        store,
        f"""SELECT ?st ?value ?p ?o ?g WHERE {{
          {ref(work)} pso:holdsStatusInTime ?st . ?st pso:withStatus ?value .
          OPTIONAL {{ GRAPH ?g {{ ?st ?p ?o
            FILTER(?p IN (dcterms:date, dcterms:description, prov:wasDerivedFrom)) }} }}
        }}""",
    )
    notices = select(
        store,
        f"""SELECT DISTINCT ?p ?n WHERE {{
          {{ {ref(work)} ?p ?n FILTER(?p IN (cito:isRetractedBy, cito:isCorrectedBy)) }}
          UNION {{ ?n cito:retracts {ref(work)} BIND(cito:isRetractedBy AS ?p) }}
          UNION {{ ?n cito:corrects {ref(work)} BIND(cito:isCorrectedBy AS ?p) }}
        }}""",
    )
    by_node: dict[str, Status] = {}
    dates: dict[str, dict[str, set[str]]] = {}
    sources: dict[str, list[str]] = {}
    for row in rows:
        st, value = row["st"].value, row["value"].value
        status = by_node.get(st)
        if status is None:
            kind = value.rsplit("/", 1)[-1]
            status = Status(kind, STATUS_NAMES.get(value, short(value)), link(st, base))
            by_node[st] = status
        if "p" not in row:
            continue
        p, o, g = short(row["p"].value), row["o"].value, row["g"].value
        if p == "dcterms:date":
            dates.setdefault(st, {}).setdefault(o, set()).add(g)
        elif p == "dcterms:description" and o not in status.reasons:
            status.reasons.append(o)
        elif p == "prov:wasDerivedFrom" and o not in sources.setdefault(st, []):
            sources[st].append(o)
    names = _sources(store, [s for ss in sources.values() for s in ss], base)
    notice_labels = labels(store, [r["n"].value for r in notices])
    for st, status in by_node.items():
        status.sources = [names[s] for s in sorted(sources.get(st, []))]
        for value, graphs in sorted(dates.get(st, {}).items()):
            status.dates.append(
                (value, [Link(link(g, base).href, _graph_name(g, base)) for g in sorted(graphs)])
            )
        status.conflict = len(status.dates) > 1
        wanted = "cito:isRetractedBy" if status.kind == "retracted-from-publication" else ""
        if status.kind == "corrected":
            wanted = "cito:isCorrectedBy"
        for row in notices:
            if short(row["p"].value) == wanted:
                n = row["n"].value
                status.notices.append(link(n, base, notice_labels.get(n)))
    order = {RETRACTED.rsplit("/", 1)[-1]: 0}
    return sorted(by_node.values(), key=lambda s: (order.get(s.kind, 1), s.name))


def _conflicts(store: Any, work: str, base: str) -> list[tuple[str, list[tuple[Link | str, str]]]]:
    """Properties with one value that two sources give differently, each value with its
    source graph (queries/source-conflicts.rq, for this work)."""
    props = ", ".join(CONFLICT_PROPERTIES)
    rows = select(
        store,
        f"""SELECT DISTINCT ?p ?o ?g WHERE {{ GRAPH ?g {{ {ref(work)} ?p ?o }}
          FILTER(?p IN ({props})) }}""",
    )
    values: dict[str, dict[str, set[str]]] = {}
    nodes: set[str] = set()
    for row in rows:
        o = row["o"]
        if not isinstance(o, ox.Literal):
            nodes.add(o.value)
        values.setdefault(short(row["p"].value), {}).setdefault(o.value, set()).add(
            _graph_name(row["g"].value, base)
        )
    out: list[tuple[str, list[tuple[Link | str, str]]]] = []
    for prop, by_value in sorted(values.items()):
        if len(by_value) > 1:
            shown: list[tuple[Link | str, str]] = [
                (Link(link(v, base).href, v) if v in nodes else v, ", ".join(sorted(gs)))
                for v, gs in sorted(by_value.items())
            ]
            out.append((prop, shown))
    return out


def _references(store: Any, work: str, base: str) -> list[Reference]:
    rows = select(
        store,
        f"""SELECT ?e ?content ?cited WHERE {{ {ref(work)} frbr:part ?e .
          OPTIONAL {{ ?e c4o:hasContent ?content }} OPTIONAL {{ ?e biro:references ?cited }} }}""",
    )
    names = labels(store, [r["cited"].value for r in rows if "cited" in r])
    refs = []
    for row in rows:
        cited = row["cited"].value if "cited" in row else None
        refs.append(
            Reference(
                _position(row["e"].value),
                row["content"].value if "content" in row else "",
                link(cited, base, names.get(cited)) if cited else None,
            )
        )
    return sorted(refs, key=lambda r: r.number)


def _work_list(store: Any, sparql_where: str, base: str, limit: int = 500) -> list[Link]:
    rows = select(store, f"SELECT DISTINCT ?w WHERE {{ {sparql_where} }} LIMIT {limit}")
    nodes = [r["w"].value for r in rows]
    names = labels(store, nodes)
    return sorted((link(n, base, names.get(n)) for n in nodes), key=lambda x: x.label)


def article_page(store: Any, work: str, base: str, types: list[str]) -> str:
    values = _literals(store, work)
    titles = sorted({text(v) for v in values.get("dcterms:title", [])}, key=lambda t: t.lang or "")
    title = pick_label(values.get("dcterms:title", [])) or Text(work)
    doi = sorted(v.value for v in values.get("prism:doi", []))
    years = sorted({year_of(v.value) for v in values.get("fabio:hasPublicationYear", [])})
    pages = values.get("prism:pageRange") or values.get("prism:startingPage") or []
    statuses = _statuses(store, work, base)
    references = _references(store, work, base)
    ref_targets = {r.cited.href for r in references if r.cited}
    cites = [
        c
        for c in _work_list(store, f"{ref(work)} cito:cites ?w", base)
        if c.href not in ref_targets
    ]
    cited_by = _work_list(store, f"?w cito:cites {ref(work)}", base)
    language = [short(v.value).rsplit("/", 1)[-1] for v in values.get("dcterms:language", [])]
    return render(
        "article.html",
        title.value,
        base,
        node=work,
        title=title,
        titles=titles,
        kinds=", ".join(kind_name(t) for t in types),
        alt_titles=[text(v) for v in values.get("prism:alternateTitle", [])],
        subtitles=[text(v) for v in values.get("fabio:hasSubtitle", [])],
        authors=_authors(store, work, base),
        container=_containers(store, work, base),
        years=[y for y in years if y],
        date=sorted(v.value for v in values.get("prism:publicationDate", [])),
        pages=sorted({v.value for v in pages}),
        doi=doi,
        urls=sorted(v.value for v in values.get("fabio:hasURL", [])),
        language=language,
        abstracts=[text(v) for v in values.get("dcterms:abstract", [])],
        keywords=sorted({text(v) for v in values.get("prism:keyword", [])}, key=lambda t: t.value),
        subjects=sorted({v.value for v in values.get("dcterms:subject", [])}),
        retraction_dates=sorted({v.value for v in values.get("fabio:hasRetractionDate", [])}),
        statuses=statuses,
        retracted=[s for s in statuses if s.kind == "retracted-from-publication"],
        others=[s for s in statuses if s.kind != "retracted-from-publication"],
        conflicts=_conflicts(store, work, base),
        references=references,
        cites=cites,
        cited_by=cited_by,
    )
