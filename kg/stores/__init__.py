"""Stores: kg's embedded Oxigraph store and any SPARQL 1.1 store over HTTP, and loading into them.

Modules: embedded.py (the store on disk), remote.py (Graph Store Protocol and
SPARQL Update loads), load.py (one ``load`` for both), sparql.py (the one
SPARQL protocol client: queries and updates).
"""
