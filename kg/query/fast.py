"""Library queries over the embedded store, answered from its side data where it has
some (kg/stores/side.py): the whole-graph reports that no join order makes fast.

:func:`run_store` is what ``kg query`` runs over the embedded store. For
``institutions-by-output`` (without ``rollup=parent``), ``articles-missing-data``
and ``source-conflicts`` (the works that more than one graph describes) it reads
the summaries that ``kg load`` and ``kg drop`` keep, when they are current
(the store's files unchanged since they were written) and the query is the
library's own text; the names and ROR ids of the institutions still come from
the store, by a join from the bound institutions. In every other case, or when a
summary holds a node that cannot be written back into SPARQL (a blank node), it
runs the query itself. Both give the same rows (tests/query/test_fast_forms.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.query.library import NamedQuery, QueryResult, Term, library, run_local
from kg.rdf.writers import literal
from kg.stores.embedded import open_store
from kg.stores.side import current
from kg.vocab import DATACITE, FOAF, LITERAL, XSD

Answer = Callable[[ox.Store, sqlite3.Connection, Mapping[str, str]], QueryResult | None]


def run_store(
    folder: Path, query: NamedQuery, terms: Mapping[str, str], *, store: ox.Store | None = None
) -> QueryResult:
    """Run ``query`` over the embedded store in ``folder`` (``store``: that store, already
    open), from its side data when a summary answers it, else as it is.

    :raises StoreError: if there is no store there.
    :raises QueryError: if the query does not parse.
    """
    if store is None:
        store = open_store(folder, create=False, read_only=True)
    answer = _ANSWERS.get(query.name)
    if answer is not None and _is_library(query):
        side = current(folder)
        if side is not None:
            with closing(side):
                result = answer(store, side, terms)
            if result is not None:
                return result
    return run_local(store, query, terms)


def _is_library(query: NamedQuery) -> bool:
    """Whether ``query`` is the library's own (not a file of the same name)."""
    own = library().get(query.name)
    return own is not None and own.text == query.text


def _iri(node: str) -> bool:
    return bool(node) and not node.startswith("_:")


def _integer(n: int) -> str:
    return literal(str(n), datatype=XSD + "integer")


_NAME = ox.NamedNode(FOAF + "name")
_HAS_ID = ox.NamedNode(DATACITE + "hasIdentifier")
_SCHEME = ox.NamedNode(DATACITE + "usesIdentifierScheme")
_ROR = ox.NamedNode(DATACITE + "ror")
_VALUE = ox.NamedNode(LITERAL + "hasLiteralValue")
_STRING = XSD + "string"


def _least_name(store: ox.Store, node: ox.NamedNode) -> Term | None:
    """``MIN(?n)`` of a node's ``foaf:name``s as SPARQL orders them: a single name is
    its own least, plain strings compare by their text; anything else is asked of
    the store for this node alone (by its IRI: an index lookup)."""
    names = list({q.object for q in store.quads_for_pattern(node, _NAME, None)})
    if len(names) <= 1:
        return Term.of(names[0]) if names else None
    if all(isinstance(v, ox.Literal) and v.datatype.value == _STRING for v in names):
        return Term.of(min(names, key=lambda v: v.value))  # type: ignore[union-attr]
    query = f"SELECT (MIN(?v) AS ?m) WHERE {{ <{node.value}> <{FOAF}name> ?v }}"
    for row in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
        return None if row[0] is None else Term.of(row[0])
    return None


def _rors(store: ox.Store, node: ox.NamedNode) -> set[Any]:
    """The values of the node's identifiers whose scheme is ROR."""
    out: set[Any] = set()
    for ident in {q.object for q in store.quads_for_pattern(node, _HAS_ID, None)}:
        if isinstance(ident, ox.Literal):
            continue
        if any(True for _ in store.quads_for_pattern(ident, _SCHEME, _ROR)):
            out.update(q.object for q in store.quads_for_pattern(ident, _VALUE, None))
    return out


def _institutions_by_output(
    store: ox.Store, side: sqlite3.Connection, terms: Mapping[str, str]
) -> QueryResult | None:
    if terms.get("rollup") != literal("none"):
        return None  # rollup=parent reads the organisations' hierarchy: the full form
    least = int(terms["min_works"].split('"')[1]) if "min_works" in terms else 1
    rows = side.execute(
        "SELECT org, works, retracted FROM output WHERE works >= ?", (least,)
    ).fetchall()
    if not all(_iri(org) for org, _, _ in rows):
        return None
    out = []
    for org, works, retracted in rows:
        node = ox.NamedNode(org)
        row = {"institution": Term("uri", org)}
        name = _least_name(store, node)
        if name is not None:
            row["name"] = name
        rors = _rors(store, node)
        if not all(isinstance(v, ox.Literal) and v.datatype.value == _STRING for v in rors):
            return None  # not plain strings: the full query orders them
        if rors:
            row["ror"] = Term.of(min(rors, key=lambda v: v.value))
        row["works"] = Term("literal", str(works), datatype=XSD + "integer")
        row["retractedWorks"] = Term("literal", str(retracted), datatype=XSD + "integer")
        out.append(row)
    out.sort(key=lambda r: (-int(r["works"].value), r["institution"].value))
    variables = ["institution", "name", "ror", "works", "retractedWorks"]
    return QueryResult("SELECT", variables, out)


def _articles_missing_data(
    store: ox.Store, side: sqlite3.Connection, terms: Mapping[str, str]
) -> QueryResult | None:
    rows = side.execute(
        "SELECT DISTINCT article, problem FROM missing ORDER BY article, problem"
    ).fetchall()
    if not all(_iri(a) for a, _ in rows):
        return None
    return QueryResult(
        "SELECT",
        ["article", "problem"],
        [{"article": Term("uri", a), "problem": Term("literal", p)} for a, p in rows],
    )


_CONFLICTS = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
SELECT DISTINCT ?work ?property ?value ?source
WHERE {
  VALUES ?work { %s }
  GRAPH ?source { ?work ?property ?value }
  GRAPH ?other { ?work ?property ?otherValue }
  FILTER(?property IN (fabio:hasPublicationYear, prism:publicationDate, prism:startingPage,
                       prism:endingPage, prism:pageRange, frbr:partOf, fabio:hasRetractionDate))
  FILTER(?source != ?other && ?value != ?otherValue)
}
ORDER BY ?work ?property ?value ?source
"""


def _source_conflicts(
    store: ox.Store, side: sqlite3.Connection, terms: Mapping[str, str]
) -> QueryResult | None:
    works = [w for (w,) in side.execute("SELECT work FROM shared")]
    if not all(_iri(w) for w in works):
        return None
    if not works:  # no work that two graphs describe: nothing to compare
        return QueryResult("SELECT", ["work", "property", "value", "source"])
    text = _CONFLICTS % " ".join(f"<{w}>" for w in works)
    return run_local(store, NamedQuery("source-conflicts", text, "side data"), {})


_ANSWERS: dict[str, Answer] = {
    "source-conflicts": _source_conflicts,
    "institutions-by-output": _institutions_by_output,
    "articles-missing-data": _articles_missing_data,
}
