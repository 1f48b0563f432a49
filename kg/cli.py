"""The ``kg`` command: a thin layer over the library (kg.build, kg.validation, kg.stores, kg.query).

Exit codes, the same for every command: 0 ok, 1 validation failed,
2 usage error, 3 input errors (some records rejected), 4 store or endpoint error.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from kg.config import Config, load_config
from kg.errors import KgError, UsageError
from kg.rdf.files import OUTPUT_FORMATS
from kg.readers.registry import READERS

EXIT_CODES = """\b
Exit codes: 0 ok, 1 validation failed, 2 usage error,
3 input errors (records rejected), 4 store or endpoint error."""


class KgGroup(click.Group):
    """Turns every KgError into one line on standard error and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as e:
            click.echo(f"Error: {e.message}", err=True)
            if e.hint:
                click.echo(f"Hint: {e.hint}", err=True)
            ctx.exit(e.exit_code)
        except BrokenPipeError:  # e.g. `kg build | head`
            sys.stderr.close()
            ctx.exit(0)


class _State:
    def __init__(self, config_path: Path | None, quiet: bool) -> None:
        self.config_path = config_path
        self.quiet = quiet
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


pass_state = click.make_pass_decorator(_State)


@click.group(cls=KgGroup, epilog=EXIT_CODES)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project config file (default: ./kg.toml, or $KG_CONFIG).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.version_option(version("kg"), prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, quiet: bool) -> None:
    """kg turns bibliographic records into a validated scholarly knowledge graph.

    \b
    Example:
        kg build data -o out.ttl && kg validate out.ttl
    """
    ctx.obj = _State(config_path, quiet)


def _progress(quiet: bool, unit: str) -> Any:
    """A tqdm progress bar on a terminal; nothing when piped or --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=f" {unit}", file=sys.stderr, mininterval=0.5, leave=False)


class _BuildBar:
    """The progress of a build on a terminal: one tqdm bar per phase, with its total
    (bytes of the inputs, or records), the time left, and records per second."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.records = 0
        self.started = 0.0
        self.shown = 0.0

    def phase(self, name: str, total: int | None, unit: str = "B") -> None:
        import time

        from tqdm import tqdm

        self.close()
        self.bar = tqdm(
            total=total,
            desc=name,
            unit=unit if unit == "B" else f" {unit}",
            unit_scale=unit == "B",
            file=sys.stderr,
            mininterval=0.5,
            leave=False,
        )
        self.records = 0
        self.started = self.shown = time.monotonic()

    def advance(self, done: int = 0, records: int = 0) -> None:
        import time

        if self.bar is None:
            return
        self.records += records
        if done:
            self.bar.update(done)
        now = time.monotonic()
        if records and now - self.shown >= 0.5:
            rate = self.records / max(now - self.started, 1e-9)
            self.bar.set_postfix_str(f"{self.records:,} records, {rate:,.0f}/s", refresh=False)
            self.shown = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


_store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="The embedded store's folder (default: $KG_STORE, kg.toml, or .kg/store).",
)


