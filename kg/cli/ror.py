"""``kg ror``: the local ROR index (``kg ror index``) and matching affiliation strings
against it (``kg ror match``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

import click

from kg.cli.common import State, file_option, pass_state


@click.group()
def ror() -> None:
    """The local ROR (Research Organization Registry) index, and affiliation strings
    matched to it.

    \b
    Example:
        kg ror index ror-data.zip -o ror.sqlite
        kg ror match ror.sqlite "Tomsk Polytechnic University, Tomsk, Russia"
    """


@ror.command("index")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@file_option("-o", "--output", "out", required=True, help="The index file to write (SQLite).")
@pass_state
def index(state: State, dump: Path, out: Path) -> None:
    """Build the local ROR index from DUMP, the ROR data dump (its zip, or the JSON
    array inside; schema v2 or v1).

    \b
    Example:
        kg ror index v1.58-2024-12-11-ror-data.zip -o ror.sqlite
    """
    from kg.mapping.ror import build_index

    started = time.perf_counter()
    stats = build_index(dump, out)
    if not state.quiet:
        click.echo(
            f"{out}: {stats.records:,} organisations, {stats.names:,} names, "
            f"{stats.size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s",
            err=True,
        )


@ror.command("match")
@click.argument("index_path", metavar="INDEX", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("texts", nargs=-1, required=True)
@click.option("--country", help="The country the record gives (ISO 3166-1 alpha-2).")
def match_command(index_path: Path, texts: tuple[str, ...], country: str | None) -> None:
    """Match affiliation strings against INDEX: one line each, with the ROR id and the
    evidence, or why nothing matched (an ambiguous string with its candidates). With
    ``-``, the strings are read from standard input, one a line.

    \b
    Example:
        kg ror match ror.sqlite "Dept. of Physics, Univ. of Helsinki, Finland"
    """
    from kg.mapping.ror import Matcher, RorIndex

    matcher = Matcher(RorIndex.open(index_path))
    given: Iterable[str] = sys.stdin if texts == ("-",) else texts  # stdin: streamed
    for line in given:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        decision = matcher.decide(text, country)
        if decision.match is not None:
            found = decision.match
            why = f"{found.why}; department {found.unit!r}" if found.unit else found.why
            click.echo(f"{text}\t{found.ror}\t{found.name}\t{found.score:.2f}\t{why}")
        else:
            click.echo(f"{text}\t\t\t\t{decision.reason}")
