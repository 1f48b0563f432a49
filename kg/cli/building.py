"""``kg build`` and ``kg validate``: records to RDF, and RDF against the SHACL shapes."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from kg.cli.common import (
    State,
    engine_option,
    file_option,
    input_files,
    output_format_option,
    pass_state,
    shapes_option,
    store_option,
)
from kg.errors import UsageError
from kg.readers.registry import READERS


class BuildBar:
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


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@file_option(
    "-o",
    "--output",
    help="File to write; its extension picks the format (default: Turtle on stdout).",
)
@output_format_option
@click.option("--base", help="Base IRI of the nodes kg mints (default: from kg.toml).")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@shapes_option
@file_option("--rejects", help="Save rejected records here (JSON Lines) to fix and build again.")
@file_option(
    "--report",
    "report_path",
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
@engine_option
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
@file_option(
    "--organisations",
    exists=True,
    multiple=True,
    help="A name-variants table (name<TAB>ROR id per line) besides kg's own (repeatable).",
)
@file_option(
    "--ror",
    "ror_index",
    exists=True,
    help="A local ROR index (kg ror index): affiliations without a ROR id are matched "
    "to ROR organisations, ambiguous ones listed as near-misses (--merges).",
)
@file_option(
    "--void",
    "void_path",
    help="Also write a VoID description of the built graph (needs -o).",
)
@file_option(
    "--merges",
    "merges_path",
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
@store_option
@pass_state
def build(
    state: State,
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
        ror_index=options.get("ror_index") or config.ror,
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
    state: State,
    paths: list[Path],
    output: Path | None,
    options: dict[str, Any],
    load_after: bool,
    store_path: Path | None,
    void_path: Path | None = None,
) -> int:
    from kg.build.pipeline import build as build_fn

    bar = BuildBar() if not state.quiet and sys.stderr.isatty() else None
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
    else:  # no summary, but a failure still says why, in a line or a few
        for r in report.rejects[:20]:
            click.echo(f"Rejected: {r.error}", err=True)
        if len(report.rejects) > 20:
            click.echo(f"... and {len(report.rejects) - 20} more rejected record(s)", err=True)
        if report.validation is not None and not report.validation.conforms:
            click.echo(report.validation.to_text().split("\n", 1)[0], err=True)
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
        from kg.stores.load import load as load_fn

        # shards of one build go into one graph (or keep their graphs, as N-Quads)
        files = [Path(s) for s in report.shards] or [output]
        graph = None if report.format == "nq" else f"{options['base']}graph/{output.name}"
        from kg.stores.counts import LoadFailed

        try:
            loaded = load_fn(
                files, store=state.store(store_path), base=options["base"], graph=graph
            )
        except LoadFailed as e:  # the counts that disagree, then the Error line
            click.echo(e.report.summary(), err=True)
            raise
        if not state.quiet:
            click.echo(loaded.summary(), err=True)
    return report.exit_code


def _head(text: str, n: int) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) <= n:
        return text
    return (
        "".join(lines[:n])
        + f"... {len(lines) - n} more line(s): kg validate FILE --all lists them all\n"
    )


GROUP_LIMIT = 10  # focus nodes kg validate lists in a group of its text report, without --all


@click.command()
@input_files(required=True)
@shapes_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ttl"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=f"List every focus node of a group (the text report lists {GROUP_LIMIT}).",
)
@engine_option
@pass_state
def validate(
    state: State,
    files: tuple[Path, ...],
    shapes_dir: Path | None,
    fmt: str,
    show_all: bool,
    engine: str,
) -> None:
    """Check RDF files against kg's SHACL shapes; exit 0 if they conform, 1 if not.

    The report groups results by shape and message and names the focus nodes
    of each group, at most 10 unless --all (the JSON and Turtle reports name
    them all). Warnings (a missing abstract, say) are shown but do not fail.

    \b
    Example:
        kg validate out.ttl
        kg validate out.ttl --all
        kg validate out.ttl --format json > report.json
    """
    from kg.rdf.files import read_store
    from kg.validation.shacl import load_shapes, validate_dataset

    shapes = load_shapes(shapes_dir or state.config.shapes)
    report = validate_dataset(read_store(files), shapes, engine=engine)
    if fmt == "text":
        limit = None if show_all else GROUP_LIMIT
        text = report.to_text(limit, hint=" (--all lists them all)")
    else:
        text = report.to_json() if fmt == "json" else report.to_turtle()
    click.echo(text, nl=False)
    click.get_current_context().exit(0 if report.conforms else 1)
