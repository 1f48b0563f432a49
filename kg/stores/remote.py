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
- A 413 (payload too large) was refused before anything was applied: the
  batch is split in two and the halves are sent.

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

from kg.errors import RdfSyntaxError, StoreError, UsageError
from kg.rdf.files import FORMATS, QUAD_FORMATS, format_of
from kg.stores.embedded import GraphLoad, LoadReport, graphs_in
from kg.stores.endpoints import Auth, Endpoints, safe_url
from kg.stores.sparql import SparqlClient, TooLarge, check, send

METHODS = ("auto", "gsp", "update")
NT = "application/n-triples"
Progress = Callable[[int], None]


class LoadFailed(StoreError):
    """A remote load stopped; ``report`` says what was loaded before it did."""

    def __init__(self, message: str, report: LoadReport, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


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
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        return int(rows[0]["n"]) if rows else 0

    def update(self, text: str, *, what: str) -> None:
        self.sparql.update(text, what=what)

    # -- the Graph Store Protocol, with the rules of the module docstring --------------
    def drop(self, graph: str) -> None:
        """Remove a named graph (a repeatable request: retried)."""
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
        params = {"graph": graph}
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
        """Whether the Graph Store endpoint answers (a read of a graph no one has)."""
        if self.endpoints.gsp is None:
            return False
        try:
            response = send(
                self.client,
                "HEAD",
                self.endpoints.gsp,
                "HEAD",
                retry=True,
                params={"graph": "urn:kg:probe"},
            )
        except StoreError:
            return False
        return response.status_code in (200, 204, 404)


def _batches(path: Path, graph_filter: str | None, size: int) -> Iterator[list[ox.Triple]]:
    key = format_of(path)
    batch: list[ox.Triple] = []
    try:
        for q in ox.parse(path=str(path), format=FORMATS[key][1]):
            if graph_filter is not None:
                g = q.graph_name
                if not (isinstance(g, ox.NamedNode) and g.value == graph_filter):
                    continue
            batch.append(ox.Triple(q.subject, q.predicate, q.object))
            if len(batch) >= size:
                yield batch
                batch = []
    except SyntaxError as e:
        raise RdfSyntaxError(f"{path}: not valid {FORMATS[key][0]}: {e}") from None
    if batch:
        yield batch


def _nt(triples: list[ox.Triple]) -> bytes:
    data = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


def load_remote(
    remote: RemoteStore,
    files: Iterable[tuple[Path, str | None]],
    *,
    method: str = "auto",
    batch_size: int = 50_000,
    progress: Progress | None = None,
) -> LoadReport:
    """Load each (file, graph) into the remote store, replacing the graph, then count it.

    :raises LoadFailed: with the report of what was loaded before the failure.
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
    plan: list[tuple[Path, str, str | None]] = []  # file, graph, graph to read from the file
    for path, graph in files:
        if format_of(path) in QUAD_FORMATS and graph is None:
            plan.extend((path, g, g) for g in graphs_in(path))
        else:
            if graph is None:
                raise ValueError("a triple file needs a graph")
            plan.append((path, graph, None))
    replaced: set[str] = set()  # several files for one graph: the first replaces it
    for path, graph, inner in plan:
        gl = GraphLoad(graph, path.name)
        report.graphs.append(gl)
        try:
            replace = graph not in replaced
            replaced.add(graph)
            _load_graph(remote, path, graph, inner, gl, method, batch_size, progress, replace)
            gl.count = remote.count(graph)
        except StoreError as e:
            gl.error = e.message
            raise LoadFailed(
                f"loading <{graph}> from {path.name} failed: {e.message}",
                report,
                hint=e.hint
                or "run the same command again: it replaces the graph and completes the load",
            ) from None
    return report


def _load_graph(
    remote: RemoteStore,
    path: Path,
    graph: str,
    inner: str | None,
    gl: GraphLoad,
    method: str,
    batch_size: int,
    progress: Progress | None,
    replace: bool,
) -> None:
    """A graph that fits in one batch is PUT (one atomic, repeatable replacement);
    a bigger one is deleted (repeatable) and then POSTed batch by batch. With
    SPARQL Update the graph is dropped, then filled with INSERT DATA."""
    batches = _batches(path, inner, batch_size)
    first = next(batches, [])
    second = next(batches, None)
    if method == "gsp" and replace and second is None:
        try:
            remote.gsp("PUT", graph, _nt(first))
            _done(gl, len(first), progress)
            gl.batches_done = gl.batches_total = 1
            return
        except TooLarge:  # too large for one request: delete, then POST it in parts
            pass
    if replace:
        remote.drop(graph) if method == "gsp" else remote.update(
            f"DROP SILENT GRAPH <{graph}>", what=f"DROP GRAPH <{graph}>"
        )
    for batch in itertools.chain([first], [] if second is None else [second], batches):
        if not batch:
            continue
        for part in _send_splitting(remote, method, graph, batch):
            _done(gl, part, progress)
        gl.batches_done += 1
    gl.batches_total = gl.batches_done


def _done(gl: GraphLoad, triples: int, progress: Progress | None) -> None:
    gl.triples += triples
    if progress is not None:
        progress(triples)


def _send_splitting(
    remote: RemoteStore, method: str, graph: str, batch: list[ox.Triple]
) -> Iterator[int]:
    """Add one batch (POST or INSERT DATA); on a 413, send its two halves instead."""
    try:
        if method == "gsp":
            remote.gsp("POST", graph, _nt(batch))
        else:
            body = _nt(batch).decode("utf-8")
            remote.update(
                f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}",
                what=f"INSERT DATA into <{graph}>",
            )
        yield len(batch)
    except TooLarge:
        if len(batch) <= 1:
            raise StoreError(
                "the store refuses even a single triple as too large (HTTP 413)"
            ) from None
        half = len(batch) // 2
        yield from _send_splitting(remote, method, graph, batch[:half])
        yield from _send_splitting(remote, method, graph, batch[half:])
