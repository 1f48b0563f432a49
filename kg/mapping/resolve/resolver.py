"""The :class:`Resolver`: the first pass's evidence in an SQLite database, the decisions,
and the answers to the mapping's questions in the second pass.

The database lives in a temporary directory (``workdir``), written in batches
in one transaction, without a journal, indexed only after the first pass.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kg.iris import IriMinter
from kg.mapping.resolve.journals import Journals, decide_names
from kg.mapping.resolve.merges import MergeLog
from kg.mapping.resolve.names import org_key
from kg.mapping.resolve.observe import Observation, observation
from kg.mapping.resolve.organisations import decide_organisations, ror_names, ror_parents
from kg.mapping.resolve.people import buckets_across_scripts, decide_people
from kg.records import Address, Journal, Organization, Record

if TYPE_CHECKING:  # the ROR index loads only when a build is given one
    from kg.mapping.ror.match import Matcher

# Organisation names already written, remembered to skip repeated rows (then forgotten).
_SEEN = 10_000
_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -4096;
CREATE TABLE a (
    id INTEGER PRIMARY KEY, seq INTEGER, n INTEGER, family TEXT, given TEXT,
    orcid TEXT, name TEXT, work TEXT, skel TEXT, sgiven TEXT, cyr INTEGER
);
CREATE TABLE b (key TEXT, aid INTEGER);
CREATE TABLE org_ror (key TEXT, ror TEXT);
CREATE TABLE org_name (key TEXT, name TEXT);
CREATE TABLE sb (id INTEGER PRIMARY KEY, key TEXT, works INTEGER);
CREATE TABLE cand (aid INTEGER PRIMARY KEY, idx INTEGER, oid INTEGER);
CREATE TABLE cm (root INTEGER, aid INTEGER);
CREATE TABLE cr (root INTEGER PRIMARY KEY, r0 INTEGER, r1 INTEGER, r2 INTEGER);
CREATE TABLE po (seq INTEGER, n INTEGER, person TEXT);
CREATE TABLE jd (doi TEXT, own INTEGER, issn TEXT, title TEXT);
"""
# a: authorships; b: bucket memberships, the key being family key + "\x01" + initial +
# the evidence ("o" + organisation or "c" + co-author): sorted as bytes, the keys
# sort as the tuples (family, initial, "org:..." / "coauthor:...") did, since
# family keys hold only [a-z0-9 ] and "c" < "o" as "coauthor:" < "org:".
# sb: the buckets with two or more members, in key order, with their number of works;
# cand: the merge candidates (authorships in buckets of at most MAX_NAMESAKES works),
# with dense ids in authorship order and dense ids of their ORCID iDs;
# cm, cr: the clusters of two or more (member -> root; the root's first three reasons);
# a.skel, a.sgiven, a.cyr: the names' keys across scripts (match_key), 1 for a Cyrillic
# name; the buckets across scripts are added to b when a Cyrillic name was seen (their
# keys "~" + skel + "\x01" + initial + evidence sort after all others);
# po: the decisions, (record, author position) -> person IRI;
# jd: the DOIs of records with a journal (their own: own = 1; their notices' and
# targets': 0), with the journal's first ISSN, or its normalised title if it has none.


def _cleanup(connections: list[sqlite3.Connection], directory: Path | None) -> None:
    for db in connections:
        db.close()
    connections.clear()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