def _remote_options(f: Any) -> Any:
    """The options that reach a remote SPARQL 1.1 store."""
    options = [
        click.option(
            "--endpoint",
            envvar="KG_ENDPOINT",
            help="A SPARQL 1.1 store's query endpoint (instead of the embedded store).",
        ),
        click.option("--update", "update_url", help="Its update endpoint (default: derived)."),
        click.option("--gsp", "gsp_url", help="Its Graph Store endpoint (default: derived)."),
        click.option(
            "--store-type",
            default="auto",
            show_default=True,
            type=click.Choice(
                ["auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "qlever", "generic"]
            ),
            help="What kind of store it is, to derive its endpoints.",
        ),
        click.option(
            "--auth",
            "auth_kind",
            type=click.Choice(["basic", "digest", "bearer"]),
            help="Authentication (default: basic with --user, bearer with --token).",
        ),
        click.option("--user", help="User name (or $KG_USER)."),
        click.option("--password", help="Password (or $KG_PASSWORD; never printed)."),
        click.option("--token", help="Bearer token (or $KG_TOKEN; never printed)."),
        click.option(
            "--timeout",
            default=60.0,
            show_default=True,
            type=float,
            help="Seconds to wait for each request.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _auth(kind: str | None, user: str | None, password: str | None, token: str | None) -> Any:
    from kg.stores.remote import Auth

    return Auth.from_options(kind, user, password, token)


_engine_option = click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "turbo"]),
    default="auto",
    show_default=True,
    help="SHACL engine: turbo (pyshacl-turbo, fast; auto picks it when installed) or pyshacl.",
)


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; its extension picks the format (default: Turtle on stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    help="Output format, when the extension does not say it.",
)
@click.option("--base", help="Base IRI of the nodes kg mints (default: from kg.toml).")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of SHACL shapes to use instead of kg's own.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save rejected records here (JSON Lines) to fix and build again.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the full build report (counts, warnings, rejects, validation) as JSON.",
)
@click.option(
    "--from",
    "reader",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *READERS]),
    help="Input format of the records.",
)
@_engine_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that read and map records, and validate batches of them "
    "(the output and the report are the same as with one).",
)
@click.option(
    "--no-resolve",
    is_flag=True,
    help="Do not merge the same journal, organisation or person across records "
    "(one pass instead of two).",
)
@click.option(
    "--organisations",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    multiple=True,
    help="A name-variants table (name<TAB>ROR id per line) besides kg's own (repeatable).",
)
@click.option(
    "--void",
    "void_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a VoID description of the built graph (needs -o).",
)
@click.option(
    "--merges",
    "merges_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save every merge and near-miss of entity resolution, with its evidence (JSON Lines).",
)
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    help="Cut N-Triples/N-Quads output into files of about this many triples "
    "(out-00001.nt, ...), for bulk loaders.",
)
@click.option(
    "--load",
    "load_after",
    is_flag=True,
    help="Load the result into kg's embedded store (one graph per source).",
)
@_store_option
@pass_state
def build(
    state: _State,
    /,
    sources: tuple[Path, ...],
    output: Path | None,
    base: str | None,
    no_validate: bool,
    no_resolve: bool,
    shapes_dir: Path | None,
    load_after: bool,
    store_path: Path | None,
    void_path: Path | None,
    **options: Any,
) -> None:
    """Turn record files (kg's own, Crossref, Retraction Watch, OpenCitations, RIS,
    BibTeX, JATS, landing pages) into RDF, validated.

    SOURCES are files or folders (default: data/). The output format follows
    the extension of -o: .ttl, .nt, .nq, .trig, .jsonld or .rdf.

    \b
    Example:
        kg build data -o out.ttl
        kg build records.jsonl -o graph.nt --rejects rejects.jsonl
        kg build crossref/ -o shards.nq --shard-size 10000000
        kg build data --load
    """
    from kg.iris import check_base

    paths = list(sources)
    if not paths:
        if not Path("data").is_dir():
            raise UsageError(
                "no SOURCES given and there is no data/ folder here",
                hint="kg build FILE_OR_FOLDER... -o out.ttl",
            )
        paths = [Path("data")]
    config = state.config
    options.update(
        base=check_base(base) if base else config.base,
        validate=not no_validate,
        resolve=not no_resolve,
        shapes_dir=shapes_dir or config.shapes,
    )
    if void_path is not None and output is None:
        raise UsageError("--void describes the built file: give -o FILE too")
    with contextlib.ExitStack() as cleanup:
        if load_after and output is None:  # build to a temporary N-Quads file: a graph per source
            tmp = cleanup.enter_context(tempfile.TemporaryDirectory())
            output = Path(tmp) / "build.nq"
        code = _build_and_load(state, paths, output, options, load_after, store_path, void_path)
    click.get_current_context().exit(code)


