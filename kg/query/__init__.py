"""Queries: the library of named, parameterised SPARQL queries, run over the embedded store or
an endpoint, and their results in tables, CSV, JSON or RDF.

Modules: library.py (named queries, parameters, local runs), endpoint.py (remote
runs), results.py (rendering).
"""
