"""Organisations across records: one by ROR id, else by a normalised name that a
name-variants table or another record ties to a ROR id."""

from __future__ import annotations

import csv
import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.ids import normalize_ror
from kg.iris import IriMinter
from kg.mapping.resolve.merges import Merge, MergeLog
from kg.mapping.resolve.names import org_key

if TYPE_CHECKING:  # the ROR index loads only when a build is given one
    from kg.mapping.ror.match import Matcher


def load_variants(paths: Iterable[Path]) -> dict[str, str]:
    """Name variants -> ROR id from tab-separated ``name<TAB>ror`` files (``#`` comments).

    :raises InputError: naming the file and line of a bad row.
    """
    table: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as e:
            raise InputError(f"{path}: cannot read the organisation table: {e.strerror}") from None
        for n, row in enumerate(csv.reader(text.splitlines(), delimiter="\t"), start=1):
            if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            if len(row) < 2 or normalize_ror(row[1]) is None:
                raise InputError(
                    f"{path.name}: line {n}: expected 'name<TAB>ROR id', got {chr(9).join(row)!r}"
                )
            table[org_key(row[0])] = normalize_ror(row[1]) or ""
    return table


def default_tables() -> Sequence[Path]:
    """kg's own name-variants table (``data/organisations.tsv``, shipped in the wheel)."""
    import kg

    package = Path(kg.__file__).resolve().parent
    for candidate in (
        package / "_resources" / "organisations.tsv",
        package.parent / "data" / "organisations.tsv",
    ):
        if candidate.is_file():
            return [candidate]
    return []


def decide_organisations(
    db: sqlite3.Connection,
    variants: dict[str, str],
    minter: IriMinter,
    merges: MergeLog,
    near_misses: MergeLog,
    matcher: Matcher | None = None,
    units: dict[str, str] | None = None,
) -> dict[str, str]:
    """The names seen without a ROR id (table ``org_name``) -> the ROR id each resolves to,
    from the name-variants table or the names seen with one (``org_ror``), else (given a
    local ROR index, ``matcher``) the one ROR organisation the matcher matches the names to;
    the merges and near-misses logged. A matched name that names a department before
    the organisation puts the department's name in ``units`` (key -> name)."""
    org_ror: dict[str, str] = {}
    # both in key order: walk the names without a ROR id, and the ROR ids beside them
    names = _grouped(db.execute("SELECT DISTINCT key, name FROM org_name ORDER BY key, name"))
    rors = _grouped(db.execute("SELECT DISTINCT key, ror FROM org_ror ORDER BY key, ror"))
    pending = next(rors, None)
    for key, given in names:
        while pending is not None and pending[0] < key:
            pending = next(rors, None)
        found = pending[1] if pending is not None and pending[0] == key else []
        ror = variants.get(key)
        if ror is not None:
            evidence = "the name-variants table"
        elif len(found) == 1:
            ror = found[0]
            evidence = "the same name as an organisation with this ROR id in another record"
        elif len(found) > 1:
            near_misses.append(
                Merge(
                    "organisation",
                    "",
                    given,
                    f"the name is given to organisations with different ROR ids "
                    f"({', '.join(found)}): a record without a ROR id is kept apart",
                )
            )
            continue
        elif matcher is not None and (matched := _matched(matcher, given, near_misses)):
            ror, evidence, unit = matched
            if unit and units is not None:
                units[key] = unit
        else:
            if len(given) > 1:
                merges.append(
                    Merge(
                        "organisation",
                        minter.org_key("name", key),
                        given,
                        f"the same normalised name ({key!r})",
                    )
                )
            continue
        org_ror[key] = ror
        merges.append(
            Merge(
                "organisation",
                minter.org_ror(ror),
                given,
                f"given without a ROR id; {evidence}",
            )
        )
    return org_ror


def _matched(
    matcher: Matcher, given: list[str], near_misses: MergeLog
) -> tuple[str, str, str] | None:
    """The ROR id, the evidence and the department named before it ("" for none) when
    the matcher matches the names (one key's spellings) to one organisation; else None,
    an ambiguous name logged as a near-miss."""
    decisions = [matcher.decide(name) for name in given]
    found = {d.match.ror: d.match.why for d in decisions if d.match is not None}
    if len(found) == 1:
        ror, why = next(iter(found.items()))
        unit = next((d.match.unit for d in decisions if d.match is not None), "")
        return ror, f"matched in the local ROR index: {why}", unit
    if len(found) > 1:
        reason = f"the local ROR index matches its spellings to {', '.join(sorted(found))}"
    else:
        reasons = [d.reason for d in decisions if d.ambiguous]
        if not reasons:
            return None
        reason = f"the local ROR index finds it {reasons[0]}"
    near_misses.append(Merge("organisation", "", given, f"{reason}: kept apart"))
    return None


def ror_parents(matcher: Matcher, rors: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each ROR id -> its ROR parents (``parent`` links), for the ids and, in turn,
    their parents (up to 8 levels)."""
    out: dict[str, tuple[str, ...]] = {}
    todo = list(rors)
    for _ in range(8):
        found: list[str] = []
        for ror in todo:
            if ror not in out:
                out[ror] = tuple(sorted(matcher.index.parents.get(ror, ())))
                found.extend(out[ror])
        todo = found
    return {ror: parents for ror, parents in out.items() if parents}


def ror_names(matcher: Matcher, rors: Iterable[str]) -> dict[str, tuple[str, str, str | None]]:
    """Each ROR id the index knows -> its ROR name, the name's language (``und`` when
    ROR gives none) and its country's name."""
    info = {}
    for ror in rors:
        org = matcher.index.organisations.get(ror)
        if org is not None:
            lang = matcher.index.display_lang.get(ror, "und")
            info[ror] = (org.name, lang, org.country_name)
    return info


def _grouped(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(key, [values]) from rows sorted by key."""
    for key, group in itertools.groupby(rows, key=itemgetter(0)):
        yield key, [value for _, value in group]
