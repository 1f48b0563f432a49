"""The SPARQL 1.1 Protocol of ``kg serve`` (``/sparql``), read-only.

A query comes as ``GET ?query=``, a form-encoded ``POST`` (``query=``) or a ``POST`` of
``application/sparql-query``. Its default graph is the union of the store's named graphs
(and its default graph) unless ``default-graph-uri`` names graphs; ``named-graph-uri``
limits what ``GRAPH`` reaches. Results go out in the format the ``Accept`` header (or a
``format`` parameter) asks for; updates are refused (403).

The query runs in a worker thread and is serialised there whole, into memory: a client
gets the whole result or an error, never part of one. After ``timeout`` seconds the
request stops waiting and answers 503; the worker stops at its next write of results
(a query that writes nothing until it ends, such as a COUNT, runs on to its end).
"""

from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass, field

import anyio
import pyoxigraph as ox

from kg.serve.rdf import HTML, RDF_TYPES, content_type, negotiate, write

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
GRAPH_TYPES = {t.media_type: t for t in RDF_TYPES}
GRAPH_ALIASES = {
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
# the ``format`` parameter (the query page's choice): a media type for results or graphs
FORMATS = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", "text/turtle"),
    "tsv": ("text/tab-separated-values", "text/turtle"),
    "ttl": ("application/sparql-results+json", "text/turtle"),
    "nt": ("application/sparql-results+json", "application/n-triples"),
    "jsonld": ("application/sparql-results+json", "application/ld+json"),
    "html": (HTML, HTML),  # a page: the form, and the results as a table or Turtle
}
TIMED_OUT = "the query did not finish in time (kg serve --timeout); no result was sent"
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld"}
MAX_RESULT_BYTES = 256 * 1024 * 1024
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
# what may hide the word SERVICE: strings, IRIs and comments (skipped, in the order the
# parser reads them); then SERVICE as a keyword, not part of a name or a variable
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:])", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class SparqlError(Exception):
    """A request the endpoint answers with an error status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class SparqlRequest:
    """What a protocol request asks: the query, its graphs, the format asked for."""

    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None  # the ``format`` parameter, if any


@dataclass(frozen=True)
class SparqlResult:
    body: bytes
    media_type: str


def refused_update(text: str) -> SparqlError:
    return SparqlError(
        403, "this endpoint is read-only: SPARQL updates are refused (kg serve never writes)"
    )


def looks_like_update(text: str) -> bool:
    """Whether a text that is not a query is a SPARQL update (it starts with one's verb)."""
    return _UPDATE.match(_COMMENT.sub("", text)) is not None


def _codepoint(m: re.Match[str]) -> str:
    return chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF))


def uses_service(text: str) -> bool:
    """Whether a query asks another endpoint (``SERVICE``), which would make the server
    send requests wherever a client wants (refused); codepoint escapes read first."""
    unescaped = _CODEPOINT.sub(_codepoint, text)
    for t in {text, unescaped}:
        if _SERVICE.search(_SKIPPED.sub(" ", t)):
            return True
    return False


def choose(accept: str | None, fmt: str | None, kind: str) -> str:
    """The media type for a result of ``kind`` (``results`` or ``graph``).

    A ``format`` parameter (a name of FORMATS, or a media type) overrides Accept.

    :raises SparqlError: 406 if nothing asked for is a format of the result.
    """
    fmt = FORMAT_ALIASES.get(fmt or "", fmt)
    if fmt in FORMATS:
        return FORMATS[fmt][0 if kind == "results" else 1]
    if fmt and "/" in fmt:  # a media type (SPARQLWrapper sends some): as if in Accept
        accept = fmt
    # any other value: unknown to kg, left to the Accept header
    if kind == "results":
        offers, aliases = [*RESULT_TYPES, HTML], RESULT_ALIASES
    else:
        offers, aliases = [*GRAPH_TYPES, HTML], GRAPH_ALIASES
    chosen = negotiate(accept, offers, aliases)
    if chosen is None:
        listed = ", ".join(offers)
        raise SparqlError(406, f"none of the formats asked for; this result is one of: {listed}")
    return chosen


