"""The Starlette application of ``kg serve``: read-only linked data over one pyoxigraph store.

Routes (docs/serve.md):

- ``/`` the home page, ``/retractions`` the retraction index, ``/search?q=`` search
  (kg/serve/pages/);
- ``/sparql`` the SPARQL 1.1 Protocol (kg/serve/sparql.py), a query form for browsers;
- ``/{path}`` the node ``base + path``: HTML or RDF by ``Accept``, or by a suffix
  (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``); ``/doi/``, ``/orcid/``, ``/ror/``,
  ``/issn/`` + an identifier: 303 to the node that has it (kg/serve/lookup.py).

Every answer for a node or a page has a strong ETag (``If-None-Match`` gives 304) and
``Vary: Accept`` where the answer depends on it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kg.errors import UsageError
from kg.iris import path as encode_path
from kg.serve.lookup import KINDS, find
from kg.serve.rdf import (
    BY_MEDIA_TYPE,
    BY_SUFFIX,
    HTML,
    RDF_TYPES,
    content_type,
    description,
    etag,
    exists,
    matches,
    negotiate,
    serialize,
)
from kg.serve.sparql import SparqlError, SparqlRequest, run
from kg.serve.sparql_page import query_page

LOG = logging.getLogger("kg.serve")
NODE_OFFERS = [HTML] + [t.media_type for t in RDF_TYPES]
DEFAULT_TIMEOUT = 30.0
SPARQL_THREADS = 4  # queries at once; the others wait (within their timeout)


def respond(
    request: Request, body: bytes, media_type: str, *, status: int = 200, vary: bool = True
) -> Response:
    """The body with its ETag (304 when the client has it) and, if negotiated, Vary."""
    headers = {"ETag": etag(body)}
    if vary:
        headers["Vary"] = "Accept"
    if status == 200 and matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, headers=headers, media_type=content_type(media_type))


def not_found(request: Request, what: str) -> Response:
    """404: a page for browsers, a line of text for programs."""
    message = f"{what}: not found"
    if negotiate(request.headers.get("accept"), [HTML, "text/plain"]) == HTML:
        from html import escape

        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Not found</title></head>"
            f"<body><h1>Not found</h1><p>{escape(message)}</p>"
            '<p><a href="/">Home</a> · <a href="/sparql">SPARQL</a></p></body></html>'
        )
        return Response(page, status_code=404, media_type=content_type(HTML))
    return PlainTextResponse(message + "\n", status_code=404)


def failed_page(request: Request) -> Response:
    """500, with the traceback on standard error: a page failed to render."""
    LOG.exception("kg serve: the page %s failed", request.url.path)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Error</title></head>"
        "<body><h1>This page failed</h1><p>The server could not make this page; "
        'its log says why. The data is still there: <a href="/sparql">SPARQL</a>.</p>'
        "</body></html>"
    )
    return Response(page, status_code=500, media_type=content_type(HTML))


def library_examples() -> list[tuple[str, str, str]]:
    """The query library as (name, title, text), parameters bound to their defaults;
    queries with a required parameter are left out."""
    from kg.errors import KgError
    from kg.query.library import bind, library, with_values

    examples = []
    for name, q in library().items():
        try:
            text = with_values(q.text, bind(q, {}))
        except KgError:
            continue
        examples.append((name, q.title, text))
    return examples


def create_app(
    store: ox.Store,
    base: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cors: bool = False,
) -> Starlette:
    """The application serving ``store``, whose nodes are named under ``base``.

    The search index of titles and names (kg/serve/search.py) is built here, when the
    store is served (about 0.6 s for 10,000 records), not on the first search.
    """
    from kg.serve.search import SearchIndex

    index = SearchIndex.build(store)
    limiters: list[anyio.CapacityLimiter] = []

    def node_iri(rel: str) -> tuple[str, str | None] | None:
        """The node a path names and the suffix format it forces, or None."""
        candidates = [rel]
        again = encode_path(unquote(rel))
        if again != rel:
            candidates.append(again)
        for c in candidates:
            if exists(store, base + c):
                return base + c, None
        for c in candidates:
            stem, dot, suffix = c.rpartition(".")
            if dot and suffix in BY_SUFFIX and stem and exists(store, base + stem):
                return base + stem, suffix
        return None

    def location(iri: str) -> str:
        return "/" + iri[len(base) :] if iri.startswith(base) else iri

    async def node(request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        rel = raw.decode("utf-8", errors="replace").lstrip("/")
        if "?" in rel:  # some servers keep the query string in raw_path
            rel = rel.split("?", 1)[0]
        found = await run_in_threadpool(node_iri, rel)
        if found is None:
            kind, _, value = rel.partition("/")
            if kind in KINDS and value:
                target = await run_in_threadpool(find, store, base, kind, unquote(value))
                if target is not None:
                    return RedirectResponse(location(target), status_code=303)
            return not_found(request, base + rel)
        iri, suffix = found
        if suffix is not None:
            rdf_type = BY_SUFFIX[suffix]
            body = await run_in_threadpool(lambda: serialize(description(store, iri), rdf_type))
            return respond(request, body, rdf_type.media_type, vary=False)
        chosen = negotiate(request.headers.get("accept"), NODE_OFFERS)
        if chosen is None:
            return PlainTextResponse(
                f"none of the formats asked for; a node is one of: {', '.join(NODE_OFFERS)}\n",
                status_code=406,
                headers={"Vary": "Accept"},
            )
        if chosen == HTML:
            from kg.serve.pages import entity_page

            try:
                page = await run_in_threadpool(entity_page, store, iri, base)
            except Exception:  # a page that fails is a 500 page; the connection stays open
                return failed_page(request)
            if page is None:
                return not_found(request, iri)
            return respond(request, page.encode("utf-8"), HTML)
        rdf_type = BY_MEDIA_TYPE[chosen]
        body = await run_in_threadpool(lambda: serialize(description(store, iri), rdf_type))
        return respond(request, body, chosen)

    def exact(request: Request, path: str) -> bool:
        """Whether the request is for ``path`` itself: a route's pattern ends in ``$``,
        which also matches before a final newline (``/%0A`` would be ``/``)."""
        return str(request.scope["path"]) == path

    def page(make: Callable[[Request], str], path: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            if not exact(request, path):
                return not_found(request, request.scope["path"])
            try:
                html = await run_in_threadpool(make, request)
            except Exception:
                return failed_page(request)
            return respond(request, html.encode("utf-8"), HTML, vary=False)

        return endpoint

    # "/" and "/retractions" count over the whole graph (seconds at 100,000 records);
    # the store does not change while it is served, so each is made once and kept
    made: dict[str, str] = {}

    def home(request: Request) -> str:
        from kg.serve.pages import home_page

        if "home" not in made:
            made["home"] = home_page(store, base)
        return made["home"]

    def retractions(request: Request) -> str:
        from kg.serve.pages import retractions_page

        if "retractions" not in made:
            made["retractions"] = retractions_page(store, base)
        return made["retractions"]

    def search(request: Request) -> str:
        from kg.serve.pages import search_page

        return search_page(store, base, request.query_params.get("q", ""), index=index)

    async def sparql(request: Request) -> Response:
        if not exact(request, "/sparql"):
            return not_found(request, request.scope["path"])
        accept = request.headers.get("accept")
        try:
            req = await sparql_request(request)
            if req is None:
                if negotiate(accept, [HTML, "text/plain"]) == HTML:
                    html = await run_in_threadpool(lambda: query_page(library_examples()))
                    return respond(request, html.encode("utf-8"), HTML)
                raise SparqlError(400, "give a query: ?query=..., or POST one")
            if not limiters:  # made in the event loop, on first use
                limiters.append(anyio.CapacityLimiter(SPARQL_THREADS))
            result = await run(store, req, accept, timeout, limiters[0], base)
        except SparqlError as e:
            return PlainTextResponse(e.message + "\n", status_code=e.status)
        return Response(result.body, media_type=result.media_type, headers={"Vary": "Accept"})

    routes = [
        Route("/", page(home, "/"), methods=["GET", "HEAD"]),
        Route("/retractions", page(retractions, "/retractions"), methods=["GET", "HEAD"]),
        Route("/search", page(search, "/search"), methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "HEAD", "POST"]),
        Route("/{path:path}", node, methods=["GET", "HEAD"]),
    ]
    middleware = []
    if cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["ETag", "Location", "Vary"],
            )
        )
    return Starlette(routes=routes, middleware=middleware)


async def sparql_request(request: Request) -> SparqlRequest | None:
    """The query a protocol request carries (None: none), with its graphs.

    :raises SparqlError: 403 for an update, 415 for a body of another type, 400 for two
        queries.
    """
    params = request.query_params
    fmt = params.get("format") or None
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise SparqlError(403, "this endpoint is read-only: SPARQL updates are refused")
        if kind == "application/sparql-query":
            text = (await request.body()).decode("utf-8")
            return SparqlRequest(
                text, params.getlist("default-graph-uri"), params.getlist("named-graph-uri"), fmt
            )
        if kind == "application/x-www-form-urlencoded":
            # parsed here: Starlette's form parser needs python-multipart
            form = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
            if "update" in form:
                raise SparqlError(403, "this endpoint is read-only: SPARQL updates are refused")
            queries = form.get("query", [])
            if not queries:
                return None
            if len(queries) > 1:
                raise SparqlError(400, "give one query, not several")
            defaults = form.get("default-graph-uri", []) + params.getlist("default-graph-uri")
            named = form.get("named-graph-uri", []) + params.getlist("named-graph-uri")
            fmt = (form.get("format") or [""])[0] or fmt
            return SparqlRequest(queries[0], defaults, named, fmt)
        raise SparqlError(
            415,
            "POST a query as application/sparql-query or application/x-www-form-urlencoded",
        )
    if "update" in params:
        raise SparqlError(403, "this endpoint is read-only: SPARQL updates are refused")
    queries = params.getlist("query")
    if not queries:
        return None
    if len(queries) > 1:
        raise SparqlError(400, "give one query, not several")
    return SparqlRequest(
        queries[0], params.getlist("default-graph-uri"), params.getlist("named-graph-uri"), fmt
    )


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port), as uvicorn binds one.

    :raises UsageError: if the port is in use or the address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on such sockets (else a reused
    # connection waits 40 ms for each answer: Nagle and delayed ACKs)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        import errno

        if e.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} is in use", hint="stop what uses it, or give another with --port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(app: Starlette, sock: socket.socket) -> None:
    """Run uvicorn with ``app`` on the bound socket until Ctrl-C (or SIGTERM).

    uvicorn shuts down and then raises the signal it caught again: Ctrl-C's
    KeyboardInterrupt ends the server quietly here; SIGTERM ends the process as SIGTERM.
    """
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
