"""Blocks made ready to write: a mapped record as N-Triples text and digests.

:func:`prepare` turns the blocks the mapper gives (kg/mapping/mapper.py) into
:data:`Prepared` tuples, the form the emitter writes (kg/build/emitter.py),
that crosses between processes and that validation's end pass reads
(kg/validation/settle.py); :func:`prepare_record` maps and prepares one record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from kg.digest import digest as _digest
from kg.digest import digest_bytes as _digest_bytes
from kg.digest import node_digest as _node_digest
from kg.errors import Location
from kg.mapping.blocks import MappedBlock
from kg.mapping.mapper import Mapper
from kg.rdf.writers import nt_lines
from kg.records import Issue, Record
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from kg.validation.reach import Reads


@lru_cache(maxsize=1024)
def _class_name(term: str) -> str:
    value = term[1:-1]
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns):
            return f"{prefix}:{value[len(ns) :]}"
    return value


# What a record states about one node, for kg/validation/settle.py: (digest of the subject,
# fingerprint of its triples, fingerprint of the triples other nodes' shapes read,
# triples that point at other nodes and are read from their side as
# (object digest, line digest, read as a far part?), nodes it names whose
# triples the shapes read further (object digests)); None for a record's own
# private nodes (roles, unnamed authors), which no other record states.
Statement = tuple[int, int, int, tuple[tuple[int, int, bool], ...] | None, tuple[int, ...] | None]

# A block made ready to write, as a plain tuple (it crosses between processes,
# and pickle handles tuples of str and int much faster than dataclasses):
# (subject, N-Triples lines, pairs if the writer groups them else None,
#  number of triples, tracked, merge, key digest, fingerprint, class to count or None,
#  what the block states for validation or None)
# The lines are UTF-8 bytes where the build neither validates nor groups them (``raw``,
# N-Triples and N-Quads): encoded where they are made, in the workers, so that the main
# process neither decodes them from the pipe nor encodes them for the file
# (kg/rdf/writers.py byte_sink).
Prepared = tuple[
    str,
    str | bytes,
    list[tuple[str, str]] | None,
    int,
    bool,
    bool,
    int,
    int,
    str | None,
    Statement | None,
]


def raw_lines(pairs_too: bool, reads: Reads | None) -> bool:
    """Whether a build's lines go as UTF-8 bytes: when its writer takes lines (N-Triples,
    N-Quads) and it does not validate (validation reads them as text)."""
    return not pairs_too and reads is None


def prepare(
    blocks: Iterable[MappedBlock],
    pairs_too: bool,
    reads: Reads | None = None,
    work: str | None = None,
    raw: bool = False,
) -> list[Prepared]:
    """Blocks as the emitter takes them: N-Triples text, and digests for the tracked ones.

    With ``reads`` (the build validates), each block also says what it states
    for kg/validation/settle.py; ``work`` is the record's work, the one untracked node
    that other records may add to. ``raw``: the lines as UTF-8 bytes (only without
    ``reads``: validation reads them as text).
    """
    assert not (raw and reads is not None)
    blocks = list(blocks)
    local = (
        {b.subject for b in blocks if not b.tracked and b.subject != work}
        if reads is not None
        else set()
    )
    out: list[Prepared] = []
    for b in blocks:
        pairs = b.pairs
        if not pairs:
            continue
        memo = cast("tuple[bool, bool, Prepared] | None", b.memo)
        if memo is not None and memo[0] is pairs_too and memo[1] is raw:
            done: Prepared = memo[2]  # a journal or organisation again
        else:
            lines = nt_lines(b.subject, pairs)
            text: str | bytes = lines.encode("utf-8") if raw else lines
            if b.tracked:
                key = _digest(b.key or b.subject)
                fingerprint = _digest_bytes(text) if isinstance(text, bytes) else _digest(text)
                cls = _class_name(pairs[0][1]) if b.key is None else None
            else:
                key = fingerprint = 0
                cls = _class_name(pairs[0][1])
            kept = pairs if pairs_too else None
            done = (
                b.subject,
                text,
                kept,
                len(pairs),
                b.tracked,
                b.merge,
                key,
                fingerprint,
                cls,
                None,
            )
            # kept with the block: the mapper gives the same block object for a journal or
            # an organisation it has mapped before (cProfile: prepare was about a sixth of a
            # build, mostly these), and a unit's results then cross to the main process with
            # the text once (pickle keeps one copy of an object it meets again)
            b.memo = (pairs_too, raw, done)
        if reads is not None and b.subject not in local:
            statement = _statement(b.subject, pairs, done[1], done[7], reads, local)
            done = (*done[:9], statement)
        out.append(done)
    return out


def _statement(
    subject: str,
    pairs: list[tuple[str, str]],
    text: str | bytes,
    fingerprint: int,
    reads: Reads,
    local: set[str],
) -> Statement:
    far: list[str] = []
    inv: list[tuple[int, int, bool]] = []
    refs: list[int] = []
    far_out, is_in, is_far_in, is_entry = (
        reads.far_out,
        reads.is_in,
        reads.is_far_in,
        reads.is_entry,
    )
    for p, o in pairs:
        if far_out is None or p in far_out:
            far.append(f"{p} {o}")
        if o[0] == "<" and o not in local:
            if is_in(p):
                inv.append((_node_digest(o), _digest(f"{subject} {p} {o}"), is_far_in(p)))
            if is_entry(p):
                refs.append(_node_digest(o))
    return (  # no empty lists: a build has millions of these in flight between processes
        _node_digest(subject),
        fingerprint or (_digest_bytes(text) if isinstance(text, bytes) else _digest(text)),
        _digest("\n".join(far)) if far else 0,
        tuple(inv) if inv else None,
        tuple(refs) if refs else None,
    )


@dataclass(slots=True)
class Mapped:
    """A record read and mapped (by a worker, or the main process): what the build needs of it."""

    origin: Location
    issues: list[Issue]
    subject: str
    fingerprint: int  # of the whole description: the same record seen twice
    blocks: list[Prepared]
    targets: list[tuple[str, str, str]]  # works named, not described: (IRI, scheme, value)
    describes: bool = True  # False: the record only states the work's citations
    references: int = 0  # entries of its reference list (or citations it states)
    cited: int = 0  # of which name a work (by DOI or PubMed id): cito:cites links


def prepare_record(
    mapper: Mapper, rec: Record, pairs_too: bool, reads: Reads | None = None, raw: bool = False
) -> Mapped:
    m = mapper.map_record(rec)
    blocks = prepare(m.blocks, pairs_too, reads, m.subject, raw)
    texts = [b[1] for b in blocks]
    fingerprint = (
        _digest_bytes(b"".join(texts))  # type: ignore[arg-type]
        if raw
        else _digest("".join(texts))  # type: ignore[arg-type]
    )
    refs = rec.references
    cited = sum(1 for r in refs if r.doi or r.pmid) if refs else 0
    return Mapped(
        rec.origin,
        rec.issues,
        m.subject,
        fingerprint,
        blocks,
        m.targets,
        m.describes,
        len(refs),
        cited,
    )
