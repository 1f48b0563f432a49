"""What the mapping makes of a record: blocks of N-Triples terms (kg/mapping/mapper.py says
how the build treats them), and the literal forms they share."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.rdf.writers import literal
from kg.vocab import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH

Pairs = list[tuple[str, str]]


@dataclass(slots=True)
class MappedBlock:
    subject: str  # N-Triples form: "<iri>"
    pairs: Pairs
    tracked: bool  # the node may come again: write it once, then only what is new
    merge: bool = False  # kept when another record already described the work
    key: str | None = None  # what "the same block" means for tracking (default: subject)
    # what the build made of this block (kg/build/blocks.py), kept on it: the mapper hands
    # out the same block object again for a journal or organisation it has mapped before
    memo: object = None


@dataclass(slots=True)
class MappedRecord:
    subject: str  # the work, N-Triples form
    blocks: list[MappedBlock]
    # other works this record names by an identifier (works it gives a status to or
    # cites, notices it gives as a source): (IRI in N-Triples form, scheme, value)
    targets: list[tuple[str, str, str]] = field(default_factory=list)
    # False when the record only states the work's citations (Record.describes)
    describes: bool = True


def partial_date(value: str) -> str:
    """``2015`` as xsd:gYear, ``2015-06`` as xsd:gYearMonth, ``2015-06-01`` as xsd:date."""
    dtype = {4: XSD_GYEAR, 7: XSD_GYEARMONTH}.get(len(value), XSD_DATE)
    return literal(value, datatype=dtype)
