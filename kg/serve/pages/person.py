"""The page of a person: names in each script, ORCID iD, works (retracted ones marked),
co-authors and affiliations."""

from __future__ import annotations

from typing import Any

from kg.serve.pages.common import Text, labels, link, pick_label, ref, render, select, text
from kg.serve.pages.works import describe_works


def person_page(store: Any, person: str, base: str) -> str:
    p = ref(person)
    names = select(
        store,
        f"""SELECT DISTINCT ?p ?v WHERE {{ {p} ?p ?v
          FILTER(?p IN (foaf:name, foaf:familyName, foaf:givenName)) }}""",
    )
    full = sorted(
        {text(r["v"]) for r in names if r["p"].value.endswith("/name")},
        key=lambda t: (t.lang or "", t.value),
    )
    parts = sorted(
        {
            (r["p"].value.rsplit("/", 1)[-1], text(r["v"]))
            for r in names
            if not r["p"].value.endswith("/name")
        },
        key=lambda x: (x[0], x[1].value),
    )
    orcid = select(
        store,
        f"""SELECT ?v WHERE {{ {p} datacite:hasIdentifier ?id .
          ?id datacite:usesIdentifierScheme datacite:orcid ; literal:hasLiteralValue ?v }}""",
    )
    works = [
        r["w"].value
        for r in select(
            store,
            f"""SELECT DISTINCT ?w WHERE {{ {{ ?role pro:isHeldBy {p} .
              ?w pro:isDocumentContextFor ?role }} UNION {{ ?w dcterms:creator {p} }} }}""",
        )
    ]
    coauthor_rows = select(
        store,
        f"""SELECT ?q (COUNT(DISTINCT ?w) AS ?n) WHERE {{ ?role pro:isHeldBy {p} .
          ?w pro:isDocumentContextFor ?role . ?w pro:isDocumentContextFor ?r2 .
          ?r2 pro:isHeldBy ?q FILTER(?q != {p}) }} GROUP BY ?q""",
    )
    org_rows = select(
        store,
        f"""SELECT ?o (COUNT(DISTINCT ?w) AS ?n) WHERE {{ ?role pro:isHeldBy {p} ;
          pro:relatesToOrganization ?o . ?w pro:isDocumentContextFor ?role }} GROUP BY ?o""",
    )
    others = [r["q"].value for r in coauthor_rows] + [r["o"].value for r in org_rows]
    found = labels(store, others)
    coauthors = sorted(
        (
            (link(r["q"].value, base, found.get(r["q"].value)), int(r["n"].value))
            for r in coauthor_rows
        ),
        key=lambda x: (-x[1], x[0].label),
    )
    orgs = sorted(
        ((link(r["o"].value, base, found.get(r["o"].value)), int(r["n"].value)) for r in org_rows),
        key=lambda x: (-x[1], x[0].label),
    )
    items = describe_works(store, works, base)
    title = pick_label([r["v"] for r in names if r["p"].value.endswith("/name")]) or Text(person)
    return render(
        "person.html",
        title.value,
        base,
        node=person,
        title=title,
        names=full,
        parts=parts,
        orcid=sorted(r["v"].value for r in orcid),
        works=items,
        retracted=sum(1 for w in items if w.retracted),
        coauthors=coauthors,
        orgs=orgs,
    )
