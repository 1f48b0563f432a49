"""Side data of the embedded store: what a few whole-graph queries need, kept by
``kg load`` and ``kg drop`` in a SQLite file inside the store's folder
(``kg-side.sqlite``), so that they answer without reading the whole graph.

Two layers:

- **facts**, one set per named graph, read from the store with one index scan
  per predicate (``quads_for_pattern``): the journal articles, which subjects
  have a DOI, an abstract and a title, the (work, organisation) pairs of the author
  affiliations (``pro:isDocumentContextFor/pro:relatesToOrganization``, joined
  within the graph, where kg writes a role with its work; and
  ``kgo:affiliation``), and the retracted works. A load or a drop recomputes the
  facts of the graphs it touched and no others.
- **summaries**, computed from all graphs' facts in SQL after every change: the
  works (and retracted works) per organisation, the articles without DOI,
  abstract or affiliation, and the works that more than one graph gives a title.
  Distinct across graphs, as the union of the graphs is.

The side data is trusted only while the store is exactly as it was when the side
data was written: :func:`stamp` records a fingerprint of the store's files (the
names and sizes of RocksDB's tables, logs and manifest, which every write to the
store changes, a read-only open does not) and :func:`current` compares it. A
store changed by anything else (an older kg, a program of one's own, even opening
it for writing) no longer matches, and the queries fall back to their full form
until the next ``kg load`` or ``kg drop`` writes the side data again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox

from kg.vocab import DCTERMS, FABIO, KGO, PRISM, PRO, PSO, RDF

SIDE_FILE = "kg-side.sqlite"
VERSION = "2"

_TYPE = ox.NamedNode(RDF + "type")
_ARTICLE = ox.NamedNode(FABIO + "JournalArticle")
_DOI = ox.NamedNode(PRISM + "doi")
_ABSTRACT = ox.NamedNode(DCTERMS + "abstract")
_TITLE = ox.NamedNode(DCTERMS + "title")
_CONTEXT = ox.NamedNode(PRO + "isDocumentContextFor")
_RELATES = ox.NamedNode(PRO + "relatesToOrganization")
_AFFILIATION = ox.NamedNode(KGO + "affiliation")
_HOLDS = ox.NamedNode(PSO + "holdsStatusInTime")
_WITH = ox.NamedNode(PSO + "withStatus")
_RETRACTED = ox.NamedNode(PSO + "retracted-from-publication")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS graph (id INTEGER PRIMARY KEY, iri TEXT UNIQUE);
CREATE TABLE IF NOT EXISTS article (g INTEGER, node TEXT);
CREATE TABLE IF NOT EXISTS has_doi (g INTEGER, node TEXT);
CREATE TABLE IF NOT EXISTS has_abstract (g INTEGER, node TEXT);
CREATE TABLE IF NOT EXISTS titled (g INTEGER, node TEXT);
CREATE TABLE IF NOT EXISTS affil (g INTEGER, work TEXT, org TEXT);
CREATE TABLE IF NOT EXISTS holds (g INTEGER, work TEXT, status TEXT);
CREATE TABLE IF NOT EXISTS retracted_status (g INTEGER, status TEXT);
CREATE INDEX IF NOT EXISTS article_g ON article (g);
CREATE INDEX IF NOT EXISTS has_doi_g ON has_doi (g);
CREATE INDEX IF NOT EXISTS has_abstract_g ON has_abstract (g);
CREATE INDEX IF NOT EXISTS titled_g ON titled (g);
CREATE INDEX IF NOT EXISTS affil_g ON affil (g);
CREATE INDEX IF NOT EXISTS holds_g ON holds (g);
CREATE INDEX IF NOT EXISTS retracted_status_g ON retracted_status (g);
CREATE TABLE IF NOT EXISTS output (org TEXT PRIMARY KEY, works INTEGER, retracted INTEGER);
CREATE TABLE IF NOT EXISTS missing (article TEXT, problem TEXT);
CREATE TABLE IF NOT EXISTS shared (work TEXT PRIMARY KEY);
"""

