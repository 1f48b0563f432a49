"""kg's embedded triple store: a persistent Oxigraph store on disk, nothing to install or start.

Where it is: ``--store PATH``, else ``$KG_STORE``, else ``store`` in kg.toml,
else ``.kg/store`` in the current folder. Each loaded source goes into its own
named graph, so loading it again replaces it; queries see the union of all
graphs (kg/query/library.py asks Oxigraph for it).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import RdfSyntaxError, StoreError
from kg.rdf.export import write_quads
from kg.rdf.files import FORMATS, QUAD_FORMATS, format_of
from kg.stores.counts import Counting, LoadReport, Step, parse, survey
from kg.stores.endpoints import graph_iri
from kg.stores.side import refresh, stamp
from kg.vocab import DC_TITLE, WAS_DERIVED_FROM

DEFAULT_STORE = Path(".kg") / "store"
Progress = Callable[[int], None]


def store_path(option: Path | None = None, configured: Path | None = None) -> Path:
    """The embedded store's folder: the option, else $KG_STORE, else kg.toml, else .kg/store."""
    if option is not None:
        return option
    env = os.environ.get("KG_STORE")
    if env:
        return Path(env)
    return configured if configured is not None else DEFAULT_STORE


def open_store(path: Path, *, create: bool = True, read_only: bool = False) -> ox.Store:
    """Open (or create) the embedded store at ``path``.

    :raises StoreError: if it does not exist (and ``create`` is false) or another
        process holds it.
    """
    if not create and not path.exists():
        raise StoreError(
            f"{path}: there is no kg store here",
            hint="load something first (kg load FILE), or give --store PATH",
        )
    try:
        if read_only:
            return ox.Store.read_only(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as e:
        raise StoreError(
            f"{path}: cannot open the store: {e}", hint="is another kg process using it?"
        ) from None


def count_graph(store: ox.Store, graph: str) -> int:
    """The triples in a named graph of the store."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri(graph)}> {{ ?s ?p ?o }} }}"
    for row in store.query(query):  # type: ignore[union-attr]
        return int(row[0].value)
    return 0


def load_into_store(
    path: Path,
    files: Iterable[tuple[Path, str | None]],
    *,
    target: str,
    progress: Progress | None = None,
) -> LoadReport:
    """Load each (file, graph) into the embedded store at ``path``, replacing the graph.

    A triple file goes into the graph given; a quad file (N-Quads, TriG) keeps
    its own named graphs unless a graph is given (then all of it goes there).
    Every file is read first (kg/stores/counts.py), before the store is even opened:
    one that does not parse leaves the store as it was, and unlocked. Each graph is
    cleared before its first file is loaded, so loading a source again replaces it;
    afterwards each graph is counted and compared with the distinct triples read for it.

    :raises RdfSyntaxError: if a file does not parse (nothing is loaded).
    :raises LoadFailed: if a graph holds other than the distinct triples read for it.
    :raises StoreError: if the store cannot be opened.
    """
    report = LoadReport(target, "embedded bulk load")
    steps = survey(files, report, progress=progress)
    store = open_store(path)
    replaced: set[str] = set()  # several files for one graph: the first replaces it
    for step in steps:
        for g in step.graphs:
            if g not in replaced:
                store.remove_graph(ox.NamedNode(g))
                replaced.add(g)
        _bulk_load(store, step, progress)
        store.flush()
    for gl in report.graphs:
        gl.batches_done = gl.batches_total = len(gl.sources)
        gl.sent = gl.read
        gl.count = count_graph(store, gl.graph)
    refresh(store, path, replaced)
    store.flush()
    del store  # closed when its last reference goes: then its files are final
    gc.collect()
    stamp(path)
    report.check()
    return report


def _bulk_load(store: ox.Store, step: Step, progress: Progress | None) -> None:
    """Oxigraph's bulk loader, fed through a byte counter for the progress bar; a quad file
    given one graph goes in statement by statement, each into that graph."""
    key = format_of(step.path)
    if step.graph is not None and key in QUAD_FORMATS:
        node = ox.NamedNode(step.graph)
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, node) for q in parse(step.path, progress)
        )
        return
    to_graph = None if step.graph is None else ox.NamedNode(step.graph)
    try:
        with step.path.open("rb") as raw:
            f: Any = Counting(raw, progress) if progress is not None else raw
            store.bulk_load(f, FORMATS[key][1], to_graph=to_graph)
    except SyntaxError as e:  # read once already: only if it changed since
        raise RdfSyntaxError(f"{step.path}: not valid {FORMATS[key][0]}: {e}") from None


@dataclass(frozen=True)
class GraphInfo:
    """A named graph of a store: how many triples it holds and the files it came from
    (what the graph says of itself: kg's N-Quads and TriG builds name their source)."""

    graph: str
    triples: int
    sources: tuple[str, ...] = ()


GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# two plain patterns, not one with OPTIONAL: Virtuoso 7.2 answers an OPTIONAL inside
# GRAPH ?g with rows whose subject is not ?g (179 rows for 5 graphs in a test)
DERIVED_QUERY = f"SELECT ?g ?file WHERE {{ GRAPH ?g {{ ?g {WAS_DERIVED_FROM} ?file }} }}"
TITLES_QUERY = f"""SELECT ?g ?file ?title WHERE {{ GRAPH ?g {{
  ?g {WAS_DERIVED_FROM} ?file . ?file {DC_TITLE} ?title }} }}"""


def graphs_of(
    counts: Iterable[tuple[str, int]],
    derived: Iterable[tuple[str, str]],
    titles: Iterable[tuple[str, str, str]],
) -> list[GraphInfo]:
    """GraphInfo by IRI, from the answers to :data:`GRAPHS_QUERY` (graph, triples),
    :data:`DERIVED_QUERY` (graph, file) and :data:`TITLES_QUERY` (graph, file, title):
    a source is its file's title, else the file's IRI."""
    title = {(g, f): t for g, f, t in titles}
    named: dict[str, set[str]] = {}
    for g, f in derived:
        named.setdefault(g, set()).add(title.get((g, f), f))
    return sorted(
        (GraphInfo(g, n, tuple(sorted(named.get(g, ())))) for g, n in counts),
        key=lambda info: info.graph,
    )


def _values(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT whose every value is bound, as strings."""
    return [
        tuple(term.value for term in row)
        for row in store.query(query)  # type: ignore[union-attr]
        if all(term is not None for term in row)
    ]


def list_graphs(store: ox.Store) -> list[GraphInfo]:
    """The named graphs of the embedded store, with their triples and sources."""
    counts = [(g, int(n)) for g, n in _values(store, GRAPHS_QUERY)]
    derived = [(g, f) for g, f in _values(store, DERIVED_QUERY)]
    titles = [(g, f, t) for g, f, t in _values(store, TITLES_QUERY)]
    return graphs_of(counts, derived, titles)


def export_store(store: Path, output: Path, *, fmt: str | None = None) -> int:
    """Write kg's embedded store at ``store`` to ``output``: every graph in N-Quads and
    TriG, all merged (the union of the graphs) in the triple formats.

    :raises StoreError: if there is no store there.
    """
    target = format_of(output, fmt)
    st = open_store(store, create=False, read_only=True)
    return write_quads(st.quads_for_pattern(None, None, None, None), output, target)