def _build_and_load(
    state: _State,
    paths: list[Path],
    output: Path | None,
    options: dict[str, Any],
    load_after: bool,
    store_path: Path | None,
    void_path: Path | None = None,
) -> int:
    from kg.build.pipeline import build as build_fn

    bar = _BuildBar() if not state.quiet and sys.stderr.isatty() else None
    try:
        report = build_fn(paths, output, progress=bar, **options)
    finally:
        if bar is not None:
            bar.close()
    if not state.quiet:
        click.echo(report.summary(), err=True)
        if report.validation is not None and not report.validation.conforms:
            details = report.validation.to_text().split("\n", 1)[1]  # the summary is above
            click.echo(_head(details, 60), err=True, nl=False)
    if void_path is not None and output is not None:
        from kg.rdf.files import atomic_output
        from kg.rdf.void import describe_dataset

        validation = report.validation
        text = describe_dataset(
            [Path(s) for s in report.shards] or [output],
            base=options["base"],
            sources=[f.name for f in report.files],
            conforms=validation.conforms if validation is not None else None,
            shapes_summary=validation.counts() if validation is not None else None,
        )
        with atomic_output(void_path) as f:
            f.write(text)
    if load_after and output is not None:
        from kg.stores.embedded import store_path as resolve_store
        from kg.stores.load import load as load_fn

        # shards of one build go into one graph (or keep their graphs, as N-Quads)
        files = [Path(s) for s in report.shards] or [output]
        graph = None if report.format == "nq" else f"{options['base']}graph/{output.name}"
        loaded = load_fn(
            files,
            store=resolve_store(store_path, state.config.store),
            base=options["base"],
            graph=graph,
        )
        if not state.quiet:
            click.echo(loaded.summary(), err=True)
    return report.exit_code