class Resolver:
    """Decides which records' journals, organisations and people are the same.

    :meth:`observe` (or :meth:`add`) every record in order, :meth:`finish`, then
    the mapping asks :meth:`journal_issn`, :meth:`org` and :meth:`person` record by
    record. The evidence about people lives in an SQLite database in a new
    directory under ``workdir`` (the system's temporary directory when None);
    :meth:`close` (or leaving a ``with`` block, or garbage collection, or the
    interpreter's exit) removes it.

    ``BATCH``: the first pass writes its rows to the database this many at a time;
    ``WINDOW``: the second pass loads the person decisions of this many records at
    a time.
    """

    BATCH = 20_000
    WINDOW = 4096

    def __init__(
        self,
        minter: IriMinter,
        variants: dict[str, str] | None = None,
        workdir: Path | None = None,
        ror: Matcher | None = None,
    ) -> None:
        self.m = minter
        self.variants = variants or {}
        self.ror = ror  # a local ROR index's matcher, for names without a ROR id
        if workdir is not None:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        self._dir: Path | None = Path(tempfile.mkdtemp(prefix="kg-resolve-", dir=workdir))
        self._path = self._dir / "resolve.sqlite"
        self._connections: list[sqlite3.Connection] = []
        self._finalizer = weakref.finalize(self, _cleanup, self._connections, self._dir)
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        self._connections.append(db)
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        self._db: sqlite3.Connection | None = db
        self.merges = MergeLog(workdir)
        self.near_misses = MergeLog(workdir)
        self._finished = False
        self._seq = 0
        self._journals = Journals()
        self._journal_of: dict[str, str] = {}  # ISSN -> canonical ISSN
        self._title_of: dict[str, str] = {}  # a name-only journal's title key -> canonical ISSN
        self._jd_rows: list[tuple[str, int, str | None, str | None]] = []
        self._org_ror: dict[str, str] = {}  # org key -> ROR id it resolves to
        # ROR id -> its ROR name, the name's language and the country (with a ROR index)
        self._ror_info: dict[str, tuple[str, str, str | None]] = {}
        self._ror_parents: dict[str, tuple[str, ...]] = {}  # ROR id -> its ROR parents
        self._units: dict[str, str] = {}  # org key -> the department it names (matched)
        self._aid = 0  # authorships written
        self._a_rows: list[tuple[int, int, int, str, str, str | None, str, str, str, str, int]] = []
        self._cyrillic = 0  # authorships named in Cyrillic
        self._b_rows: list[tuple[str, int]] = []
        self._ror_rows: list[tuple[str, str]] = []
        self._name_rows: list[tuple[str, str]] = []
        self._seen_rors: set[tuple[str, str]] = set()
        self._seen_names: set[tuple[str, str]] = set()
        self._people = 0  # (record, author) decisions in the database
        self._lo = self._hi = 0  # the records whose decisions are loaded
        self._window: dict[tuple[int, int], str] = {}

    # --- lifecycle --------------------------------------------------------------------

    def close(self) -> None:
        """Close the database and remove the directory this resolver made (idempotent)."""
        self._finalizer()
        self._db = None
        self._lo = self._hi = 0
        self._window = {}

    def __enter__(self) -> Resolver:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        """What a worker process needs for the second pass: decisions and the database path."""
        if not self._finished:
            raise RuntimeError("a resolver goes to another process only after finish()")
        if not self._finalizer.alive:
            raise RuntimeError("the resolver is closed")
        return {
            "minter": self.m,
            "journal_of": self._journal_of,
            "title_of": self._title_of,
            "org_ror": self._org_ror,
            "ror_info": self._ror_info,
            "ror_parents": self._ror_parents,
            "units": self._units,
            "path": str(self._path),
            "people": self._people,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.m = state["minter"]
        self.variants = {}
        self.ror = None
        self._dir = None  # not this copy's to remove
        self._path = Path(state["path"])
        self._connections = []
        self._finalizer = weakref.finalize(self, _cleanup, self._connections, None)
        self._db = None  # opened read-only when first needed
        self.merges = MergeLog()
        self.near_misses = MergeLog()
        self._finished = True
        self._seq = 0
        self._journal_of = state["journal_of"]
        self._title_of = state["title_of"]
        self._org_ror = state["org_ror"]
        self._ror_info = state["ror_info"]
        self._ror_parents = state["ror_parents"]
        self._units = state["units"]
        self._people = state["people"]
        self._lo = self._hi = 0
        self._window = {}

    # --- the first pass -------------------------------------------------------------

    def observe(self, rec: Record) -> None:
        """Note what identifies the record's journal, organisations and authors."""
        self.add(observation(rec))

    def add(self, obs: Observation) -> None:
        """Note a record's :func:`observation` (records in the order the second pass reads)."""
        if self._finished:
            raise RuntimeError("the resolver has decided: no more records")
        journal, rors, names, work, authors, coauthors, doi, links = obs
        self._seq += 1
        seq = self._seq
        if journal is not None:
            self._journals.add(journal)
            issn = journal[0][0] if journal[0] else None
            title = None if issn or not journal[5] else journal[5][0][0] or None
            if doi and (issn or title):
                self._jd_rows.append((doi, 1, issn, title))
            if issn or title:
                self._jd_rows.extend((link, 0, issn, title) for link in links)
        self._org_rows(rors, self._seen_rors, self._ror_rows)
        self._org_rows(names, self._seen_names, self._name_rows)
        b_rows = self._b_rows
        for n, family, given, orcid, name, orgs, skel, sgiven, cyr in authors:
            self._aid += 1
            aid = self._aid
            self._cyrillic += cyr
            self._a_rows.append((aid, seq, n, family, given, orcid, name, work, skel, sgiven, cyr))
            prefix = f"{family}\x01{given[0]}"
            evidence = set(orgs)
            evidence.update(code for m, code in coauthors if m != n)
            b_rows.extend((prefix + e, aid) for e in evidence)
        batch = self.BATCH
        if len(b_rows) >= batch or len(self._a_rows) >= batch or len(self._jd_rows) >= batch:
            self._flush()

    @staticmethod
    def _org_rows(
        pairs: tuple[tuple[str, str], ...],
        seen: set[tuple[str, str]],
        rows: list[tuple[str, str]],
    ) -> None:
        for pair in pairs:
            if pair not in seen:
                if len(seen) >= _SEEN:
                    seen.clear()
                seen.add(pair)
                rows.append(pair)

    def _flush(self) -> None:
        db = self._open()
        tables: tuple[tuple[str, list[Any]], ...] = (
            ("INSERT INTO a VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._a_rows),
            ("INSERT INTO b VALUES (?, ?)", self._b_rows),
            ("INSERT INTO org_ror VALUES (?, ?)", self._ror_rows),
            ("INSERT INTO org_name VALUES (?, ?)", self._name_rows),
            ("INSERT INTO jd VALUES (?, ?, ?, ?)", self._jd_rows),
        )
        for insert, rows in tables:
            if rows:
                db.executemany(insert, rows)
                rows.clear()

    # --- deciding ---------------------------------------------------------------------

    def finish(self) -> None:
        """Decide, once every record has been observed; then the second pass can map."""
        if self._finished:
            return
        self._flush()
        self._seen_rors.clear()
        self._seen_names.clear()
        db = self._open()
        self._journal_of = self._journals.decide(self.m, self.merges, self.near_misses)
        self._title_of = decide_names(
            db, self._journals, self._journal_of, self.m, self.merges, self.near_misses
        )
        self._org_ror = decide_organisations(
            db, self.variants, self.m, self.merges, self.near_misses, self.ror, self._units
        )
        if self.ror is not None:
            seen = {ror for (ror,) in db.execute("SELECT DISTINCT ror FROM org_ror")}
            seen |= set(self._org_ror.values())
            self._ror_parents = ror_parents(self.ror, seen)
            for parents in list(self._ror_parents.values()):
                seen.update(parents)
            self._ror_info = ror_names(self.ror, seen)
        self.ror = None
        if self._cyrillic:
            buckets_across_scripts(db, self._org_ror)
        self._people = decide_people(db, self.m, self.merges, self.near_misses, self.BATCH)
        db.execute("COMMIT")
        self._journals = Journals()
        self._finished = True
        self._seq = 0

    # --- the second pass: what the mapping asks ------------------------------------

    def start_at(self, records_before: int) -> None:
        """The mapping goes on after the first ``records_before`` records (a worker's unit)."""
        self._seq = records_before

    def next_record(self) -> None:
        """The mapping starts the next record (records come in the first pass's order)."""
        self._seq += 1

    def journal_issn(self, j: Journal) -> str | None:
        """The ISSN that names the journal's group; for a journal known only by name, the
        ISSN of the journal it was found to be; else None."""
        issns = j.issns()
        for issn in issns:
            canon = self._journal_of.get(issn)
            if canon is not None:
                return canon
        if not issns and j.titles and self._title_of:
            return self._title_of.get(org_key(j.titles[0][0]))
        return None

    def org(self, org: Organization) -> Organization:
        """The organisation, with the ROR id its name resolves to when it has none; with
        a ROR index, also its ROR name and (without an address) its country."""
        if org.ror or not org.names:
            return self._with_ror_info(org)
        for name, _ in org.names:
            ror = self._org_ror.get(org_key(name))
            if ror is not None:
                found = Organization(list(org.names), ror, org.wikidata, org.address)
                return self._with_ror_info(found)
        return org

    def unit(self, org: Organization) -> tuple[str, str] | None:
        """The department (its name and language) that a name of the organisation, matched
        in the local ROR index, names before the organisation; else None."""
        if self._units:
            for name, lang in org.names:
                unit = self._units.get(org_key(name))
                if unit is not None:
                    return unit, lang
        return None

    def parents(self, ror: str) -> list[Organization]:
        """The ROR parents of the organisation with this ROR id (with a ROR index)."""
        return [Organization([], parent) for parent in self._ror_parents.get(ror, ())]

    def _with_ror_info(self, org: Organization) -> Organization:
        info = self._ror_info.get(org.ror or "") if self._ror_info else None
        if info is None:
            return org
        name, lang, country = info
        names = list(org.names)
        if all(n != name for n, _ in names):
            names.append((name, lang))
        address = org.address
        if address is None and country:
            address = Address(country=country)
        return Organization(names, org.ror, org.wikidata, address)

    def person(self, n: int) -> str | None:
        """The IRI of the current record's author ``n`` when resolution merged it."""
        seq = self._seq
        if not self._lo <= seq < self._hi:
            self._load(seq)
        return self._window.get((seq, n))

    def _load(self, seq: int) -> None:
        """The decisions of the records from ``seq`` on (pass 2 reads records in order)."""
        if not self._finished:
            raise RuntimeError("the resolver has not decided yet: call finish() first")
        if not self._finalizer.alive:
            raise RuntimeError("the resolver is closed")
        if self._people == 0:
            self._lo, self._hi, self._window = 0, 1 << 62, {}
            return
        window = self.WINDOW
        rows = self._open().execute(
            "SELECT seq, n, person FROM po WHERE seq >= ? AND seq < ?", (seq, seq + window)
        )
        self._window = {(s, n): person for s, n, person in rows}
        self._lo, self._hi = seq, seq + window

    def _open(self) -> sqlite3.Connection:
        """The database: this process's own, or (in a worker) opened read-only."""
        if self._db is None:
            if self._dir is not None or not self._finalizer.alive:
                raise RuntimeError("the resolver is closed")  # (a worker's copy opens it)
            uri = f"file:{quote(str(self._path))}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._connections.append(self._db)
        return self._db


def resolve_sources(
    records: Iterable[Record],
    minter: IriMinter,
    variants: dict[str, str],
    workdir: Path | None = None,
) -> Resolver:
    """The first pass over every record, and the decisions (the caller closes the resolver)."""
    resolver = Resolver(minter, variants, workdir)
    try:
        for rec in records:
            resolver.observe(rec)
        resolver.finish()
    except BaseException:
        resolver.close()
        raise
    return resolver