class _Output(io.BytesIO):
    """Where the results are written: stops the worker once nobody waits for them, at
    the deadline, or when they grow past the limit."""

    def __init__(self, stop: threading.Event, deadline: float, limit: int) -> None:
        super().__init__()
        self.stop = stop
        self.deadline = deadline
        self.limit = limit

    def write(self, data: object) -> int:
        if self.stop.is_set() or time.monotonic() > self.deadline:
            raise TimeoutError("the query ran out of time")
        n = super().write(data)  # type: ignore[arg-type]
        if self.tell() > self.limit:
            raise MemoryError("the result is too large")
        return n


def evaluate(
    store: ox.Store,
    req: SparqlRequest,
    accept: str | None,
    *,
    stop: threading.Event,
    deadline: float,
    limit: int = MAX_RESULT_BYTES,
    base: str = "",
) -> SparqlResult:
    """Run the query and serialise its whole result (in the worker thread).

    A page (``text/html``) links the IRIs under ``base`` to their paths.

    :raises SparqlError: 400 for a syntax error, 403 for an update or a SERVICE, 406, 413,
        503.
    """
    if uses_service(req.query):
        raise SparqlError(
            403, "SERVICE is refused: kg serve answers from its own store, it asks no other"
        )
    kwargs: dict[str, object] = {}
    if req.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if req.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
    try:
        result = store.query(req.query, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as e:
        if looks_like_update(req.query):
            raise refused_update(req.query) from None
        raise SparqlError(400, f"not valid SPARQL: {e}") from None
    except ValueError as e:  # e.g. a graph IRI that is not an IRI
        raise SparqlError(400, str(e)) from None
    out = _Output(stop, deadline, limit)
    graph = isinstance(result, ox.QueryTriples)
    try:
        media_type = choose(accept, req.format, "graph" if graph else "results")
        page = media_type == HTML  # made from Turtle or JSON results
        if isinstance(result, ox.QueryTriples):
            write(result, out, GRAPH_TYPES["text/turtle" if page else media_type])
        else:
            fmt = ox.QueryResultsFormat.JSON if page else RESULT_TYPES[media_type]
            result.serialize(out, fmt)
    except MemoryError:
        raise SparqlError(413, f"the result is larger than {limit} bytes; ask for less") from None
    except (TimeoutError, OSError) as e:
        if stop.is_set() or time.monotonic() > deadline or "out of time" in str(e):
            raise SparqlError(503, TIMED_OUT) from None
        raise SparqlError(500, f"the query failed: {e}") from None
    except (RuntimeError, ValueError) as e:  # an evaluation error the engine reports
        raise SparqlError(500, f"the query failed: {e}") from None
    body = out.getvalue()
    if page:
        from kg.serve.sparql_page import graph_page, results_page

        made = graph_page(body, req.query) if graph else results_page(body, req.query, base)
        body = made.encode("utf-8")
    return SparqlResult(body, content_type(media_type))


async def run(
    store: ox.Store,
    req: SparqlRequest,
    accept: str | None,
    timeout: float,
    limiter: anyio.CapacityLimiter | None = None,
    base: str = "",
) -> SparqlResult:
    """Evaluate in a worker thread (of ``limiter``'s, so that queries left running after
    their time cannot take the threads pages need); after ``timeout`` seconds, counting
    the wait for a thread, stop waiting (503)."""
    stop = threading.Event()
    deadline = time.monotonic() + timeout

    def work() -> SparqlResult:
        return evaluate(store, req, accept, stop=stop, deadline=deadline, base=base)

    try:
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(work, abandon_on_cancel=True, limiter=limiter)
    except TimeoutError:
        stop.set()
        raise SparqlError(503, TIMED_OUT) from None
