"""Queries: the library of named, parameterised SPARQL queries, run over the embedded store or
an endpoint, and their results in tables, CSV, JSON or RDF.

Modules: library.py (named queries, typed parameters, local runs, the result
model), endpoint.py (runs at a SPARQL endpoint, through kg/stores/sparql.py),
results.py (rendering).
"""
