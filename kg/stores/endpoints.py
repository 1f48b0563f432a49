"""Where a SPARQL 1.1 store is and how to reach it: its endpoints, the credentials, safe URLs.

Credentials come from options or the environment (KG_USER, KG_PASSWORD,
KG_TOKEN), or from a ``user:password@`` part of the URL. They are never shown:
every message names a URL through :func:`safe_url`, which drops that part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.errors import UsageError

STORE_TYPES = ("auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "qlever", "generic")


def graph_iri(graph: str) -> str:
    """``graph`` if it is an absolute IRI that can name a graph in any store: it goes into
    SPARQL text (``GRAPH <...>``) and Graph Store requests, so nothing else may pass.

    :raises UsageError: if it is not (a space, ``>``, no scheme, ...).
    """
    try:
        ox.NamedNode(graph)
    except ValueError as e:
        raise UsageError(
            f"the graph name {graph!r} is not an absolute IRI ({e})",
            hint="give one like https://example.org/kg/graph/out.ttl",
        ) from None
    return graph


def safe_url(url: str) -> str:
    """A URL without any user:password part (and without its query), for messages."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _host(url), parts.path, "", ""))


def without_credentials(url: str) -> str:
    """The URL to send requests to: its user:password part removed, its query kept."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _host(url), parts.path, parts.query, ""))


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


@dataclass(frozen=True)
class Endpoints:
    """The three endpoints of a store: SPARQL query, SPARQL update, Graph Store Protocol."""

    query: str
    update: str | None
    gsp: str | None
    store_type: str


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def derive_endpoints(
    query: str, *, store_type: str = "auto", update: str | None = None, gsp: str | None = None
) -> Endpoints:
    """The update and Graph Store endpoints of a store, from its query endpoint.

    - Oxigraph: ``/query`` -> ``/update``, ``/store``
    - Fuseki: ``/{ds}/query`` or ``/{ds}/sparql`` -> ``/{ds}/update``, ``/{ds}/data``
    - GraphDB: ``/repositories/{id}`` -> ``.../statements``, ``.../rdf-graphs/service``
    - Virtuoso: ``/sparql`` (or ``/sparql-auth``) -> the same URL,
      ``/sparql-graph-crud`` (or ``/sparql-graph-crud-auth``)
    - QLever and others: updates at the query URL, no Graph Store Protocol

    ``update`` and ``gsp`` override what is derived.

    :raises UsageError: if the URL is not http(s) or the store type unknown.
    """
    parts = urlsplit(query)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{safe_url(query)!r} is not an http(s) URL of a SPARQL query endpoint")
    if store_type not in STORE_TYPES:
        raise UsageError(f"unknown store type {store_type!r} (known: {', '.join(STORE_TYPES)})")
    path = parts.path.rstrip("/")
    kind = store_type
    if kind == "auto":
        if path == "/query":
            kind = "oxigraph"
        elif "/repositories/" in path:
            kind = "graphdb"
        elif path in ("/sparql", "/sparql-auth"):
            kind = "virtuoso"
        elif path.endswith(("/query", "/sparql")):
            kind = "fuseki"
        else:
            kind = "generic"
    d_update: str | None
    d_gsp: str | None
    if kind == "oxigraph":
        d_update, d_gsp = _with_path(query, "/update"), _with_path(query, "/store")
    elif kind == "fuseki":
        base = path.rsplit("/", 1)[0]
        d_update, d_gsp = _with_path(query, f"{base}/update"), _with_path(query, f"{base}/data")
    elif kind == "graphdb":
        repo = path.split("/repositories/", 1)[1].split("/")[0]
        root = path.split("/repositories/", 1)[0]
        d_update = _with_path(query, f"{root}/repositories/{repo}/statements")
        d_gsp = _with_path(query, f"{root}/repositories/{repo}/rdf-graphs/service")
    elif kind == "virtuoso":
        crud = "/sparql-graph-crud-auth" if path.endswith("-auth") else "/sparql-graph-crud"
        d_update, d_gsp = query, _with_path(query, crud)
    else:  # QLever and others: update at the query URL, no Graph Store Protocol
        d_update, d_gsp = query, None
    return Endpoints(query, update or d_update, gsp or d_gsp, kind)


@dataclass(frozen=True)
class Auth:
    """Credentials, from options or the environment (KG_USER, KG_PASSWORD, KG_TOKEN)."""

    kind: str = "none"  # none, basic, digest, bearer
    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_options(
        cls,
        kind: str | None,
        user: str | None,
        password: str | None,
        token: str | None,
        url: str | None = None,
    ) -> Auth:
        """The credentials of the options (and $KG_USER, ...); ``--auth digest`` with the
        user and password only in the endpoint's URL (``http://user:pass@host/``) takes
        them from there."""
        user = user or os.environ.get("KG_USER")
        password = password if password is not None else os.environ.get("KG_PASSWORD")
        token = token or os.environ.get("KG_TOKEN")
        if kind in ("basic", "digest") and not user and url is not None:
            parts = urlsplit(url)
            if parts.username is not None:
                user, password = unquote(parts.username), unquote(parts.password or "")
        if kind is None:
            kind = "bearer" if token else "basic" if user else "none"
        if kind in ("basic", "digest") and not user:
            raise UsageError(
                f"{kind} authentication needs a user (--user, KG_USER or user:password@ "
                "in the endpoint's URL)"
            )
        if kind == "bearer" and not token:
            raise UsageError("bearer authentication needs a token (--token or KG_TOKEN)")
        return cls(kind, user, password, token)

    def for_url(self, url: str) -> Auth:
        """These credentials, or, when there are none, Basic with the URL's user:password."""
        parts = urlsplit(url)
        if self.kind != "none" or parts.username is None:
            return self
        return Auth("basic", unquote(parts.username), unquote(parts.password or ""))

    def httpx(self) -> httpx.Auth | None:
        if self.kind == "basic":
            return httpx.BasicAuth(self.user or "", self.password or "")
        if self.kind == "digest":
            return httpx.DigestAuth(self.user or "", self.password or "")
        return None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.kind == "bearer" else {}

    def __repr__(self) -> str:  # never show secrets
        return f"Auth({self.kind!r}, user={self.user!r})"
