"""The ``kg`` command: a thin layer over the library (kg.build, kg.validation, kg.stores, kg.query).

Exit codes, the same for every command: 0 ok, 1 validation failed,
2 usage error, 3 input errors (some records rejected), 4 store or endpoint error,
5 an output file cannot be written.

Modules: common.py (the run's state and the options commands share),
building.py (build, validate), storing.py (load, drop, graphs, export, describe),
querying.py (query), ror.py (ror index, ror match), serving.py (serve). The library is imported
inside the commands, so that ``kg --help`` stays quick.
"""

from __future__ import annotations

import sys
import traceback
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from kg.cli.building import build, validate
from kg.cli.common import State
from kg.cli.querying import query
from kg.cli.ror import ror
from kg.cli.serving import serve
from kg.cli.storing import describe, drop, export, graphs, load
from kg.errors import KgError

EXIT_CODES = """\b
Exit codes: 0 ok, 1 validation failed, 2 usage error,
3 input errors (records rejected), 4 store or endpoint error,
5 an output file cannot be written."""


class KgGroup(click.Group):
    """Turns every KgError into one line on standard error and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as e:
            # The failed command's frames, kept by the traceback, may hold an embedded
            # store, whose lock goes only with it (pyoxigraph has no close): cleared,
            # so that a program or test that runs kg again in this process can open it.
            traceback.clear_frames(e.__traceback__)
            click.echo(f"Error: {e.message}", err=True)
            if e.hint:
                click.echo(f"Hint: {e.hint}", err=True)
            ctx.exit(e.exit_code)
        except BrokenPipeError:  # e.g. `kg build | head`
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=KgGroup, epilog=EXIT_CODES)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project config file (default: ./kg.toml, or $KG_CONFIG).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar and no summary (rejects and a failed validation still say why).",
)
@click.version_option(version("kg"), prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, quiet: bool) -> None:
    """kg turns bibliographic records into a validated scholarly knowledge graph.

    \b
    Example:
        kg build data -o out.ttl && kg validate out.ttl
    """
    ctx.obj = State(config_path, quiet)


for command in (build, validate, load, drop, graphs, describe, export, query, serve):
    cli.add_command(command)
cli.add_command(ror)


def main() -> None:
    cli(prog_name="kg")