_FACTS = ("article", "has_doi", "has_abstract", "titled", "affil", "holds", "retracted_status")

# the summaries, from every graph's facts (DISTINCT: a fact two graphs state counts once)
_SUMMARIES = """
DELETE FROM output;
DELETE FROM missing;
DELETE FROM shared;
INSERT INTO shared SELECT node FROM titled GROUP BY node HAVING COUNT(DISTINCT g) > 1;
CREATE TEMP TABLE retracted AS
  SELECT DISTINCT h.work FROM holds h JOIN retracted_status r ON r.status = h.status;
CREATE TEMP TABLE pairs AS SELECT DISTINCT org, work FROM affil;
CREATE INDEX temp.pairs_work ON pairs (work);
INSERT INTO output
  SELECT p.org, COUNT(*), COUNT(r.work) FROM pairs p LEFT JOIN retracted r ON r.work = p.work
  GROUP BY p.org;
CREATE TEMP TABLE articles AS SELECT DISTINCT node FROM article;
INSERT INTO missing
  SELECT node, 'no DOI' FROM articles WHERE node NOT IN (SELECT node FROM has_doi);
INSERT INTO missing
  SELECT node, 'no abstract' FROM articles WHERE node NOT IN (SELECT node FROM has_abstract);
INSERT INTO missing
  SELECT node, 'no affiliation' FROM articles WHERE node NOT IN (SELECT work FROM pairs);
DROP TABLE retracted;
DROP TABLE pairs;
DROP TABLE articles;
"""


def side_file(store: Path) -> Path:
    """Where the side data of the embedded store in ``store`` is."""
    return store / SIDE_FILE


def fingerprint(store: Path) -> str:
    """A digest of the names and sizes of the store's data files: RocksDB writes a new
    table, log or manifest (or grows one) on every change, and leaves them on a
    read-only open. Its own info logs (LOG*) and kg's side file are left out."""
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(os.listdir(store)):
        if name.startswith("LOG") or name.startswith(SIDE_FILE) or name == "LOCK":
            continue
        path = store / name
        if path.is_file():
            h.update(f"{name}\0{path.stat().st_size}\n".encode())
    return h.hexdigest()


def _term(t: object) -> str:
    """A node as the side data keeps it: an IRI as it is, a blank node as ``_:id``."""
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return ""  # a literal: never a node the summaries name


def _subjects(
    store: ox.Store, p: ox.NamedNode, o: ox.NamedNode | None, g: ox.NamedNode
) -> Iterator[tuple[str, str]]:
    for q in store.quads_for_pattern(None, p, o, g):
        yield _term(q.subject), _term(q.object)


def _read_graph(db: sqlite3.Connection, store: ox.Store, gid: int, graph: str) -> None:
    """The facts of one named graph, read from the store."""
    g = ox.NamedNode(graph)
    db.executemany(
        "INSERT INTO article VALUES (?, ?)",
        ((gid, s) for s, _ in _subjects(store, _TYPE, _ARTICLE, g)),
    )
    db.executemany(
        "INSERT INTO has_doi VALUES (?, ?)", ((gid, s) for s, _ in _subjects(store, _DOI, None, g))
    )
    db.executemany(
        "INSERT INTO has_abstract VALUES (?, ?)",
        ((gid, s) for s, _ in _subjects(store, _ABSTRACT, None, g)),
    )
    db.executemany(
        "INSERT INTO titled VALUES (?, ?)",
        ((gid, s) for s, _ in _subjects(store, _TITLE, None, g)),
    )
    db.executemany(
        "INSERT INTO holds VALUES (?, ?, ?)",
        ((gid, s, o) for s, o in _subjects(store, _HOLDS, None, g)),
    )
    db.executemany(
        "INSERT INTO retracted_status VALUES (?, ?)",
        ((gid, s) for s, _ in _subjects(store, _WITH, _RETRACTED, g)),
    )
    # the roles of the graph with their organisations, joined in SQLite (on disk,
    # not in memory: a large graph has millions of roles)
    db.execute("CREATE TEMP TABLE roles (role TEXT, work TEXT)")
    db.execute("CREATE TEMP TABLE role_org (role TEXT, org TEXT)")
    db.executemany(
        "INSERT INTO roles VALUES (?, ?)", ((o, s) for s, o in _subjects(store, _CONTEXT, None, g))
    )
    db.executemany("INSERT INTO role_org VALUES (?, ?)", _subjects(store, _RELATES, None, g))
    db.execute("CREATE INDEX temp.role_org_role ON role_org (role)")
    db.execute(
        "INSERT INTO affil SELECT DISTINCT ?, r.work, o.org "
        "FROM roles r JOIN role_org o ON o.role = r.role",
        (gid,),
    )
    db.execute("DROP TABLE temp.roles")
    db.execute("DROP TABLE temp.role_org")
    db.executemany(
        "INSERT INTO affil VALUES (?, ?, ?)",
        ((gid, s, o) for s, o in _subjects(store, _AFFILIATION, None, g)),
    )


