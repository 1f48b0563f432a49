"""Mapping: a record becomes RDF blocks in kg's vocabulary, with entity resolution across records.

Exports :class:`Mapper` (kg/mapping/mapper.py) and :class:`Resolver`
(kg/mapping/resolve/: which authorships are one person, which journals and
organisations are one).
"""

from kg.mapping.mapper import Mapper
from kg.mapping.resolve import Resolver

__all__ = ["Mapper", "Resolver"]
