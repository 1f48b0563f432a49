"""Loading into any SPARQL 1.1 store over HTTP: the Graph Store Protocol or SPARQL Update.

Safety rules (docs/loading.md):

- Each source goes into its own named graph. With the Graph Store Protocol the
  first batch is PUT (it replaces the graph) and the others are POSTed (they
  add); with SPARQL Update the graph is dropped, then filled with INSERT DATA
  batches. Either way a load that is run again starts by replacing the graph,
  so it completes a broken load without duplicates.
- Only what is safe to repeat is retried: a PUT of a whole graph, a read.
  A POST or an INSERT DATA that may have been applied is never sent again;
  the load stops and says which graphs and batches were done.
- A store's "too large" (HTTP 413, or Virtuoso's ``SP030 ... memory exhausted``,
  which its SPARQL parser answers to an INSERT DATA of some 5,000 triples or
  more) refused the request before anything was applied: the batch is split in
  two and the halves are sent, and the rest of the load goes in parts no larger
  than the last that was refused, halved.
- Every file is read before anything is sent, and each graph is counted in
  the store afterwards and compared with the distinct triples read for it
  (kg/stores/counts.py).

SPARQL requests (the counts, DROP, INSERT DATA) go through the one SPARQL
client, kg/stores/sparql.py; the Graph Store Protocol requests are made here and
sent with its ``send``, on the same httpx client: the same timeout, credentials,
retries and messages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.errors import StoreError, UsageError
from kg.stores.counts import GraphLoad, LoadFailed, LoadReport, parse, survey
from kg.stores.embedded import (
    DERIVED_QUERY,
    GRAPHS_QUERY,
    TITLES_QUERY,
    GraphInfo,
    graphs_of,
)
from kg.stores.endpoints import Auth, Endpoints, graph_iri, safe_url
from kg.stores.sparql import SparqlClient, TooLarge, Unavailable, check, send

METHODS = ("auto", "gsp", "update")
NT = "application/n-triples"
Progress = Callable[[int], None]


class RemoteStore:
    """A SPARQL 1.1 store reached over HTTP: SPARQL through :class:`SparqlClient`, the
    Graph Store Protocol here, both on one httpx client."""

    def __init__(
        self,
        endpoints: Endpoints,
        auth: Auth | None = None,
        *,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.sparql = SparqlClient(endpoints, auth, timeout=timeout, client=client)
        self.client = self.sparql.client

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- SPARQL ------------------------------------------------------------------------
    def count(self, graph: str) -> int:
        """The triples in a named graph (a read: retried)."""
        rows = self.sparql.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri(graph)}> {{ ?s ?p ?o }} }}"
        )
        return int(rows[0]["n"]) if rows else 0

    def graphs(self) -> list[GraphInfo]:
        """The store's named graphs, with their triples and sources (reads: retried)."""
        select = self.sparql.select
        counts = [(r["g"], int(r["n"])) for r in select(GRAPHS_QUERY) if "g" in r]
        derived = [(r["g"], r["file"]) for r in select(DERIVED_QUERY) if len(r) == 2]
        titles = [(r["g"], r["file"], r["title"]) for r in select(TITLES_QUERY) if len(r) == 3]
        return graphs_of(counts, derived, titles)

    def update(self, text: str, *, what: str) -> None:
        self.sparql.update(text, what=what)

    # -- the Graph Store Protocol, with the rules of the module docstring --------------
    def drop(self, graph: str) -> None:
        """Remove a named graph (a repeatable request: retried)."""
        graph = graph_iri(graph)
        if self.endpoints.gsp is not None:
            what = f"DELETE graph <{graph}>"
            response = send(
                self.client, "DELETE", self.endpoints.gsp, what, retry=True, params={"graph": graph}
            )
            if response.status_code in (200, 204, 404):
                return
            if response.status_code not in (405, 501):
                check(response, what)
        self.update(f"DROP SILENT GRAPH <{graph}>", what=f"DROP GRAPH <{graph}>")

    def gsp(self, method: str, graph: str, body: bytes) -> None:
        assert self.endpoints.gsp is not None
        params = {"graph": graph_iri(graph)}
        if method == "POST" and self.endpoints.store_type == "oxigraph":
            # Oxigraph's bulk path: 1.6x faster here (52k against 32k triples/s);
            # a POST is never retried anyway, and a load run again replaces the graph
            params["no_transaction"] = ""
        what = f"{method} graph <{graph}>"
        response = send(
            self.client,
            method,
            self.endpoints.gsp,
            what,
            retry=method == "PUT",
            params=params,
            content=body,
            headers={"Content-Type": NT},
        )
        check(response, what)

    def supports_gsp(self) -> bool:
        """Whether the Graph Store endpoint answers a GET of a graph no one has (not a
        HEAD: Virtuoso 7.2 answers HEAD with 501, Not Implemented)."""
        if self.endpoints.gsp is None:
            return False
        try:
            response = send(
                self.client,
                "GET",
                self.endpoints.gsp,
                "GET graph <urn:kg:probe>",
                retry=True,
                params={"graph": "urn:kg:probe"},
            )
        except StoreError:
            return False
        return response.status_code in (200, 204, 404)


def _batches(path: Path, graph_filter: str | None, size: int) -> Iterator[list[ox.Triple]]:
    batch: list[ox.Triple] = []
    for q in parse(path):
        if graph_filter is not None:
            g = q.graph_name
            if not (isinstance(g, ox.NamedNode) and g.value == graph_filter):
                continue
        batch.append(q.triple)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _nt(triples: list[ox.Triple]) -> bytes:
    data = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


