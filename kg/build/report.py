"""What a build reports: its progress on the way, and what it did at the end.

:class:`BuildReport` (with a :class:`FileSummary` per input file) is what
:func:`kg.build.pipeline.build` returns; :func:`write_rejects` saves the
rejected records (``--rejects FILE``), :func:`write_merges` what entity
resolution merged and kept apart (``--merges FILE``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kg.errors import InputError, Location
from kg.rdf.files import FORMATS, atomic_output
from kg.readers.base import Reject, SourceFile
from kg.readers.registry import PassedOver
from kg.records import Issue

if TYPE_CHECKING:  # the SHACL engines load only when a build validates
    from kg.mapping.resolve import Merge
    from kg.validation.shacl import ValidationReport


class Progress(Protocol):
    """What a build tells whoever shows its progress (kg/cli/building.py draws a bar with tqdm).

    A build goes through phases (checking its inputs, resolving, building,
    checking again what several records describe); each has a total where it
    can be known: bytes of the input files, or records.
    """

    def phase(self, name: str, total: int | None, unit: str = "B") -> None: ...

    def advance(self, done: int = 0, records: int = 0) -> None: ...


class NoProgress:
    def phase(self, name: str, total: int | None, unit: str = "B") -> None:
        return None

    def advance(self, done: int = 0, records: int = 0) -> None:
        return None


@dataclass
class FileSummary:
    name: str
    reader: str
    records: int = 0
    rejected: int = 0
    merged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # kinds of work kg does not map
    repaired: int = 0  # fields whose broken encoding (mojibake) the reader repaired
    refused: str | None = None  # why no record of this file was read (one reject says it)

    @classmethod
    def of(cls, source: SourceFile) -> FileSummary:
        return cls(source.name, source.reader, refused=source.refused)


@dataclass
class BuildReport:
    """What a build did: counts, rejects, warnings and the validation outcome."""

    files: list[FileSummary] = field(default_factory=list)
    records: int = 0
    built: int = 0
    duplicates: int = 0
    merged: int = 0  # records that added to a work another record described
    skipped: int = 0  # works of kinds kg does not map
    named_only: int = 0  # works known only by an identifier (cited; a status's target or source)
    references: int = 0  # reference-list entries read (and citations a citation index gives)
    cited: int = 0  # of which name the cited work by DOI or PubMed id (cito:cites)
    citation_rows: int = 0  # records that only state a work's citations (OpenCitations rows)
    rejects: list[Reject] = field(default_factory=list)
    issues: list[tuple[Location, Issue]] = field(default_factory=list)
    triples: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    validation: ValidationReport | None = None
    output: str | None = None
    format: str = "ttl"
    shards: list[str] = field(default_factory=list)
    merges: Sequence[Merge] = field(default_factory=list)  # what entity resolution made one
    near_misses: Sequence[Merge] = field(default_factory=list)  # what it kept apart, and why
    # how validation settled nodes that several records describe (kg/validation/settle.py)
    settled: dict[str, int] = field(default_factory=dict)
    # files in the folders built that hold no records kg reads, each with what it holds
    passed_over: list[PassedOver] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """3 if records were rejected, else 1 if validation failed, else 0."""
        if self.rejects:
            return InputError.exit_code
        if self.validation is not None and not self.validation.conforms:
            return 1
        return 0

    def summary(self, limit: int = 20) -> str:
        """A few lines for a person; at most ``limit`` warnings and rejects are listed."""
        lines = []
        for f in self.files:
            if f.refused is not None:
                lines.append(f"  {f.name}: not read: {f.refused}")
                continue
            line = f"  {f.name}: {f.records} record(s) read by the {f.reader} reader"
            if f.rejected:
                line += f", {f.rejected} rejected"
            if f.merged:
                line += f", {f.merged} added to works described elsewhere"
            if f.repaired:
                line += f", {f.repaired} field(s) repaired (mojibake)"
            if f.skipped:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(f.skipped.items()))
                line += f"; skipped (types kg does not map): {kinds}"
            lines.append(line)
        head = (
            f"Read {self.records} record(s) from {len(self.files)} file(s): "
            f"{self.built} built, {len(self.rejects)} rejected"
            + (f", {self.merged} merged" if self.merged else "")
            + (f", {self.duplicates} duplicate(s) skipped" if self.duplicates else "")
            + (f", {self.skipped} skipped" if self.skipped else "")
        )
        out = [head, *lines, *self._passed_over()]
        if self.named_only:
            out.append(
                "Works known only by their DOI or PubMed id (cited, or the target or source "
                f"of a status): {self.named_only}"
            )
        if self.references:
            text = self.references - self.cited
            out.append(
                f"References: {self.references} read, {self.cited} citing a work by DOI or "
                f"PubMed id (cito:cites), {text} kept as text only"
                + (f"; {self.citation_rows} from citation indexes" if self.citation_rows else "")
            )
        if self.merges or self.near_misses:
            merged = Counter(m.kind for m in self.merges)
            near = Counter(m.kind for m in self.near_misses)
            out.append(
                "Resolved: "
                + (", ".join(f"{n} {k} merge(s)" for k, n in sorted(merged.items())) or "no merge")
                + (
                    "; kept apart: " + ", ".join(f"{n} {k}(s)" for k, n in sorted(near.items()))
                    if near
                    else ""
                )
                + " (each with its evidence in --merges FILE)"
            )
        where = self.output or "standard output"
        out.append(f"Wrote {self.triples} triples ({FORMATS[self.format][0]}) to {where}")
        if self.entities:
            out.append(
                "Entities: " + ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items()))
            )
        for loc, issue in self.issues[:limit]:
            out.append(f"Warning: {Location(loc.path, loc.record, issue.field)}: {issue.message}")
        if len(self.issues) > limit:
            out.append(f"... and {len(self.issues) - limit} more warning(s) (all in --report FILE)")
        for r in self.rejects[:limit]:
            out.append(f"Rejected: {r.error}")
        if len(self.rejects) > limit:
            out.append(
                f"... and {len(self.rejects) - limit} more rejected record(s) "
                "(all in --rejects FILE)"
            )
        if self.validation is None:
            out.append("Validation: skipped (--no-validate)")
        else:
            engine = f" ({self.validation.engine})" if self.validation.engine else ""
            out.append(f"Validation{engine}: {self.validation.summary()}")
            settled = self.settled
            if settled.get("whole"):
                out.append(
                    f"Checked again at the end: the whole output ({settled['revalidated_records']}"
                    " record(s)), as the shapes read more than kg can follow record by record"
                )
            elif settled.get("revalidated_records"):
                out.append(
                    f"Checked again at the end: {settled['unsettled_nodes']} node(s) that several "
                    f"records describe, on all they said ({settled['revalidated_records']} "
                    "record(s) read again)"
                )
        return "\n".join(out)

    def _passed_over(self, names: int = 3) -> list[str]:
        """The files of the folders that hold no records, by kind, with a few names each."""
        if not self.passed_over:
            return []
        kinds: dict[str, list[str]] = {}
        for p in self.passed_over:
            kinds.setdefault(p.kind, []).append(p.name)
        out = [f"Passed over {len(self.passed_over)} file(s) that hold no records kg reads:"]
        for kind, files in sorted(kinds.items()):
            shown = ", ".join(files[:names])
            more = f" and {len(files) - names} more" if len(files) > names else ""
            out.append(f"  {kind}: {len(files)} ({shown}{more})")
        return out

    def to_json(self) -> str:
        """Everything the build found, for a program or for a build too big to read on a screen."""
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """:meth:`to_json` in pieces: the merges and near-misses of entity resolution (one
        or two a record, kept on disk by the resolver) one at a time, so that writing the
        report of a build of millions of records does not hold them all in memory."""

        def where(loc: Location) -> dict[str, str | None]:
            return {"file": loc.path, "record": loc.record, "field": loc.field}

        streamed = {"merges": self.merges, "near_misses": self.near_misses}
        doc = {
            "records": self.records,
            "built": self.built,
            "rejected": len(self.rejects),
            "merged": self.merged,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "named_only": self.named_only,
            "references": self.references,
            "cited": self.cited,
            "citation_rows": self.citation_rows,
            "triples": self.triples,
            "output": self.output,
            "format": self.format,
            "files": [vars(f) | {"skipped": dict(f.skipped)} for f in self.files],
            "passed_over": [{"file": p.name, "kind": p.kind} for p in self.passed_over],
            "entities": dict(sorted(self.entities.items())),
            **{key: _PLACEHOLDER + key for key in streamed},
            "settled": self.settled,
            "warnings": [
                where(Location(loc.path, loc.record, i.field)) | {"message": i.message}
                for loc, i in self.issues
            ],
            "rejects": [where(r.error.location) | {"error": r.error.problem} for r in self.rejects],
            "validation": json.loads(self.validation.to_json()) if self.validation else None,
            "exit_code": self.exit_code,
        }
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        for key, merges in streamed.items():
            head, _, text = text.partition(json.dumps(_PLACEHOLDER + key, ensure_ascii=False))
            yield head
            # what json.dumps(indent=2) writes for a list one level down
            if not merges:
                yield "[]"
                continue
            for i, m in enumerate(merges):
                item = json.dumps(m.as_dict(), indent=2, ensure_ascii=False)
                yield ("[\n    " if i == 0 else ",\n    ") + item.replace("\n", "\n    ")
            yield "\n  ]"
        yield text + "\n"


# stands for a list that json_chunks writes item by item (no record holds a NUL)
_PLACEHOLDER = "\x00streamed:"


def write_rejects(rejects: Sequence[Reject], path: Path) -> None:
    """Save rejected records as JSON Lines: file, record, field, error and the record itself."""
    with atomic_output(path) as f:
        for r in rejects:
            loc = r.error.location
            f.write(
                json.dumps(
                    {
                        "file": loc.path,
                        "record": loc.record,
                        "field": loc.field,
                        "error": r.error.problem,
                        "data": r.raw,
                    },
                    ensure_ascii=False,
                    default=str,
                )
                + "\n"
            )


def write_merges(report: BuildReport, path: Path) -> None:
    """Save each merge and near-miss of entity resolution with its evidence, as JSON Lines."""
    with atomic_output(path) as f:
        for m in report.merges:
            f.write(json.dumps(m.as_dict(), ensure_ascii=False) + "\n")
        for m in report.near_misses:
            f.write(json.dumps(m.as_dict() | {"kind": f"{m.kind} kept apart"}) + "\n")
