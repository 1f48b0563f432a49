"""Stores: kg's embedded Oxigraph store and any SPARQL 1.1 store over HTTP, and loading into them.

Modules: embedded.py (the store on disk: where it is, loading, counting, its
graphs, exporting), endpoints.py (a remote store's endpoints, credentials, and
URLs safe to show), sparql.py (the one SPARQL protocol client, queries and
updates, and the one translation of HTTP failures), remote.py (the Graph Store
Protocol and the rules of a remote load), counts.py (what a load reads and the
report that checks it against the store's counts), load.py (one ``load``,
``drop`` and ``graphs`` for both).
"""