RERUN = "run the same command again: it replaces the graph and completes the load"


def load_remote(
    remote: RemoteStore,
    files: Iterable[tuple[Path, str | None]],
    *,
    method: str = "auto",
    batch_size: int = 50_000,
    progress: Progress | None = None,
) -> LoadReport:
    """Load each (file, graph) into the remote store, replacing the graph, then count it.

    Every file is read first (kg/stores/counts.py: one that does not parse stops
    the load before anything is sent); after the load each graph is counted in
    the store and compared with the distinct triples read for it.

    :raises RdfSyntaxError: if a file does not parse (nothing is sent).
    :raises LoadFailed: with the report of what was loaded before the failure, or
        when a graph holds other than the distinct triples read for it.
    """
    if method not in METHODS:
        raise UsageError(f"unknown load method {method!r} (known: {', '.join(METHODS)})")
    if method == "auto":
        method = "gsp" if remote.supports_gsp() else "update"
    if method == "gsp" and remote.endpoints.gsp is None:
        raise UsageError(
            "this store has no Graph Store endpoint", hint="give --gsp URL, or --method update"
        )
    names = {"gsp": "Graph Store Protocol", "update": "SPARQL Update"}
    report = LoadReport(
        f"{remote.endpoints.store_type} store at {safe_url(remote.endpoints.query)}", names[method]
    )
    steps = survey(files, report)
    sender = _Sender(remote, method)
    replaced: set[str] = set()  # several files for one graph: the first replaces it
    for step in steps:
        for graph in step.graphs:
            gl = report.graph(graph)
            inner = graph if step.graph is None else None  # a quad file's own graph: filter
            try:
                replace = graph not in replaced
                replaced.add(graph)
                _load_graph(sender, step.path, graph, inner, gl, batch_size, progress, replace)
            except StoreError as e:
                gl.error = e.message
                raise LoadFailed(
                    f"loading <{graph}> from {step.path.name} failed: {e.message}",
                    report,
                    hint=_hint(e, touched=gl.batches_done > 0 or not replace),
                ) from None
    for gl in report.graphs:
        try:
            gl.count = remote.count(gl.graph)
        except StoreError as e:
            raise LoadFailed(
                f"counting <{gl.graph}> after the load failed: {e.message}",
                report,
                hint=e.hint or "every graph was sent: count it with kg graphs",
            ) from None
    report.check()
    return report


def _hint(e: StoreError, *, touched: bool) -> str | None:
    """A hint to run the load again only where that can succeed: the store failed or could
    not be reached (a 5xx, a cut connection), not where it refused what it was sent."""
    if isinstance(e, Unavailable) and (touched or e.hint is None):
        return RERUN
    return e.hint


def _load_graph(
    sender: _Sender,
    path: Path,
    graph: str,
    inner: str | None,
    gl: GraphLoad,
    batch_size: int,
    progress: Progress | None,
    replace: bool,
) -> None:
    """A graph that fits in one batch is PUT (one atomic, repeatable replacement);
    a bigger one is deleted (repeatable) and then POSTed batch by batch. With
    SPARQL Update the graph is dropped, then filled with INSERT DATA."""
    remote, method = sender.remote, sender.method
    batches = _batches(path, inner, batch_size)
    first = next(batches, [])
    second = next(batches, None)
    fits = sender.cap is None or len(first) <= sender.cap
    if method == "gsp" and replace and second is None and fits:
        try:
            remote.gsp("PUT", graph, _nt(first))
            _done(gl, len(first), progress)
            gl.batches_done = gl.batches_total = 1
            return
        except TooLarge:  # too large for one request: delete, then POST it in parts
            sender.cap = max(1, len(first) // 2)
    if replace:
        remote.drop(graph) if method == "gsp" else remote.update(
            f"DROP SILENT GRAPH <{graph}>", what=f"DROP GRAPH <{graph}>"
        )
    for batch in itertools.chain([first], [] if second is None else [second], batches):
        if not batch:
            continue
        for part in sender.add(graph, batch):
            _done(gl, part, progress)
        gl.batches_done += 1
    gl.batches_total = gl.batches_done


def _done(gl: GraphLoad, triples: int, progress: Progress | None) -> None:
    gl.sent += triples
    if progress is not None:
        progress(triples)


class _Sender:
    """Adds batches to graphs (POST or INSERT DATA). A batch the store refuses as too large
    (nothing of it was applied) is sent in halves, and the rest of the load in parts no
    larger than the last that failed, halved: one refusal, not one per batch."""

    def __init__(self, remote: RemoteStore, method: str) -> None:
        self.remote = remote
        self.method = method
        self.cap: int | None = None  # the most triples a request may carry, once one was refused

    def add(self, graph: str, batch: list[ox.Triple]) -> Iterator[int]:
        """Send ``batch``; yields the triples of each part the store accepted."""
        while batch:
            size = len(batch) if self.cap is None else self.cap
            part, batch = batch[:size], batch[size:]
            try:
                self._send(graph, part)
            except TooLarge as e:
                if len(part) <= 1:
                    raise StoreError(
                        f"the store refuses even a single triple as too large: {e.message}"
                    ) from None
                self.cap = len(part) // 2
                batch = part + batch
                continue
            yield len(part)

    def _send(self, graph: str, part: list[ox.Triple]) -> None:
        if self.method == "gsp":
            self.remote.gsp("POST", graph, _nt(part))
        else:
            body = _nt(part).decode("utf-8")
            self.remote.update(
                f"INSERT DATA {{ GRAPH <{graph_iri(graph)}> {{\n{body}}} }}",
                what=f"INSERT DATA into <{graph}>",
            )
