"""``kg query``: a named query of kg's library, a .rq file or SPARQL text, over RDF files,
the embedded store or a SPARQL 1.1 endpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.cli.common import Remote, State, pass_state, remote_options, store_option
from kg.errors import UsageError


@click.command()
@click.argument("query_spec", metavar="QUERY", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the query (repeatable).",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Query these RDF files instead of the embedded store (repeatable).",
)
@store_option
@remote_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "ttl", "nt"]),
    help="Output format (default: a table on a terminal, CSV when piped; Turtle "
    "for CONSTRUCT and DESCRIBE).",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@pass_state
def query(
    state: State,
    query_spec: str | None,
    params: tuple[str, ...],
    data_files: tuple[Path, ...],
    store_path: Path | None,
    remote: Remote,
    fmt: str | None,
    list_queries: bool,
) -> None:
    """Run a SPARQL query: a named query of kg's library, a .rq file, SPARQL text, or - (stdin).

    It runs over RDF files (--data), kg's embedded store (the default) or a
    SPARQL 1.1 endpoint (--endpoint), and sees the union of their named graphs.
    Parameters are typed and bound, never pasted into the query. An ASK query
    exits 0 when true and 1 when false.

    \b
    Example:
        kg query --list
        kg query retracted-articles
        kg query retractions-by-institution --param ror=00a45v709 --format csv
        kg query "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" --data out.ttl
    """
    from kg.query.library import bind, check_syntax, library, load_data, resolve, run_local
    from kg.query.results import render

    if list_queries:
        click.echo(_list_library(library()), nl=False)
        return
    if query_spec is None:
        raise UsageError(
            "give a QUERY (a library name, a .rq file, SPARQL text or -)",
            hint="kg query --list shows the library",
        )
    named = resolve(query_spec)
    given = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        given[name.strip()] = value
    terms = bind(named, given)
    if remote.endpoint:
        from kg.query.endpoint import run_remote

        check_syntax(named, terms)
        endpoints = remote.endpoints()
        result = run_remote(endpoints, named, terms, auth=remote.auth(), timeout=remote.timeout)
    elif data_files:
        result = run_local(load_data(list(data_files)), named, terms)
    else:
        from kg.stores.embedded import open_store

        store = open_store(state.store(store_path), create=False, read_only=True)
        result = run_local(store, named, terms)
    click.echo(render(result, fmt, terminal=sys.stdout.isatty()), nl=False)
    if result.form == "ASK":
        click.get_current_context().exit(0 if result.boolean else 1)


def _list_library(queries: dict[str, Any]) -> str:
    lines = []
    for name, q in queries.items():
        lines.append(f"{name}: {q.title}")
        if q.description:
            lines.append(f"    {q.description}")
        for p in q.params:
            flag = (
                "required" if p.required else (f"default {p.default}" if p.default else "optional")
            )
            lines.append(f"    --param {p.name}=<{p.type}>  ({flag}) {p.description}".rstrip())
        for group in q.one_of:
            lines.append(f"    give one of: {', '.join(group)}")
        for example in q.examples:
            lines.append(f"    e.g. {example}")
        lines.append("")
    return "\n".join(lines)