def _connect(store: Path) -> sqlite3.Connection:
    db = sqlite3.connect(side_file(store))
    db.execute("PRAGMA journal_mode = OFF")  # a failed update is caught by the stamp
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA temp_store = FILE")
    return db


def refresh(store: ox.Store, folder: Path, graphs: Iterable[str]) -> None:
    """Recompute the facts of ``graphs`` (loaded, replaced or dropped: a graph the store
    no longer has keeps no facts), then every summary. Call :func:`stamp` once the
    store is closed. A store whose side data is missing or of another version gets
    every graph's facts."""
    path = side_file(folder)
    with closing(_connect(folder)) as db:
        version = _meta(db, "version") if _has_meta(db) else None
        if version != VERSION:
            db.close()
            path.unlink(missing_ok=True)
            return _rebuild(store, folder)
        db.execute("DELETE FROM meta WHERE key = 'stamp'")  # untrusted until stamped
        db.commit()
        present = {q.value for q in store.named_graphs() if isinstance(q, ox.NamedNode)}
        for graph in sorted(set(graphs)):
            _forget(db, graph)
            if graph in present:
                _read_graph(db, store, _graph_id(db, graph), graph)
        db.executescript(_SUMMARIES)
        db.commit()
    return None


def _rebuild(store: ox.Store, folder: Path) -> None:
    """Side data for every graph of the store, from nothing."""
    with closing(_connect(folder)) as db:
        db.executescript(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
        for node in sorted(store.named_graphs(), key=str):
            if isinstance(node, ox.NamedNode):
                _read_graph(db, store, _graph_id(db, node.value), node.value)
        db.executescript(_SUMMARIES)
        db.commit()


def _has_meta(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'")
    return row.fetchone() is not None


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _graph_id(db: sqlite3.Connection, graph: str) -> int:
    db.execute("INSERT OR IGNORE INTO graph (iri) VALUES (?)", (graph,))
    return int(db.execute("SELECT id FROM graph WHERE iri = ?", (graph,)).fetchone()[0])


def _forget(db: sqlite3.Connection, graph: str) -> None:
    row = db.execute("SELECT id FROM graph WHERE iri = ?", (graph,)).fetchone()
    if row is None:
        return
    for table in _FACTS:
        db.execute(f"DELETE FROM {table} WHERE g = ?", (row[0],))  # noqa: S608 (our names)
    db.execute("DELETE FROM graph WHERE id = ?", (row[0],))


def stamp(folder: Path) -> None:
    """Record that the side data is that of the store as its files now are (call it
    after the store is closed)."""
    if not side_file(folder).exists():
        return
    with closing(_connect(folder)) as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (fingerprint(folder),))
        db.commit()


def current(folder: Path) -> sqlite3.Connection | None:
    """The side data of the store in ``folder``, read-only, if it is of this version and
    the store has not changed since it was written; else None (use the full queries)."""
    path = side_file(folder)
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        if not _has_meta(db) or _meta(db, "version") != VERSION:
            db.close()
            return None
        if _meta(db, "stamp") != fingerprint(folder):
            db.close()
            return None
    except sqlite3.Error:
        return None
    return db
