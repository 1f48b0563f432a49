"""The front page (what the graph holds) and the retraction index (retractions per year,
per journal and per institution, each charted and tabled). These two aggregate over the
whole graph."""

from __future__ import annotations

from typing import Any

from kg.serve.pages.charts import BAR_ALT, bar_chart, column_chart, years_filled
from kg.serve.pages.common import (
    RETRACTED,
    WORKS_VALUES,
    labels,
    link,
    ref,
    render,
    scalar,
    select,
    year_of,
)

RETRACTED_WORK = f"?w pso:holdsStatusInTime ?st . ?st pso:withStatus {ref(RETRACTED)} ."


def counts(store: Any) -> dict[str, int]:
    """How many works, people, organisations, journals, retracted works and citations."""
    return {
        "works": scalar(
            store,
            f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ VALUES ?c {{ {WORKS_VALUES} }} ?w a ?c }}",
        ),
        "people": scalar(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a foaf:Person }"),
        "organisations": scalar(
            store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a foaf:Organization }"
        ),
        "journals": scalar(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a fabio:Journal }"),
        "retractions": scalar(
            store, f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {RETRACTED_WORK} }}"
        ),
        "citations": scalar(
            store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b { ?a cito:cites ?b } }"
        ),
    }


def home(store: Any, base: str) -> str:
    return render("home.html", "Home", base, counts=counts(store))


def retraction_years(store: Any) -> dict[str, int]:
    """Retracted works per year of retraction (the earliest date any source gives), with
    'unknown' for those without a date."""
    rows = select(
        store,
        f"""SELECT ?w (MIN(STR(?d)) AS ?date) WHERE {{ {RETRACTED_WORK}
          OPTIONAL {{ ?st dcterms:date ?d }} }} GROUP BY ?w""",
    )
    out: dict[str, int] = {}
    for r in rows:
        y = year_of(r["date"].value) if "date" in r else ""
        out[y or "unknown"] = out.get(y or "unknown", 0) + 1
    return out


def per_group(store: Any, pattern: str, base: str) -> list[tuple[Any, int]]:
    rows = select(
        store,
        f"""SELECT ?g (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {RETRACTED_WORK} {pattern} }}
          GROUP BY ?g ORDER BY DESC(?n) ?g""",
    )
    names = labels(store, [r["g"].value for r in rows])
    out = [(link(r["g"].value, base, names.get(r["g"].value)), int(r["n"].value)) for r in rows]
    return sorted(out, key=lambda x: (-x[1], x[0].label))


def retractions(store: Any, base: str) -> str:
    years = retraction_years(store)
    journals = per_group(store, "?w frbr:partOf+ ?g . ?g a fabio:Journal .", base)
    institutions = per_group(
        store, "?w pro:isDocumentContextFor/pro:relatesToOrganization ?g .", base
    )
    total = scalar(store, f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {RETRACTED_WORK} }}")
    year_rows = sorted(years.items(), key=lambda x: (not x[0].isdigit(), x[0]))
    return render(
        "retractions.html",
        "Retractions",
        base,
        total=total,
        year_rows=year_rows,
        year_chart=column_chart(
            "Retracted works per year of retraction",
            years_filled(years),
            colour=BAR_ALT,
            y_label="retracted works",
            x_label="year of retraction",
        ),
        journals=journals,
        journal_chart=bar_chart(
            "Retracted works per journal (top 20)",
            [(x.label, n) for x, n in journals[:20]],
            colour=BAR_ALT,
        ),
        institutions=institutions,
        institution_chart=bar_chart(
            "Retracted works per institution (top 20)",
            [(x.label, n) for x, n in institutions[:20]],
            colour=BAR_ALT,
        ),
    )
