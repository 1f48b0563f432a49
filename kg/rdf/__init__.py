"""RDF out: kg's streaming writers (N-Triples, N-Quads, Turtle, TriG), RDF files and formats,
export from one format to another, and the VoID description of a dataset.

Modules: writers.py, files.py (formats, atomic output, shards), export.py, void.py.
"""
