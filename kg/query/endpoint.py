"""Queries over a remote SPARQL 1.1 endpoint, through kg's one SPARQL client.

The client (kg/stores/sparql.py) sends the query with the timeout, the
credentials and the retries every command shares, asks the store for the union
of its named graphs where it needs asking, and translates failures into
one-line StoreErrors. This module binds the parameters and turns the answer
into a :class:`QueryResult`, the same as a local run gives.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.query.library import NamedQuery, QueryResult, Term, check_syntax, with_values
from kg.stores.endpoints import Auth, Endpoints
from kg.stores.sparql import Rejected, SparqlClient


def run_remote(
    endpoints: Endpoints,
    query: NamedQuery,
    terms: dict[str, str],
    *,
    auth: Auth | None = None,
    timeout: float = 60.0,
) -> QueryResult:
    """Run a query at a SPARQL endpoint, once kg has parsed it (with its parameters bound).

    :raises QueryError: if the query is not valid SPARQL (nothing is sent).
    :raises StoreError: if the endpoint cannot be reached, refuses the credentials, times
        out or fails, or rejects a query kg parsed (it does not support part of it).
    :raises UsageError: if the timeout is not more than 0.
    """
    check_syntax(query, terms)
    try:
        with SparqlClient(endpoints, auth, timeout=timeout) as client:
            answer = client.query(with_values(query.text, terms), query.form)
    except Rejected as e:  # valid SPARQL 1.1 as kg parses it: the store's limit, not a typo
        raise StoreError(
            f"{query.source}: {e.message}",
            hint="the query is valid SPARQL 1.1 as kg reads it: the store may not support "
            "part of it",
        ) from None
    return _convert(query.form, answer)


def _convert(form: str, answer: Any) -> QueryResult:
    if form in ("CONSTRUCT", "DESCRIBE"):
        try:
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(answer, format=ox.RdfFormat.TURTLE)
            ]
        except SyntaxError as e:
            raise StoreError(
                f"the endpoint answered with Turtle that does not parse: {e}"
            ) from None
        return QueryResult(form, triples=triples)
    if "boolean" in answer:
        return QueryResult("ASK", boolean=bool(answer["boolean"]))
    if form == "ASK":  # Virtuoso 7.2 answers ASK as a SELECT of __ASK_RETVAL (1 or 0)
        bindings = answer.get("results", {}).get("bindings", [])
        values = [t.get("value") for b in bindings[:1] for t in b.values()]
        if values and values[0] in ("0", "1", "true", "false"):
            return QueryResult("ASK", boolean=values[0] in ("1", "true"))
        raise StoreError("the endpoint answered an ASK query without a boolean")
    variables = list(answer.get("head", {}).get("vars", []))
    rows = []
    for b in answer.get("results", {}).get("bindings", []):
        row = {}
        for v, t in b.items():
            kind = {"typed-literal": "literal"}.get(t["type"], t["type"])
            dt = t.get("datatype")
            lang = t.get("xml:lang")
            if dt == "http://www.w3.org/2001/XMLSchema#string":
                dt = None
            row[v] = Term(kind, t["value"], lang, None if lang else dt)
        rows.append(row)
    return QueryResult("SELECT", variables, rows)
