"""The page of an organisation: names, ROR id, address, parent and units, its works and
retractions per year (charted), and its authors."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kg.serve.pages.charts import BAR_ALT, column_chart, years_filled
from kg.serve.pages.common import Text, labels, link, pick_label, ref, render, select, text
from kg.serve.pages.works import describe_works


def organisation_page(store: Any, org: str, base: str) -> str:
    o = ref(org)
    name_rows = select(store, f"SELECT DISTINCT ?v WHERE {{ {o} foaf:name ?v }}")
    ror = select(
        store,
        f"""SELECT ?v WHERE {{ {o} datacite:hasIdentifier ?id .
          ?id datacite:usesIdentifierScheme datacite:ror ; literal:hasLiteralValue ?v }}""",
    )
    address_rows = select(
        store,
        f"""SELECT ?p ?v WHERE {{ {o} org:hasPrimarySite/org:siteAddress ?a . ?a ?p ?v
          FILTER(isLiteral(?v)) }}""",
    )
    order = ["street-address", "postal-code", "locality", "region", "country-name"]
    address = sorted(
        {(r["p"].value.rsplit("#", 1)[-1], r["v"].value) for r in address_rows},
        key=lambda x: order.index(x[0]) if x[0] in order else 9,
    )
    parents = [
        r["x"].value
        for r in select(store, f"SELECT DISTINCT ?x WHERE {{ {o} org:subOrganizationOf ?x }}")
    ]
    units = [
        r["x"].value
        for r in select(store, f"SELECT DISTINCT ?x WHERE {{ ?x org:subOrganizationOf {o} }}")
    ]
    works = [
        r["w"].value
        for r in select(
            store,
            f"""SELECT DISTINCT ?w WHERE {{ {{ ?role pro:relatesToOrganization {o} .
              ?w pro:isDocumentContextFor ?role }} UNION {{ ?w kgo:affiliation {o} }} }}""",
        )
    ]
    author_rows = select(
        store,
        f"""SELECT ?p (COUNT(DISTINCT ?w) AS ?n) WHERE {{ ?role pro:relatesToOrganization {o} ;
          pro:isHeldBy ?p . ?w pro:isDocumentContextFor ?role }} GROUP BY ?p""",
    )
    found = labels(store, [*parents, *units, *(r["p"].value for r in author_rows)])
    items = describe_works(store, works, base)
    per_year = Counter(w.year for w in items if w.year)
    retracted_per_year = Counter(w.year for w in items if w.year and w.retracted)
    title = pick_label([r["v"] for r in name_rows]) or Text(org)
    return render(
        "organisation.html",
        title.value,
        base,
        node=org,
        title=title,
        names=sorted({text(r["v"]) for r in name_rows}, key=lambda t: (t.lang or "", t.value)),
        ror=sorted(r["v"].value for r in ror),
        address=address,
        parents=[link(x, base, found.get(x)) for x in parents],
        units=sorted((link(x, base, found.get(x)) for x in units), key=lambda x: x.label),
        works=items,
        retracted=sum(1 for w in items if w.retracted),
        works_chart=column_chart(
            f"Works of {title.value} per publication year",
            years_filled(per_year),
            x_label="year of publication",
        )
        if per_year
        else None,
        retractions_chart=column_chart(
            f"Retracted works of {title.value} per publication year",
            years_filled(retracted_per_year),
            colour=BAR_ALT,
            y_label="retracted works",
            x_label="year of publication",
        )
        if retracted_per_year
        else None,
        authors=sorted(
            (
                (link(r["p"].value, base, found.get(r["p"].value)), int(r["n"].value))
                for r in author_rows
            ),
            key=lambda x: (-x[1], x[0].label),
        ),
    )
