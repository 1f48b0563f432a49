"""The store commands: ``kg load``, ``kg drop`` and ``kg graphs`` (the embedded store or
a SPARQL 1.1 store), ``kg export`` (RDF files or the embedded store) and ``kg describe``
(VoID)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.common import (
    Remote,
    State,
    file_option,
    input_files,
    output_format_option,
    pass_state,
    progress_bar,
    remote_options,
    store_option,
)


@click.command()
@input_files(required=True)
@click.option("--graph", help="Load every file into this named graph (default: one per file).")
@store_option
@remote_options
@click.option(
    "--method",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "gsp", "update"]),
    help="Remote loads: Graph Store Protocol (PUT/POST) or SPARQL Update (INSERT DATA).",
)
@click.option(
    "--batch-size",
    default=50_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Triples per request to a remote store.",
)
@pass_state
def load(
    state: State,
    files: tuple[Path, ...],
    graph: str | None,
    store_path: Path | None,
    remote: Remote,
    method: str,
    batch_size: int,
) -> None:
    """Load RDF files into kg's embedded store, or into a SPARQL 1.1 store with --endpoint.

    Each file goes into its own named graph ({base}graph/{file name}), or the
    graph given with --graph; N-Quads and TriG files keep their named graphs.
    Loading a file again replaces its graph. The triples of each graph are
    counted in the store afterwards and reported.

    \b
    Example:
        kg load out.ttl
        kg load out.nq --endpoint http://127.0.0.1:7878/query
        kg load out.ttl --endpoint https://db.example.org/ds/sparql --user me --auth digest
    """
    from kg.stores.counts import LoadFailed
    from kg.stores.load import load as load_fn

    args = remote.store_args()
    bar = progress_bar(state.quiet, "B" if remote.endpoint is None else "triples")
    try:
        report = load_fn(
            list(files),
            store=state.store(store_path),
            method=method,
            graph=graph,
            base=state.config.base,
            batch_size=batch_size,
            progress=bar.update if bar is not None else None,
            **args,
        )
    except LoadFailed as e:
        if bar is not None:
            bar.close()
        click.echo(e.report.summary(), err=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    if not state.quiet:
        click.echo(report.summary(), err=True)


@click.command()
@click.option("--graph", required=True, help="The named graph to remove.")
@store_option
@remote_options
@pass_state
def drop(state: State, graph: str, store_path: Path | None, remote: Remote) -> None:
    """Remove a named graph from kg's embedded store, or from a store with --endpoint.

    \b
    Example:
        kg drop --graph https://example.org/kg/graph/out.ttl
    """
    from kg.stores.load import drop as drop_fn

    args = remote.store_args()
    n = drop_fn(graph, store=state.store(store_path), **args)
    if not state.quiet:
        click.echo(f"Dropped <{graph}> ({n} triples)", err=True)


@click.command()
@store_option
@remote_options
@pass_state
def graphs(state: State, store_path: Path | None, remote: Remote) -> None:
    """List the named graphs of kg's embedded store, or of a store with --endpoint: each
    graph's triples, its IRI (what kg drop --graph takes) and the files it came from.

    A source is known where the graph says it (kg build -o out.nq writes, in each
    source's graph, the file it was derived from); "-" where it does not.

    \b
    Example:
        kg graphs
        kg graphs --endpoint http://127.0.0.1:7878/query
    """
    from kg.stores.load import graphs as graphs_fn

    found = graphs_fn(store=state.store(store_path), **remote.store_args())
    width = max([len(str(g.triples)) for g in found] + [len("triples")])
    iri = max([len(g.graph) for g in found] + [len("graph")])
    click.echo(f"{'triples':>{width}}  {'graph':<{iri}}  source")
    for g in found:
        source = ", ".join(g.sources) or "-"
        click.echo(f"{g.triples:>{width}}  {g.graph:<{iri}}  {source}")
    if not state.quiet:
        total = sum(g.triples for g in found)
        click.echo(f"{len(found)} graph(s), {total} triples", err=True)


@click.command()
@input_files(required=False)
@file_option(
    "-o",
    "--output",
    help="File to write the description to (Turtle; default: standard output).",
)
@click.option("--base", help="Base IRI of the dataset's nodes (default: from kg.toml).")
@click.option("--title", help="The dataset's title (dcterms:title).")
@click.option("--licence", help="The IRI of the dataset's licence (dcterms:license).")
@click.option("--publisher", help="Who publishes it: an IRI or a name (dcterms:publisher).")
@click.option("--source", "sources", multiple=True, help="A source of the data (repeatable).")
@click.option("--dataset-version", help="The dataset's version (owl:versionInfo).")
@click.option("--issued", help="Its date of issue, YYYY-MM-DD (nothing is dated otherwise).")
@store_option
@pass_state
def describe(
    state: State,
    /,
    files: tuple[Path, ...],
    output: Path | None,
    base: str | None,
    store_path: Path | None,
    dataset_version: str | None,
    **options: Any,
) -> None:
    """Describe a built graph with VoID: its size, classes, properties, graphs.

    With no FILES, describes kg's embedded store. The same graph always gives
    the same description, byte for byte.

    \b
    Example:
        kg describe out.nq -o void.ttl --title "Our retractions" --licence https://creativecommons.org/licenses/by/4.0/
        kg describe --store .kg/store
    """
    from kg.iris import check_base
    from kg.rdf.files import atomic_output
    from kg.rdf.void import describe_dataset

    base = check_base(base) if base else state.config.base
    if files:
        text = describe_dataset(list(files), base=base, version=dataset_version, **options)
    else:
        from kg.stores.embedded import open_store

        # read-only: a store opened for writing no longer matches its side data's stamp
        store = open_store(state.store(store_path), create=False, read_only=True)
        text = describe_dataset(store=store, base=base, version=dataset_version, **options)
    if output is None:
        click.echo(text, nl=False)
        return
    with atomic_output(output) as f:
        f.write(text)
    if not state.quiet:
        click.echo(f"Wrote the description of the dataset to {output}", err=True)


@click.command()
@input_files(required=False)
@file_option(
    "-o",
    "--output",
    required=True,
    help="File to write; its extension picks the format.",
)
@output_format_option
@store_option
@pass_state
def export(
    state: State, files: tuple[Path, ...], output: Path, fmt: str | None, store_path: Path | None
) -> None:
    """Write RDF files, or kg's embedded store, in another RDF format.

    With no FILES, exports the embedded store: every named graph in N-Quads or
    TriG, all of them merged in the other formats.

    \b
    Example:
        kg export out.ttl -o out.jsonld
        kg export -o everything.nq
    """
    from kg.rdf.export import export_files
    from kg.stores.embedded import export_store

    if files:
        n = export_files(list(files), output, fmt=fmt)
    else:
        n = export_store(state.store(store_path), output, fmt=fmt)
    if not state.quiet:
        click.echo(f"Wrote {n} statements to {output}", err=True)
