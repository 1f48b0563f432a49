"""kg: bibliographic records to a validated scholarly knowledge graph.

The library API; the ``kg`` command (kg/cli.py) is a thin layer over it.
"""

from kg.build import BuildReport, build, build_stream
from kg.errors import (
    InputError,
    KgError,
    RdfSyntaxError,
    RecordError,
    ShapesError,
    StoreError,
    UsageError,
    ValidationFailed,
)
from kg.export import export_files
from kg.iris import DEFAULT_BASE, IriMinter
from kg.mapping import Mapper
from kg.native import parse_record
from kg.rdfio import read_graph
from kg.readers import find_sources, read_source
from kg.records import Record
from kg.validate import ValidationReport, load_shapes, validate_graph

__all__ = [
    "DEFAULT_BASE",
    "BuildReport",
    "InputError",
    "IriMinter",
    "KgError",
    "Mapper",
    "RdfSyntaxError",
    "Record",
    "RecordError",
    "ShapesError",
    "StoreError",
    "UsageError",
    "ValidationFailed",
    "ValidationReport",
    "build",
    "build_stream",
    "export_files",
    "find_sources",
    "load_shapes",
    "parse_record",
    "read_graph",
    "read_source",
    "validate_graph",
]
