"""kg: bibliographic records to a validated scholarly knowledge graph.

The library API; the ``kg`` command (kg/cli/) is a thin layer over it.

The names below are imported on first use (PEP 562), so that ``import kg``
(and so every ``kg`` command, ``kg --help`` included) does not load pySHACL,
the SHACL engine and the readers it does not need (``python -X importtime -c
"import kg.cli"``: 0.38 s before, 0.25 s after).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_API = {
    "BuildReport": "kg.build.report",
    "build": "kg.build.pipeline",
    "build_stream": "kg.build.pipeline",
    "InputError": "kg.errors",
    "KgError": "kg.errors",
    "RdfSyntaxError": "kg.errors",
    "RecordError": "kg.errors",
    "ShapesError": "kg.errors",
    "StoreError": "kg.errors",
    "UsageError": "kg.errors",
    "ValidationFailed": "kg.errors",
    "export_files": "kg.rdf.export",
    "DEFAULT_BASE": "kg.iris",
    "IriMinter": "kg.iris",
    "Mapper": "kg.mapping.mapper",
    "parse_record": "kg.readers.native",
    "read_graph": "kg.rdf.files",
    "find_sources": "kg.readers.registry",
    "read_source": "kg.readers.registry",
    "Record": "kg.records",
    "ValidationReport": "kg.validation.shacl",
    "load_shapes": "kg.validation.shacl",
    "validate_graph": "kg.validation.shacl",
}

__all__ = [
    "BuildReport",
    "DEFAULT_BASE",
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

if TYPE_CHECKING:
    from kg.build.pipeline import build, build_stream
    from kg.build.report import BuildReport
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
    from kg.iris import DEFAULT_BASE, IriMinter
    from kg.mapping.mapper import Mapper
    from kg.rdf.export import export_files
    from kg.rdf.files import read_graph
    from kg.readers.native import parse_record
    from kg.readers.registry import find_sources, read_source
    from kg.records import Record
    from kg.validation.shacl import ValidationReport, load_shapes, validate_graph


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
