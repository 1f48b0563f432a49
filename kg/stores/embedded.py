"""kg's embedded triple store: a persistent Oxigraph store on disk, nothing to install or start.

Where it is: ``--store PATH``, else ``$KG_STORE``, else ``store`` in kg.toml,
else ``.kg/store`` in the current folder. Each loaded source goes into its own
named graph, so loading it again replaces it; queries see the union of all
graphs (kg/query/library.py asks Oxigraph for it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import RdfSyntaxError, StoreError
from kg.rdf.export import write_quads
from kg.rdf.files import FORMATS, QUAD_FORMATS, format_of

DEFAULT_STORE = Path(".kg") / "store"
Progress = Callable[[int], None]


@dataclass
class GraphLoad:
    """What happened to one named graph in a load."""

    graph: str
    source: str
    triples: int = 0  # statements read from the source
    batches_done: int = 0
    batches_total: int = 0
    count: int | None = None  # triples in the graph after loading, as the store counts them
    error: str | None = None

    @property
    def verified(self) -> bool:
        return self.count is not None and self.error is None


@dataclass
class LoadReport:
    """Which graphs were loaded, with how many triples, into which store."""

    target: str
    method: str
    graphs: list[GraphLoad] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(g.count or 0 for g in self.graphs)

    def summary(self) -> str:
        lines = [f"Load into {self.target} ({self.method}):"]
        for g in self.graphs:
            if g.error is not None:
                state = (
                    f"FAILED after {g.batches_done} batch(es) ({g.triples} triples) "
                    f"were loaded: {g.error}"
                )
            else:
                state = f"{g.count} triples"
                if g.count is not None and g.count != g.triples:
                    state += f" ({g.triples} read from {g.source}: duplicates in the source)"
            lines.append(f"  <{g.graph}> from {g.source}: {state}")
        lines.append(f"Total: {self.triples} triples in {len(self.graphs)} graph(s)")
        return "\n".join(lines)


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


class _Counting:
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, f: IO[bytes], progress: Progress) -> None:
        self.f = f
        self.progress = progress

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.progress(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)


def graphs_in(path: Path) -> list[str]:
    """The named graphs a quad file (N-Quads, TriG) holds, in order of appearance."""
    seen: dict[str, None] = {}
    for q in _parse(path):
        if isinstance(q.graph_name, ox.NamedNode):
            seen.setdefault(q.graph_name.value)
    return list(seen)


def _parse(path: Path) -> Iterator[ox.Quad]:
    key = format_of(path)
    try:
        yield from ox.parse(path=str(path), format=FORMATS[key][1])
    except SyntaxError as e:
        raise RdfSyntaxError(f"{path}: not valid {FORMATS[key][0]}: {e}") from None


def count_graph(store: ox.Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    for row in result:  # type: ignore[union-attr]
        return int(row[0].value)
    return 0


def load_into_store(
    store: ox.Store,
    files: Iterable[tuple[Path, str | None]],
    *,
    target: str,
    progress: Progress | None = None,
) -> LoadReport:
    """Load each (file, graph) into the embedded store, replacing the graph.

    A triple file goes into the graph given; a quad file (N-Quads, TriG) keeps
    its own named graphs unless a graph is given. Each graph is cleared first,
    so loading a source again replaces it. Counts are verified afterwards.

    :raises RdfSyntaxError: if a file does not parse (the graphs loaded before
        it stay loaded).
    """
    report = LoadReport(target, "embedded bulk load")
    replaced: set[str] = set()  # several files for one graph: the first replaces it
    for path, graph in files:
        key = format_of(path)
        fmt = FORMATS[key][1]
        if key in QUAD_FORMATS and graph is None:
            names = graphs_in(path)
            loads = [GraphLoad(g, path.name, batches_total=1) for g in names]
            for g in names:
                if g not in replaced:
                    store.remove_graph(ox.NamedNode(g))
                    replaced.add(g)
            _bulk_load(store, path, fmt, None, progress)
        else:
            if graph is None:
                raise ValueError("a triple file needs a graph")
            node = ox.NamedNode(graph)
            if graph not in replaced:
                store.remove_graph(node)
                replaced.add(graph)
            gl = GraphLoad(graph, path.name, batches_total=1)
            loads = [gl]
            _bulk_load(store, path, fmt, node, progress)
        store.flush()
        for gl in loads:
            gl.batches_done = 1
            gl.count = gl.triples = count_graph(store, gl.graph)
        report.graphs.extend(loads)
    return report


def _bulk_load(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    graph: ox.NamedNode | None,
    progress: Progress | None,
) -> None:
    """Oxigraph's bulk loader, fed through a byte counter for the progress bar."""
    try:
        with path.open("rb") as raw:
            f: Any = _Counting(raw, progress) if progress is not None else raw
            store.bulk_load(f, fmt, to_graph=graph)
    except SyntaxError as e:
        raise RdfSyntaxError(f"{path}: not valid {FORMATS[format_of(path)][0]}: {e}") from None


def export_store(store: Path, output: Path, *, fmt: str | None = None) -> int:
    """Write kg's embedded store at ``store`` to ``output``: every graph in N-Quads and
    TriG, all merged (the union of the graphs) in the triple formats.

    :raises StoreError: if there is no store there.
    """
    target = format_of(output, fmt)
    st = open_store(store, create=False, read_only=True)
    return write_quads(st.quads_for_pattern(None, None, None, None), output, target)
