"""Full-text search over titles (works and journals) and names (people and organisations),
with SQLite FTS5 and the unicode61 tokenizer without diacritics, so that ``Kartashova``,
``kartashová`` and Cyrillic names all match. The index is built once, when the server
starts (or on first search); a query's words are quoted, so FTS syntax never errors."""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from kg import vocab

KINDS: dict[str, str] = {
    vocab.FOAF + "Person": "person",
    vocab.FOAF + "Organization": "organisation",
    vocab.FABIO + "Journal": "journal",
}

_QUERY = f"""
PREFIX dcterms: <{vocab.DCTERMS}>
PREFIX foaf: <{vocab.FOAF}>
PREFIX fabio: <{vocab.FABIO}>
SELECT DISTINCT ?x ?label ?type WHERE {{
  {{ ?x dcterms:title ?label }} UNION {{ ?x foaf:name ?label }}
  OPTIONAL {{ ?x a ?type }}
}}"""


@dataclass(frozen=True)
class Hit:
    """One search result: the node, its label, and what kind of thing it is."""

    iri: str
    label: str
    kind: str


def fts_query(q: str) -> str:
    """``q`` as an FTS5 query: every word, quoted, as a prefix, all of them required."""
    words = re.findall(r"\w+", q)
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:20])


class SearchIndex:
    """An FTS5 index of labels; ``build`` fills it from a store."""

    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS labels USING fts5("
            "label, iri UNINDEXED, kind UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )

    @classmethod
    def build(cls, store: Any, path: str = ":memory:") -> SearchIndex:
        """The index of every title and name in ``store`` (a pyoxigraph Store)."""
        index = cls(path)
        rows: dict[tuple[str, str], str] = {}
        for solution in store.query(_QUERY, use_default_graph_as_union=True):
            node, label, type_ = solution["x"], solution["label"], solution["type"]
            if node is None or label is None or not hasattr(label, "language"):
                continue
            key = (node.value, label.value)
            kind = KINDS.get(type_.value, "") if type_ is not None else ""
            if type_ is not None and not kind and type_.value.startswith(vocab.FABIO):
                kind = "work"
            if kind or key not in rows:
                rows[key] = kind or rows.get(key, "") or "other"
        with index._lock:
            index._db.execute("DELETE FROM labels")
            index._db.executemany(
                "INSERT INTO labels (label, iri, kind) VALUES (?, ?, ?)",
                [(label, node, kind) for (node, label), kind in rows.items()],
            )
            index._db.commit()
        return index

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM labels").fetchone()[0])

    def search(self, q: str, limit: int = 50) -> list[Hit]:
        """The best matches of ``q``, one per node, best first; none for an empty query."""
        match = fts_query(q)
        if not match:
            return []
        try:
            with self._lock:
                rows = self._db.execute(
                    "SELECT iri, label, kind FROM labels WHERE labels MATCH ? "
                    "ORDER BY rank LIMIT ?",
                    (match, limit * 4),
                ).fetchall()
        except sqlite3.OperationalError:
            return []
        hits: list[Hit] = []
        seen: set[str] = set()
        for node, label, kind in rows:
            if node not in seen:
                seen.add(node)
                hits.append(Hit(node, label, kind))
        return hits[:limit]


_CACHE: dict[int, tuple[Any, SearchIndex]] = {}
_CACHE_LOCK = threading.Lock()


def index_for(store: Any) -> SearchIndex:
    """The index of ``store``, built on first use and kept for the store's life."""
    with _CACHE_LOCK:
        cached = _CACHE.get(id(store))
        if cached is not None and cached[0] is store:
            return cached[1]
        index = SearchIndex.build(store)
        _CACHE[id(store)] = (store, index)
        return index


def search_results(store: Any, base: str, q: str, *, index: SearchIndex | None = None) -> str:
    """The search page: a form and the hits, each linking to its page."""
    from kg.serve.pages.common import Link, render
    from kg.serve.pages.common import href as page_href
    from kg.serve.pages.works import describe_works

    q = (q or "").strip()
    hits = (index or index_for(store)).search(q) if q else []
    works = {
        w.node: w for w in describe_works(store, [h.iri for h in hits if h.kind == "work"], base)
    }
    results = [
        (
            Link(page_href(h.iri, base), h.label),
            h.kind,
            works[h.iri].year if h.iri in works else "",
            h.iri in works and works[h.iri].retracted,
        )
        for h in hits
    ]
    title = f"Search: {q}" if q else "Search"
    return render("search.html", title, base, query=q, results=results)
