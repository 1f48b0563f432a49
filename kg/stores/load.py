"""Load: RDF files into kg's embedded store (the default) or any SPARQL 1.1 store.

Each file goes into its own named graph, ``{base}graph/{file name}``, unless
``graph`` names one; N-Quads and TriG files keep their own named graphs (kg
writes one per source). Loading a source again replaces its graph. Every file is
read before anything is loaded; after the load every graph is counted in the store
and compared with the distinct triples read for it (kg/stores/counts.py).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path

from kg.iris import DEFAULT_BASE, segment
from kg.rdf.files import QUAD_FORMATS, format_of
from kg.stores.counts import LoadReport, Progress
from kg.stores.embedded import (
    GraphInfo,
    count_graph,
    list_graphs,
    load_into_store,
    open_store,
)
from kg.stores.endpoints import Auth, derive_endpoints, graph_iri
from kg.stores.remote import RemoteStore, load_remote
from kg.stores.side import refresh, stamp


def graph_for(path: Path, base: str) -> str:
    """The named graph a triple file is loaded into when none is given."""
    return f"{base}graph/{segment(path.name)}"


def plan_graphs(
    paths: Sequence[Path], graph: str | None, base: str
) -> list[tuple[Path, str | None]]:
    """(file, graph) pairs: the given graph, a quad file's own graphs (None), or one per file.

    :raises UsageError: if a file's format cannot be told from its extension.
    """
    plan: list[tuple[Path, str | None]] = []
    for path in paths:
        key = format_of(path)
        if graph is not None:
            plan.append((path, graph))
        elif key in QUAD_FORMATS:
            plan.append((path, None))
        else:
            plan.append((path, graph_for(path, base)))
    return plan


def load(
    paths: Sequence[Path],
    *,
    store: Path | None = None,
    endpoint: str | None = None,
    update: str | None = None,
    gsp: str | None = None,
    store_type: str = "auto",
    method: str = "auto",
    graph: str | None = None,
    base: str = DEFAULT_BASE,
    auth: Auth | None = None,
    batch_size: int = 50_000,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``paths`` into the embedded store at ``store``, or into the store at ``endpoint``.

    :raises UsageError: for a bad URL, option or file extension.
    :raises RdfSyntaxError: if a file does not parse (nothing is loaded).
    :raises LoadFailed: (a StoreError) if the store fails or a graph's count differs
        from the distinct triples read for it; its ``report`` says what was loaded.
    :raises StoreError: if the store cannot be opened or reached.
    """
    plan = plan_graphs(paths, None if graph is None else graph_iri(graph), base)
    if endpoint is None:
        assert store is not None
        return load_into_store(store, plan, target=f"embedded store {store}", progress=progress)
    endpoints = derive_endpoints(endpoint, store_type=store_type, update=update, gsp=gsp)
    with RemoteStore(endpoints, auth, timeout=timeout) as remote:
        return load_remote(remote, plan, method=method, batch_size=batch_size, progress=progress)


def drop(
    graph: str,
    *,
    store: Path | None = None,
    endpoint: str | None = None,
    update: str | None = None,
    gsp: str | None = None,
    store_type: str = "auto",
    auth: Auth | None = None,
    timeout: float = 60.0,
) -> int:
    """Remove a named graph; returns how many triples it held.

    :raises UsageError: if ``graph`` is not an absolute IRI (before anything is sent).
    """
    import pyoxigraph as ox

    graph = graph_iri(graph)
    if endpoint is None:
        assert store is not None
        st = open_store(store, create=False)
        n = count_graph(st, graph)
        st.remove_graph(ox.NamedNode(graph))
        refresh(st, store, [graph])
        st.flush()
        del st  # closed when its last reference goes: then its files are final
        gc.collect()
        stamp(store)
        return n
    endpoints = derive_endpoints(endpoint, store_type=store_type, update=update, gsp=gsp)
    with RemoteStore(endpoints, auth, timeout=timeout) as remote:
        n = remote.count(graph)
        remote.drop(graph)
        return n


def graphs(
    *,
    store: Path | None = None,
    endpoint: str | None = None,
    update: str | None = None,
    gsp: str | None = None,
    store_type: str = "auto",
    auth: Auth | None = None,
    timeout: float = 60.0,
) -> list[GraphInfo]:
    """The named graphs of the embedded store at ``store``, or of the store at ``endpoint``,
    by IRI, each with its triples and the files it came from (as far as it says).

    :raises StoreError: if there is no store there, or it cannot be reached.
    """
    if endpoint is None:
        assert store is not None
        return list_graphs(open_store(store, create=False, read_only=True))
    endpoints = derive_endpoints(endpoint, store_type=store_type, update=update, gsp=gsp)
    with RemoteStore(endpoints, auth, timeout=timeout) as remote:
        return remote.graphs()
