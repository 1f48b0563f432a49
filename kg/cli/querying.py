"""``kg query``: a named query of kg's library, a .rq file or SPARQL text, over RDF files,
the embedded store or a SPARQL 1.1 endpoint.

``kg query NAME --help`` describes NAME (its parameters and example, from its
header in queries/) instead of the command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.cli.common import Remote, State, pass_state, remote_options, store_option
from kg.errors import KgError, UsageError

if TYPE_CHECKING:
    from kg.query.library import NamedQuery


class QueryCommand(click.Command):
    """``kg query``, whose ``--help`` after a QUERY describes that query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --help is eager: it prints before QUERY is processed, so look for QUERY first
        if "--help" in args:
            try:
                opts, _, _ = self.make_parser(ctx).parse_args(args=list(args))
            except click.UsageError:
                opts = {}
            spec = opts.get("query_spec")
            ctx.meta["kg.query"] = spec if isinstance(spec, str) else None
        return super().parse_args(ctx, args)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        spec = ctx.meta.get("kg.query")
        if not spec or spec == "-":  # never read standard input for help
            super().format_help_text(ctx, formatter)
            return
        from kg.query.library import resolve

        try:
            named = resolve(spec)
        except KgError as e:
            super().format_help_text(ctx, formatter)
            with formatter.section(f"No query {spec!r}"):
                formatter.write_text(f"{e.message}; {e.hint}" if e.hint else e.message)
            return
        if named.name == "inline":  # SPARQL text: nothing to describe
            super().format_help_text(ctx, formatter)
        else:
            _describe(named, formatter)


def _describe(q: NamedQuery, formatter: click.HelpFormatter) -> None:
    """A query's title, description, parameters and examples, for ``--help``."""
    formatter.write_paragraph()
    with formatter.indentation():
        formatter.write_text(f"{q.name}: {q.title}" if q.title else q.name)
        if q.description:
            formatter.write_paragraph()
            formatter.write_text(q.description)
    with formatter.section("Parameters (--param NAME=VALUE)"):
        if q.params:
            formatter.write_dl([(name, text) for name, text in _param_rows(q)])
        else:
            formatter.write_text("none")
        for group in q.one_of:
            formatter.write_paragraph()
            formatter.write_text(f"Give at least one of: {', '.join(group)}.")
    examples = q.examples or [f"kg query {q.source}"]
    with formatter.section("Example" if len(examples) == 1 else "Examples"):
        for example in examples:
            formatter.write_text(example)
    formatter.write_paragraph()
    formatter.write_text("kg query --help describes the command itself.")


def _param_rows(q: NamedQuery) -> list[tuple[str, str]]:
    """Each parameter: its name, and its type, whether required or its default, what it is."""
    rows = []
    for p in q.params:
        flag = "required" if p.required else (f"default {p.default}" if p.default else "optional")
        rows.append((p.name, f"{p.type}, {flag}" + (f": {p.description}" if p.description else "")))
    return rows


@click.command(cls=QueryCommand)
@click.argument("query_spec", metavar="QUERY", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the query (repeatable); kg query NAME --help lists them.",
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
    "for CONSTRUCT and DESCRIBE, which give rows of subject, predicate, object in the "
    "other formats). Only the table is cut, to $COLUMNS or the terminal's width.",
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
    exits 0 when true and 1 when false. kg query NAME --help describes a query.

    \b
    Example:
        kg query --list
        kg query retracted-articles
        kg query retractions-by-institution --help
        kg query retractions-by-institution --param ror=00a45v709 --format csv
        kg query "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" --data out.ttl
    """
    from kg.query.library import bind, check_syntax, library, load_data, resolve, run_local
    from kg.query.results import check_format, render, table_width

    if list_queries:
        click.echo(_list_library(library()), nl=False)
        return
    if query_spec is None:
        raise UsageError(
            "give a QUERY (a library name, a .rq file, SPARQL text or -)",
            hint="kg query --list shows the library",
        )
    # everything the command says is checked before any store is opened or asked
    named = resolve(query_spec)
    given = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        given[name.strip()] = value
    terms = bind(named, given)
    check_format(named.form, fmt)
    check_syntax(named, terms)
    if remote.endpoint:
        from kg.query.endpoint import run_remote

        endpoints = remote.endpoints()
        result = run_remote(endpoints, named, terms, auth=remote.auth(), timeout=remote.timeout)
    elif data_files:
        result = run_local(load_data(list(data_files)), named, terms)
    else:
        from kg.query.fast import run_store

        result = run_store(state.store(store_path), named, terms)
    terminal = sys.stdout.isatty()
    click.echo(render(result, fmt, terminal=terminal, width=table_width(terminal)), nl=False)
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
