"""ROR offline: a local index of the ROR data dump, and affiliation strings matched to it.

index.py builds the SQLite index (:func:`build_index`) and opens it as in-memory
lookups (:class:`RorIndex`); match.py matches a string (:func:`match`,
:class:`Matcher`) with its evidence, and reports ambiguous strings with their
candidates (:class:`Decision`); places.py names countries. docs/ror.md says how.
"""

from kg.mapping.ror.index import BuildStats, Organisation, RorIndex, build_index, iter_records
from kg.mapping.ror.match import Candidate, Decision, Match, Matcher, match

__all__ = [
    "BuildStats",
    "Candidate",
    "Decision",
    "Match",
    "Matcher",
    "Organisation",
    "RorIndex",
    "build_index",
    "iter_records",
    "match",
]
