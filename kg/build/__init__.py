"""Build: the pipeline from input files to one RDF output, with validation on the way.

Exports :func:`build`, :func:`build_stream`, :class:`BuildOptions` and
:class:`BuildReport`. kg/build/pipeline.py runs a build (its docstring maps
the other modules of kg/build); kg/build/cluster.py builds on a Dask cluster.
"""

from kg.build.options import BuildOptions
from kg.build.pipeline import build, build_stream
from kg.build.report import BuildReport

__all__ = ["BuildOptions", "BuildReport", "build", "build_stream"]
