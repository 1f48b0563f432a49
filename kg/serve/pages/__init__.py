"""The HTML pages of ``kg serve`` (kg/serve/app.py calls these; each returns a whole page).

Every function takes the store (a pyoxigraph Store whose default graph is queried as the
union of its named graphs) and ``base``, the IRI base the graph was built with, so that a
page links to ``/{path}`` for every node under the base. docs/pages.md describes each page.
"""

from __future__ import annotations

from typing import Any

from kg import vocab
from kg.serve.pages.article import article_page
from kg.serve.pages.common import WORK_CLASSES, ref, select
from kg.serve.pages.generic import generic_page
from kg.serve.pages.home import home, retractions
from kg.serve.pages.journal import journal_page
from kg.serve.pages.organisation import organisation_page
from kg.serve.pages.person import person_page
from kg.serve.search import SearchIndex, search_results

__all__ = ["entity_page", "home_page", "retractions_page", "search_page", "SearchIndex"]


def entity_page(store: Any, iri: str, base: str) -> str | None:
    """The page of one node (an article, a person, an organisation, a journal; any other
    node as a table of its triples), or None when the store says nothing about it."""
    try:
        node = ref(iri)
    except ValueError:
        return None
    if not select(
        store, f"SELECT ?p WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1"
    ):
        return None
    rows = select(store, f"SELECT DISTINCT ?t WHERE {{ {node} a ?t }}")
    types = sorted({r["t"].value for r in rows if "t" in r})
    if not types and select(
        store, f"SELECT ?v WHERE {{ {node} prism:doi|fabio:hasPubMedId ?v }} LIMIT 1"
    ):
        return article_page(store, iri, base, [])  # a work known only by an identifier
    if any(t in WORK_CLASSES for t in types):
        return article_page(store, iri, base, [t for t in types if t in WORK_CLASSES])
    if vocab.FOAF + "Person" in types:
        return person_page(store, iri, base)
    if vocab.FOAF + "Organization" in types:
        return organisation_page(store, iri, base)
    if vocab.FABIO + "Journal" in types:
        return journal_page(store, iri, base)
    return generic_page(store, iri, base, types)


def home_page(store: Any, base: str) -> str:
    """The front page: what the graph holds, links to the retraction index and search."""
    return home(store, base)


def retractions_page(store: Any, base: str) -> str:
    """The retraction index: retractions per year, per journal, per institution, charted."""
    return retractions(store, base)


def search_page(store: Any, base: str, q: str, *, index: SearchIndex | None = None) -> str:
    """Results of a search over titles and names, each linking to its page. Without
    ``index``, the index of ``store`` built on first use (and kept) is searched."""
    return search_results(store, base, q, index=index)
