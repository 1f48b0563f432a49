"""``kg serve``: the graph as linked data. Every IRI kg minted under the base answers at its
path, a page for people (kg/serve/pages/) and RDF for programs; ``/sparql`` speaks the
SPARQL 1.1 Protocol; ``/search`` finds titles and names.

Modules: app.py (the Starlette application and its routes), pages/ (the HTML pages),
search.py (the full-text index of titles and names).
"""