def _head(text: str, n: int) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) <= n:
        return text
    return "".join(lines[:n]) + f"... {len(lines) - n} more line(s): run kg validate for all\n"


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of SHACL shapes to use instead of kg's own.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ttl"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@_engine_option
@pass_state
def validate(
    state: _State, files: tuple[Path, ...], shapes_dir: Path | None, fmt: str, engine: str
) -> None:
    """Check RDF files against kg's SHACL shapes; exit 0 if they conform, 1 if not.

    The report groups results by shape and message and names each focus node.
    Warnings (a missing abstract, say) are shown but do not fail.

    \b
    Example:
        kg validate out.ttl
        kg validate out.ttl --format json > report.json
    """
    from kg.rdf.files import read_store
    from kg.validation.shacl import load_shapes, validate_dataset

    shapes = load_shapes(shapes_dir or state.config.shapes)
    report = validate_dataset(read_store(files), shapes, engine=engine)
    text = {"text": report.to_text, "json": report.to_json, "ttl": report.to_turtle}[fmt]()
    click.echo(text, nl=False)
    click.get_current_context().exit(0 if report.conforms else 1)


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--graph", help="Load every file into this named graph (default: one per file).")
@_store_option
@_remote_options
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
    state: _State,
    files: tuple[Path, ...],
    graph: str | None,
    store_path: Path | None,
    endpoint: str | None,
    update_url: str | None,
    gsp_url: str | None,
    store_type: str,
    auth_kind: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    timeout: float,
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
    from kg.stores.embedded import store_path as resolve_store
    from kg.stores.load import load as load_fn
    from kg.stores.remote import LoadFailed

    config = state.config
    auth = _auth(auth_kind, user, password, token) if endpoint else None
    bar = _progress(state.quiet, "B" if endpoint is None else "triples")
    try:
        report = load_fn(
            list(files),
            store=resolve_store(store_path, config.store),
            endpoint=endpoint,
            update=update_url,
            gsp=gsp_url,
            store_type=store_type,
            method=method,
            graph=graph,
            base=config.base,
            auth=auth,
            batch_size=batch_size,
            timeout=timeout,
            progress=bar.update if bar is not None else None,
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


@cli.command()
@click.option("--graph", required=True, help="The named graph to remove.")
@_store_option
@_remote_options
@pass_state
def drop(
    state: _State,
    graph: str,
    store_path: Path | None,
    endpoint: str | None,
    update_url: str | None,
    gsp_url: str | None,
    store_type: str,
    auth_kind: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    timeout: float,
) -> None:
    """Remove a named graph from kg's embedded store, or from a store with --endpoint.

    \b
    Example:
        kg drop --graph https://example.org/kg/graph/out.ttl
    """
    from kg.stores.embedded import store_path as resolve_store
    from kg.stores.load import drop as drop_fn

    auth = _auth(auth_kind, user, password, token) if endpoint else None
    n = drop_fn(
        graph,
        store=resolve_store(store_path, state.config.store),
        endpoint=endpoint,
        update=update_url,
        gsp=gsp_url,
        store_type=store_type,
        auth=auth,
        timeout=timeout,
    )
    if not state.quiet:
        click.echo(f"Dropped <{graph}> ({n} triples)", err=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write the description to (Turtle; default: standard output).",
)
@click.option("--base", help="Base IRI of the dataset's nodes (default: from kg.toml).")
@click.option("--title", help="The dataset's title (dcterms:title).")
@click.option("--licence", help="The IRI of the dataset's licence (dcterms:license).")
@click.option("--publisher", help="Who publishes it: an IRI or a name (dcterms:publisher).")
@click.option("--source", "sources", multiple=True, help="A source of the data (repeatable).")
@click.option("--dataset-version", help="The dataset's version (owl:versionInfo).")
@click.option("--issued", help="Its date of issue, YYYY-MM-DD (nothing is dated otherwise).")
@_store_option
@pass_state
def describe(
    state: _State,
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
        from kg.stores.embedded import store_path as resolve_store

        store = open_store(resolve_store(store_path, state.config.store), create=False)
        text = describe_dataset(store=store, base=base, version=dataset_version, **options)
    if output is None:
        click.echo(text, nl=False)
        return
    with atomic_output(output) as f:
        f.write(text)
    if not state.quiet:
        click.echo(f"Wrote the description of the dataset to {output}", err=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write; its extension picks the format.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    help="Output format, when the extension does not say it.",
)
@_store_option
@pass_state
def export(
    state: _State, files: tuple[Path, ...], output: Path, fmt: str | None, store_path: Path | None
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
    from kg.stores.embedded import store_path as resolve_store

    if files:
        n = export_files(list(files), output, fmt=fmt)
    else:
        n = export_store(resolve_store(store_path, state.config.store), output, fmt=fmt)
    if not state.quiet:
        click.echo(f"Wrote {n} statements to {output}", err=True)


@cli.command()
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
@_store_option
@_remote_options
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
    state: _State,
    query_spec: str | None,
    params: tuple[str, ...],
    data_files: tuple[Path, ...],
    store_path: Path | None,
    endpoint: str | None,
    update_url: str | None,
    gsp_url: str | None,
    store_type: str,
    auth_kind: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    timeout: float,
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
    if endpoint:
        from kg.query.endpoint import run_remote
        from kg.stores.remote import derive_endpoints

        check_syntax(named, terms)
        endpoints = derive_endpoints(
            endpoint, store_type=store_type, update=update_url, gsp=gsp_url
        )
        result = run_remote(
            endpoints, named, terms, auth=_auth(auth_kind, user, password, token), timeout=timeout
        )
    elif data_files:
        result = run_local(load_data(list(data_files)), named, terms)
    else:
        from kg.stores.embedded import open_store
        from kg.stores.embedded import store_path as resolve_store

        store = open_store(
            resolve_store(store_path, state.config.store), create=False, read_only=True
        )
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


def main() -> None:
    cli(prog_name="kg")
