"""Lookups by identifier for ``kg serve``: ``/doi/{doi}``, ``/orcid/{id}``, ``/ror/{id}``,
``/issn/{issn}`` find the node that has the identifier (docs/model.md "Identifiers").

Each kind tries, in order: the IRI kg mints from the identifier, the literals that carry
it (``prism:doi``; ``prism:issn``, ``prism:eIssn``, ``fabio:hasIssnL``), and the identifier
node ``{base}identifier/{scheme}/{value}`` with the nodes linked to it by
``datacite:hasIdentifier``; a DOI last by a case-insensitive match of every DOI value.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from kg.ids import normalize_doi, normalize_issn, normalize_orcid, normalize_ror
from kg.iris import path, segment
from kg.serve.rdf import exists
from kg.vocab import (
    DOI,
    EISSN,
    HAS_IDENTIFIER,
    HAS_ISSN_L,
    ISSN,
    LITERAL_VALUE,
    SCHEME,
    USES_SCHEME,
)

KINDS = ("doi", "orcid", "ror", "issn")


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(term[1:-1])


def _minted(kind: str, base: str, value: str) -> list[str]:
    if kind == "doi":
        return [f"{base}doi/{path(value)}"]
    if kind == "orcid":
        return [f"{base}person/orcid/{segment(value)}"]
    if kind == "ror":
        return [f"{base}org/ror/{segment(value)}"]
    return [f"{base}journal/issn/{segment(value)}", f"{base}series/issn/{segment(value)}"]


_NORMALIZE: dict[str, Callable[[str], str | None]] = {
    "doi": normalize_doi,
    "orcid": normalize_orcid,
    "ror": normalize_ror,
    "issn": normalize_issn,
}
_LITERALS = {"doi": [DOI], "orcid": [], "ror": [], "issn": [ISSN, EISSN, HAS_ISSN_L]}


def find(store: ox.Store, base: str, kind: str, given: str) -> str | None:
    """The IRI of the node that has the identifier ``given`` of ``kind``, or None."""
    value = _NORMALIZE[kind](given) or given.strip()
    for iri in _minted(kind, base, value):
        if exists(store, iri):
            return iri
    found: set[str] = set()
    for predicate in _LITERALS[kind]:
        for q in store.quads_for_pattern(None, _iri(predicate), ox.Literal(value), None):
            if isinstance(q.subject, ox.NamedNode):
                found.add(q.subject.value)
    if not found:
        identifier = ox.NamedNode(f"{base}identifier/{kind}/{path(value)}")
        found = _holders(store, identifier)
    if not found:
        found = _by_value(store, kind, value)
    return min(found) if found else None


def _holders(store: ox.Store, identifier: ox.NamedNode) -> set[str]:
    holders = set()
    for q in store.quads_for_pattern(None, _iri(HAS_IDENTIFIER), identifier, None):
        if isinstance(q.subject, ox.NamedNode):
            holders.add(q.subject.value)
    return holders


def _by_value(store: ox.Store, kind: str, value: str) -> set[str]:
    """Any node with an identifier node of the scheme whose value matches, ignoring case."""
    doi = f"UNION {{ ?s {DOI} ?v }}" if kind == "doi" else ""
    query = f"""SELECT DISTINCT ?s WHERE {{
      {{ ?s {HAS_IDENTIFIER} ?i . ?i {USES_SCHEME} {SCHEME[kind]} . ?i {LITERAL_VALUE} ?v }}
      {doi}
      FILTER(isIRI(?s) && LCASE(STR(?v)) = LCASE({ox.Literal(value)}))
    }}"""
    result = store.query(query, use_default_graph_as_union=True)
    return {row["s"].value for row in result}  # type: ignore[union-attr]
