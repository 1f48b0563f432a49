"""``kg serve``: the graph as linked data over HTTP, read-only (kg/serve/)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import State, pass_state, store_option


def _positive(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not value > 0:
        raise click.BadParameter("must be more than 0 seconds", ctx=ctx, param=param)
    return value


@click.command()
@store_option
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve these RDF files (held in memory) instead of the embedded store (repeatable).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port; the URL is printed).",
)
@click.option("--base", help="The base IRI the graph was built with (default: kg.toml's base).")
@click.option("--cors", is_flag=True, help="Allow every origin (Access-Control-Allow-Origin: *).")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=float,
    callback=_positive,
    help="Seconds a SPARQL query may run before the answer is 503.",
)
@pass_state
def serve(
    state: State,
    store_path: Path | None,
    data_files: tuple[Path, ...],
    host: str,
    port: int,
    base: str | None,
    cors: bool,
    timeout: float,
) -> None:
    """Serve the graph as linked data: a page and RDF for every node, SPARQL, lookups.

    Every IRI kg minted under the base answers at its path (HTML or Turtle,
    N-Triples, JSON-LD, RDF/XML by Accept or by a .ttl, .nt, .jsonld, .rdf
    suffix); /doi/DOI, /orcid/ID, /ror/ID and /issn/ISSN redirect to the node
    with that identifier; /sparql speaks the SPARQL 1.1 Protocol (read-only).
    It serves the embedded store (read-only) or RDF files (--data). Ctrl-C stops.

    \b
    Example:
        kg build data -o out.nq --base http://127.0.0.1:8000/
        kg serve --data out.nq --base http://127.0.0.1:8000/
        curl -H 'Accept: text/turtle' http://127.0.0.1:8000/doi/10.1162/qss_a_00292
    """
    from kg.iris import check_base
    from kg.serve.app import bind_socket, create_app
    from kg.serve.app import serve as run_server

    if store_path is not None and data_files:
        from kg.errors import UsageError

        raise UsageError("give --store or --data, not both")
    base = check_base(base) if base else state.config.base
    if data_files:
        from kg.query.library import load_data

        store = load_data(list(data_files))
        what = ", ".join(str(p) for p in data_files)
    else:
        from kg.stores.embedded import open_store

        folder = state.store(store_path)
        store = open_store(folder, create=False, read_only=True)
        what = f"the store {folder}"
    sock = bind_socket(host, port)  # a busy port is said before any work is done
    try:
        app = create_app(store, base, timeout=timeout, cors=cors)  # builds the search index
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        # said once it can answer: the tests (and scripts) wait for this line
        click.echo(f"Serving {what} (base {base}) at http://{shown}:{bound}/", err=True)
        click.echo("Press Ctrl-C to stop.", err=True)
        run_server(app, sock)
    finally:
        sock.close()
