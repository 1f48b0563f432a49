"""Queries over a remote SPARQL 1.1 endpoint, through SPARQLWrapper (the only module that uses it).

Reads are retried (they are safe to repeat); SPARQLWrapper's errors become
one-line StoreErrors. So that queries see data kg loaded into named graphs,
kg asks each store for the union of its graphs where the store needs asking:
Oxigraph with its ``union-default-graph`` parameter, Fuseki with its union
graph ``urn:x-arq:UnionGraph`` as the default graph; GraphDB, Virtuoso and
QLever query the union already (docs/loading.md).
"""

from __future__ import annotations

import time
import urllib.error
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from kg.errors import StoreError
from kg.query.library import NamedQuery, QueryError, QueryResult, Term, with_values
from kg.stores.remote import Auth, Endpoints, _safe

RETRIES = 3


def run_remote(
    endpoints: Endpoints,
    query: NamedQuery,
    terms: dict[str, str],
    *,
    auth: Auth | None = None,
    timeout: float = 60.0,
) -> QueryResult:
    """Run a query at a SPARQL endpoint.

    :raises QueryError: if the endpoint rejects the query as malformed.
    :raises StoreError: if it cannot be reached, refuses the credentials, times out or fails.
    """
    auth = auth or Auth()
    text = with_values(query.text, terms)
    w = SPARQLWrapper(endpoints.query)
    w.setMethod(POST)
    w.setTimeout(int(timeout))
    w.setQuery(text)
    # kg knows the form; SPARQLWrapper's guess reads words in comments ("describe")
    w.queryType = query.form
    if endpoints.store_type == "oxigraph":
        w.addParameter("union-default-graph", "")
    elif endpoints.store_type == "fuseki":
        w.addDefaultGraph("urn:x-arq:UnionGraph")
    if auth.kind in ("basic", "digest"):
        w.setHTTPAuth(BASIC if auth.kind == "basic" else DIGEST)
        w.setCredentials(auth.user, auth.password or "")
    elif auth.kind == "bearer":
        w.addCustomHttpHeader("Authorization", f"Bearer {auth.token}")
    form = query.form
    w.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    where = _safe(endpoints.query)
    for attempt in range(1, RETRIES + 1):
        try:
            response = w.query()
            return _convert(form, response)
        except QueryBadFormed as e:
            raise QueryError(
                f"{query.source}: the endpoint rejected the query: {_first(e)}"
            ) from None
        except Unauthorized:
            raise StoreError(
                f"{where}: the endpoint refused the credentials (HTTP 401)",
                hint="check --user/--password, --token or --auth",
            ) from None
        except EndPointNotFound:
            raise StoreError(
                f"{where}: no SPARQL endpoint at this URL (HTTP 404)",
                hint="give the query endpoint, e.g. http://host:7878/query",
            ) from None
        except urllib.error.HTTPError as e:
            if e.code == 403:
                raise StoreError(
                    f"{where}: the endpoint refused the credentials (HTTP 403)",
                    hint="check --user/--password, --token or --auth",
                ) from None
            if e.code >= 500 and attempt < RETRIES:
                time.sleep(0.5 * attempt)
                continue
            raise StoreError(f"{where}: HTTP {e.code} from the endpoint") from None
        except EndPointInternalError as e:
            if attempt < RETRIES:
                time.sleep(0.5 * attempt)
                continue
            raise StoreError(f"{where}: the endpoint failed (HTTP 500): {_first(e)}") from None
        except TimeoutError:
            if attempt < RETRIES:
                continue
            raise StoreError(
                f"{where}: no answer within {timeout:g} s", hint="raise --timeout, or ask for less"
            ) from None
        except urllib.error.URLError as e:
            if attempt < RETRIES:
                time.sleep(0.5 * attempt)
                continue
            reason = getattr(e, "reason", e)
            why = "connection refused" if "refused" in str(reason).lower() else str(reason)
            raise StoreError(
                f"{where}: cannot reach the endpoint ({why})",
                hint="is the server running, and is the URL right?",
            ) from None
        except SPARQLWrapperException as e:
            raise StoreError(f"{where}: {_first(e)}") from None
    raise AssertionError("unreachable")


def _first(e: Exception) -> str:
    return " ".join(str(e).split())[:300]


def _convert(form: str, response: Any) -> QueryResult:
    if form in ("CONSTRUCT", "DESCRIBE"):
        data = response.response.read()
        try:
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(data, format=ox.RdfFormat.TURTLE)
            ]
        except SyntaxError as e:
            raise StoreError(
                f"the endpoint answered with Turtle that does not parse: {e}"
            ) from None
        return QueryResult(form, triples=triples)
    doc = response.convert()
    if not isinstance(doc, dict):
        raise StoreError("the endpoint did not answer with SPARQL JSON results")
    if "boolean" in doc:
        return QueryResult("ASK", boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows = []
    for b in doc.get("results", {}).get("bindings", []):
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
