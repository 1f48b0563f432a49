"""How a build runs: the options :func:`kg.build.pipeline.build` hands on to its passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.iris import DEFAULT_BASE

if TYPE_CHECKING:  # rdflib loads only when a build validates
    from rdflib import Graph

    from kg.build.report import Progress


@dataclass(frozen=True)
class BuildOptions:
    """What :func:`kg.build.pipeline.build_stream` and its passes need to know.

    ``fmt`` is the format written to the stream (nt, nq, ttl, trig); ``shapes``
    the loaded SHACL shapes (kg's own when None) and ``engine`` the SHACL
    engine, used when ``validate``; ``resolve`` turns entity resolution on, with
    the name-variants table ``variants`` and, when ``ror`` names a local ROR index
    (``kg ror index``), affiliations matched to ROR organisations; ``on_record`` is
    called after each record with the number of triples written so far (kg uses it to cut the
    output into shards); ``workers`` processes read and map the records;
    ``batch_size`` records are validated together, and ``settle_window`` bounds
    what validation remembers of the nodes several records describe.
    """

    fmt: str = "ttl"
    base: str = DEFAULT_BASE
    validate: bool = True
    shapes: Graph | None = None
    reader: str = "auto"
    batch_size: int = 200
    progress: Progress | None = None
    engine: str = "auto"
    on_record: Callable[[int], None] | None = None
    resolve: bool = True
    variants: dict[str, str] | None = None
    ror: Path | None = None
    workers: int = 1
    settle_window: int | None = None
