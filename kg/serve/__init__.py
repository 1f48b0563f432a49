"""``kg serve``: the graph as linked data. Every IRI kg minted under the base answers at its
path, a page for people (kg/serve/pages/) and RDF for programs; ``/sparql`` speaks the
SPARQL 1.1 Protocol; ``/search`` finds titles and names.

Modules: app.py (the Starlette application and its routes, the socket and uvicorn),
rdf.py (a node's description, its formats, content negotiation, ETags), lookup.py
(``/doi/``, ``/orcid/``, ``/ror/``, ``/issn/``), sparql.py (the SPARQL protocol, the
timeout), sparql_page.py (the query form, results as a page), pages/ (the HTML pages),
search.py (the full-text index of titles and names).
"""
