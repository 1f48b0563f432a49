"""Entity resolution: one journal, organisation or person, one IRI, across records and sources.

A build reads its sources twice. The first pass (:meth:`Resolver.observe`, or
:func:`observation` in a worker process and :meth:`Resolver.add` in the main
one) collects only what identifies things; :meth:`Resolver.finish` decides, and
the mapping then asks the resolver for each thing's IRI. The rules are
conservative, and every merge is reported with its evidence
(:attr:`Resolver.merges`); candidates that were not merged, with the reason,
are reported as near-misses (:attr:`Resolver.near_misses`).

- **Journals** are one journal whenever they share any ISSN (print, online,
  ISSN-L or of unknown medium). Two ISSN groups with the same normalised title
  and the same publisher are one journal too when one has only a print ISSN and
  the other only an online ISSN; other such pairs are reported as near-misses.
  The IRI comes from the group's ISSN-L, else its smallest print ISSN, else
  online, else of unknown medium.
- **Organisations** are one by ROR id, and two different ROR ids are never
  merged. Without a ROR id, by a normalised name (:func:`org_key`: case,
  accents, punctuation, ``Univ.``/``University``, a leading ``The``, Cyrillic
  transliterated); a name found in the name-variants table
  (``data/organisations.tsv`` and ``--organisations FILE``) or given, in some
  record, to exactly one organisation with a ROR id, is that organisation.
- **People** are one by ORCID iD, never across two different ORCID iDs.
  Without one, two authorships are one person only on strong evidence: the same
  normalised family name, compatible given names (``A. A.`` and ``Anna A.``;
  two full given names must be equal) and a shared organisation or a shared
  co-author (a shared organisation needs a full given name or two initials on
  both sides: ``Wang Y.`` needs a co-author), unless more than
  ``MAX_NAMESAKES`` works have an author of that family name and initial with
  that organisation or co-author (a common name at a large institution: too
  common to tell apart). A group never holds two
  different full given names, so ``A.`` cannot join ``Anna`` and ``Alexei``
  into one person. Known failure cases are
  in docs/model.md.

Memory does not grow with the number of records. What grows with them goes to
an SQLite database in a temporary directory (``workdir``), written in batches in
one transaction, without a journal, indexed only after the first pass:

- one row per authorship that has a family name and a given name (family key,
  given names, ORCID iD, name, work key, record and author position), and one
  row per evidence bucket it is in (family name + initial + a shared
  organisation or co-author). :meth:`Resolver.finish` finds the buckets with two
  or more members in SQL and runs the union-find only over the authorships of
  the buckets that may merge (at most ``MAX_NAMESAKES`` works), in ``array``
  arrays indexed by dense ids: memory grows with those merge candidates, not
  with the records. The decisions (record, author) -> person IRI go back to the
  database; the second pass reads them in record order, a few thousand records
  at a time.
- the organisation names seen with and without a ROR id. Affiliations are
  mostly whole addresses without a ROR id ("Department of X, University of Y,
  City, Country": so are all 24 in the Crossref and JATS samples under
  tests/data/samples, 13 distinct), nearly one distinct name per author: not
  small. Only the decisions (a name without a ROR id -> the ROR id it resolves
  to) stay in memory, for the second pass.

The journals' ISSN groups stay in memory: they are bounded by the number of
distinct ISSNs, not of records (measured: 1.7 MB for the 1,000 journals, 2,010
ISSNs, of bench/generate.py's records). The merges and near-misses are kept, in
order, in a :class:`MergeLog` that spills to a temporary file beyond a few
thousand (a build of 200,000 generated records decides 250,000).

A resolver sent to a worker process (pickled) carries only the journal and
organisation decisions and the database's path, which the worker opens
read-only.
"""

from __future__ import annotations

import csv
import itertools
import os
import pickle
import re
import shutil
import sqlite3
import tempfile
import unicodedata
import weakref
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import IO, Any, overload
from urllib.parse import quote

from kg.errors import InputError
from kg.ids import normalize_ror
from kg.iris import IriMinter, name_key
from kg.records import Author, Journal, Organization, Record

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch  y  e yu ya i i e g".split(
            " "
        ),
        strict=True,
    )
)
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "natl": "national",
    "nat": "national",
    "dept": "department",
    "coll": "college",
    "acad": "academy",
    "hosp": "hospital",
    "ctr": "center",
    "centre": "center",
    "lab": "laboratory",
    "labs": "laboratories",
}
# A shared organisation or co-author counts as evidence only when at most this
# many works have an author of that family name and initial with it.
MAX_NAMESAKES = 5
# Co-authors count as evidence only on papers with at most this many authors:
# on larger teams a shared co-author says little, and the pairs grow as n².
MAX_COAUTHOR_EVIDENCE = 12
_ENDINGS = re.compile(r"(?<=[a-z])(?:iy|ij|yi|yy)\b")


def _latin(text: str) -> str:
    """Lower case, accents removed, Cyrillic transliterated."""
    text = text.casefold()
    if re.search("[\u0400-\u04ff]", text):
        text = "".join(_CYRILLIC.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """The normalised form of an organisation's name that kg compares.

    >>> org_key("The Tomsk Polytechnic Univ.")
    'tomsk polytechnic university'
    >>> org_key("Томский политехнический университет")
    'tomskii politekhnicheskii universitet'
    """
    text = _latin(name).replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    if words and words[0] == "the":
        words = words[1:]
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    return _ENDINGS.sub("ii", " ".join(words))


@lru_cache(maxsize=65536)
def family_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _latin(text)))


@lru_cache(maxsize=65536)
def given_parts(text: str | None) -> tuple[str, ...]:
    """Given names as words: ``"A. A."`` -> ``("a", "a")``, ``"Anna-Maria"`` -> two words."""
    if not text:
        return ()
    return tuple(w for w in re.findall(r"[a-z]+", _latin(text)))


def compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names that may be the same person's: initials match, full names are equal."""
    if not a or not b:
        return False
    for x, y in zip(a, b, strict=False):
        if len(x) > 1 and len(y) > 1:
            if x != y:
                return False
        elif x[0] != y[0]:
            return False
    return True


def load_variants(paths: Iterable[Path]) -> dict[str, str]:
    """Name variants -> ROR id from tab-separated ``name<TAB>ror`` files (``#`` comments).

    :raises InputError: naming the file and line of a bad row.
    """
    table: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as e:
            raise InputError(f"{path}: cannot read the organisation table: {e.strerror}") from None
        for n, row in enumerate(csv.reader(text.splitlines(), delimiter="\t"), start=1):
            if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            if len(row) < 2 or normalize_ror(row[1]) is None:
                raise InputError(
                    f"{path.name}: line {n}: expected 'name<TAB>ROR id', got {chr(9).join(row)!r}"
                )
            table[org_key(row[0])] = normalize_ror(row[1]) or ""
    return table


# How the first pass stores people: rows are written in batches of this many.
_BATCH = 20_000
# The second pass loads the person decisions of this many records at a time.
_WINDOW = 4096
# Organisation names already written, remembered to skip repeated rows (then forgotten).
_SEEN = 10_000
# Near-misses between two people are reported up to this many near-misses in all.
_NEAR_MISS_CAP = 10_000
_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -4096;
CREATE TABLE a (
    id INTEGER PRIMARY KEY, seq INTEGER, n INTEGER, family TEXT, given TEXT,
    orcid TEXT, name TEXT, work TEXT
);
CREATE TABLE b (key TEXT, aid INTEGER);
CREATE TABLE org_ror (key TEXT, ror TEXT);
CREATE TABLE org_name (key TEXT, name TEXT);
CREATE TABLE sb (id INTEGER PRIMARY KEY, key TEXT, works INTEGER);
CREATE TABLE cand (aid INTEGER PRIMARY KEY, idx INTEGER, oid INTEGER);
CREATE TABLE cm (root INTEGER, aid INTEGER);
CREATE TABLE cr (root INTEGER PRIMARY KEY, r0 INTEGER, r1 INTEGER, r2 INTEGER);
CREATE TABLE po (seq INTEGER, n INTEGER, person TEXT);
"""
# a: authorships; b: bucket memberships, the key being family key + "\x01" + initial +
# the evidence ("o" + organisation or "c" + co-author): sorted as bytes, the keys
# sort as the tuples (family, initial, "org:..." / "coauthor:...") did, since
# family keys hold only [a-z0-9 ] and "c" < "o" as "coauthor:" < "org:".
# sb: the buckets with two or more members, in key order, with their number of works;
# cand: the merge candidates (authorships in buckets of at most MAX_NAMESAKES works),
# with dense ids in authorship order and dense ids of their ORCID iDs;
# cm, cr: the clusters of two or more (member -> root; the root's first three reasons);
# po: the decisions, (record, author position) -> person IRI.

# ISSNs, print, online, linking, of unknown medium, (normalised title, title) pairs,
# the normalised name of the publisher
JournalObservation = tuple[
    tuple[str, ...],
    str | None,
    str | None,
    str | None,
    tuple[str, ...],
    tuple[tuple[str, str], ...],
    str | None,
]
# author position, family key, given names (space-separated), ORCID iD, name, the
# organisation evidence codes
AuthorObservation = tuple[int, str, str, str | None, str, tuple[str, ...]]
# journal, (org key, ROR id) pairs, (org key, name) pairs of organisations without a ROR
# id, work key, the authors that have a family key and a given name, (position,
# co-author evidence code) of every author with a family key (none on large teams)
Observation = tuple[
    JournalObservation | None,
    tuple[tuple[str, str], ...],
    tuple[tuple[str, str], ...],
    str,
    tuple[AuthorObservation, ...],
    tuple[tuple[int, str], ...],
]


@dataclass(slots=True)
class Merge:
    """A decision of the resolver: what became one thing, and why."""

    kind: str  # journal, organisation, person
    into: str  # the IRI
    members: list[str]  # what was merged, as the sources give it
    evidence: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "into": self.into,
            "members": self.members,
            "evidence": self.evidence,
        }


class MergeLog(Sequence[Merge]):
    """Merges or near-misses in the order they were decided, in bounded memory.

    A large build decides hundreds of thousands of them. The latest ``CHUNK`` are
    kept as objects; older ones are pickled a chunk at a time to an anonymous
    temporary file (gone when the log is), and read back a chunk at a time. A
    read-only sequence: ``len``, indexing, iteration, ``==`` with a list.
    """

    CHUNK = 4096

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = directory
        self._tail: list[Merge] = []
        self._file: IO[bytes] | None = None
        self._offsets = array("q")
        self._cached: tuple[int, list[Merge]] = (-1, [])

    def append(self, merge: Merge) -> None:
        """Add the next decision."""
        self._tail.append(merge)
        if len(self._tail) >= self.CHUNK:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._dir)
            weakref.finalize(self, self._file.close)
        f = self._file
        f.seek(0, os.SEEK_END)
        self._offsets.append(f.tell())
        rows = [(m.kind, m.into, m.members, m.evidence) for m in self._tail]
        pickle.dump(rows, f, pickle.HIGHEST_PROTOCOL)
        self._tail = []

    def _chunk(self, i: int) -> list[Merge]:
        if self._cached[0] != i:
            assert self._file is not None
            self._file.seek(self._offsets[i])
            self._cached = (i, [Merge(*row) for row in pickle.load(self._file)])
        return self._cached[1]

    def __len__(self) -> int:
        return len(self._offsets) * self.CHUNK + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> Merge: ...

    @overload
    def __getitem__(self, index: slice) -> list[Merge]: ...

    def __getitem__(self, index: int | slice) -> Merge | list[Merge]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("MergeLog index out of range")
        chunk, at = divmod(index, self.CHUNK)
        if chunk < len(self._offsets):
            return self._chunk(chunk)[at]
        return self._tail[at]

    def __iter__(self) -> Iterator[Merge]:
        for i in range(len(self._offsets)):
            yield from self._chunk(i)
        yield from list(self._tail)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MergeLog | list | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<MergeLog of {len(self)} decision(s)>"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
        return ra


@dataclass(slots=True)
class _JournalGroup:
    print: set[str] = field(default_factory=set)
    online: set[str] = field(default_factory=set)
    linking: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    publishers: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)


def observation(rec: Record) -> Observation:
    """What the first pass needs from ``rec``, as a small picklable tuple of str and int.

    A worker process computes it (the normalisation is most of the first pass's
    work) and the main process passes it to :meth:`Resolver.add`, in record order.
    """
    journal: JournalObservation | None = None
    j = rec.journal
    if j is not None:
        issns = j.issns()
        if issns:
            publisher = (
                org_key(j.publisher.names[0][0])
                if j.publisher is not None and j.publisher.names
                else None
            )
            journal = (
                tuple(issns),
                j.issn_print,
                j.issn_online,
                j.issn_l,
                tuple(j.issns_unknown),
                tuple((org_key(title), title) for title, _ in j.titles),
                publisher,
            )
    rors: dict[tuple[str, str], None] = {}
    names: dict[tuple[str, str], None] = {}
    for org in _orgs(rec):
        for name, _ in org.names:
            key = org_key(name)
            if key and org.ror:
                rors[(key, org.ror)] = None
            elif key:
                names[(key, name)] = None  # to resolve: no ROR id
    work = rec.doi or f"{name_key(rec.titles[0][0]) if rec.titles else ''}/{rec.year or ''}"
    people: list[tuple[int, Author, str, tuple[str, ...]]] = []
    for n, author in enumerate(rec.authors, start=1):
        family = family_key(author.family or _family_of(author.name))
        given = given_parts(author.given) or given_parts(_given_of(author))
        people.append((n, author, family, given))
    coauthors: tuple[tuple[int, str], ...] = ()
    if len(people) <= MAX_COAUTHOR_EVIDENCE:
        coauthors = tuple(
            (m, "c" + (other.orcid or f"{ofam}/{ogiven[0] if ogiven else ''}"))
            for m, other, ofam, ogiven in people
            if ofam
        )
    authors = tuple(
        (
            n,
            family,
            " ".join(given),
            author.orcid or None,
            author.name,
            tuple(sorted({"o" + _org_evidence(o) for o in author.affiliations})),
        )
        for n, author, family, given in people
        if family and given
    )
    return journal, tuple(rors), tuple(names), work, authors, coauthors


def _org_evidence(org: Organization) -> str:
    if org.ror:
        return org.ror
    return org_key(org.names[0][0]) if org.names else ""


def _evidence(key: str) -> str:
    """The evidence of a bucket key, as reports give it: ``org:...`` or ``coauthor:...``."""
    code = key[key.index("\x01") + 2 :]
    return ("org:" if code[0] == "o" else "coauthor:") + code[1:]


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
    """

    def __init__(
        self,
        minter: IriMinter,
        variants: dict[str, str] | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.m = minter
        self.variants = variants or {}
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
        self._issns = _UnionFind()
        self._journal_info: dict[str, _JournalGroup] = {}
        self._journal_of: dict[str, str] = {}  # ISSN -> canonical ISSN
        self._org_ror: dict[str, str] = {}  # org key -> ROR id it resolves to
        self._aid = 0  # authorships written
        self._a_rows: list[tuple[int, int, int, str, str, str | None, str, str]] = []
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
            "org_ror": self._org_ror,
            "path": str(self._path),
            "people": self._people,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.m = state["minter"]
        self.variants = {}
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
        self._org_ror = state["org_ror"]
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
        journal, rors, names, work, authors, coauthors = obs
        self._seq += 1
        seq = self._seq
        if journal is not None:
            self._add_journal(journal)
        self._org_rows(rors, self._seen_rors, self._ror_rows)
        self._org_rows(names, self._seen_names, self._name_rows)
        b_rows = self._b_rows
        for n, family, given, orcid, name, orgs in authors:
            self._aid += 1
            aid = self._aid
            self._a_rows.append((aid, seq, n, family, given, orcid, name, work))
            prefix = f"{family}\x01{given[0]}"
            evidence = set(orgs)
            evidence.update(code for m, code in coauthors if m != n)
            b_rows.extend((prefix + e, aid) for e in evidence)
        if len(b_rows) >= _BATCH or len(self._a_rows) >= _BATCH:
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
        if self._a_rows:
            db.executemany("INSERT INTO a VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._a_rows)
            self._a_rows = []
        if self._b_rows:
            db.executemany("INSERT INTO b VALUES (?, ?)", self._b_rows)
            self._b_rows = []
        if self._ror_rows:
            db.executemany("INSERT INTO org_ror VALUES (?, ?)", self._ror_rows)
            self._ror_rows = []
        if self._name_rows:
            db.executemany("INSERT INTO org_name VALUES (?, ?)", self._name_rows)
            self._name_rows = []

    def _add_journal(self, j: JournalObservation) -> None:
        issns, issn_print, issn_online, issn_l, unknown, titles, publisher = j
        root = issns[0]
        for issn in issns[1:]:
            root = self._issns.union(root, issn)
        self._issns.find(root)
        info = self._journal_info.setdefault(issns[0], _JournalGroup())
        if issn_print:
            info.print.add(issn_print)
        if issn_online:
            info.online.add(issn_online)
        if issn_l:
            info.linking.add(issn_l)
        info.unknown.update(unknown)
        for key, title in titles:
            info.titles.add(key)
            info.shown.add(title)
        if publisher is not None:
            info.publishers.add(publisher)

    # --- deciding ---------------------------------------------------------------------

    def finish(self) -> None:
        """Decide, once every record has been observed; then the second pass can map."""
        if self._finished:
            return
        self._flush()
        self._seen_rors.clear()
        self._seen_names.clear()
        db = self._open()
        self._finish_journals()
        self._finish_orgs(db)
        self._finish_people(db)
        db.execute("COMMIT")
        self._journal_info.clear()
        self._issns = _UnionFind()
        self._finished = True
        self._seq = 0

    def _finish_journals(self) -> None:
        # Each observation is keyed by the ISSN kg would name it by on its own;
        # a group that holds several such keys is a merge.
        def group_of() -> dict[str, list[str]]:
            found: dict[str, list[str]] = defaultdict(list)
            for first in self._journal_info:
                found[self._issns.find(first)].append(first)
            return found

        def combined(firsts: list[str]) -> _JournalGroup:
            g = _JournalGroup()
            for first in firsts:
                info = self._journal_info[first]
                for name in _FIELDS:
                    getattr(g, name).update(getattr(info, name))
            return g

        groups = group_of()
        by_title = {root: combined(firsts) for root, firsts in groups.items()}
        titled: set[str] = set()
        # ISSN groups with the same title and publisher are one journal, when their
        # print and online ISSNs do not clash
        by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        for root, g in sorted(by_title.items()):
            if len(g.titles) == 1 and len(g.publishers) == 1:
                by_name[(next(iter(g.titles)), next(iter(g.publishers)))].append(root)
        for (title, _), roots in sorted(by_name.items()):
            kept = roots[0]
            for other in roots[1:]:
                a, b = by_title[kept], by_title[other]
                # only a print-only group and an online-only group: anything else
                # (two print ISSNs, ISSNs of unknown medium) may be two journals
                complementary = (
                    not a.unknown
                    and not b.unknown
                    and not (a.print and b.print)
                    and not (a.online and b.online)
                    and bool(a.print or b.print)
                    and bool(a.online or b.online)
                )
                if not complementary:
                    self.near_misses.append(
                        Merge(
                            "journal",
                            self.m.journal_issn(_canonical(a)),
                            sorted(_all(a) | _all(b)),
                            f"the same title and publisher ({title!r}), but not one print-only "
                            "and one online-only ISSN: kept apart",
                        )
                    )
                    continue
                for name in _FIELDS:
                    getattr(a, name).update(getattr(b, name))
                kept = self._issns.union(kept, other)
                by_title[kept] = a
                titled.add(kept)
        for root, firsts in sorted(group_of().items()):
            g = combined(firsts)
            canon = _canonical(g)
            for issn in _all(g):
                self._journal_of[issn] = canon
            if len(firsts) > 1:
                evidence = (
                    "the same title and publisher, and where they share no ISSN"
                    if root in titled
                    else "records that share an ISSN"
                )
                self.merges.append(
                    Merge(
                        "journal",
                        self.m.journal_issn(canon),
                        sorted(_all(g)),
                        f"{evidence}: {'; '.join(sorted(g.shown)[:3]) or '(no title)'}",
                    )
                )

    def _finish_orgs(self, db: sqlite3.Connection) -> None:
        # both in key order: walk the names without a ROR id, and the ROR ids beside them
        names = _grouped(db.execute("SELECT DISTINCT key, name FROM org_name ORDER BY key, name"))
        rors = _grouped(db.execute("SELECT DISTINCT key, ror FROM org_ror ORDER BY key, ror"))
        pending = next(rors, None)
        for key, given in names:
            while pending is not None and pending[0] < key:
                pending = next(rors, None)
            found = pending[1] if pending is not None and pending[0] == key else []
            ror = self.variants.get(key)
            if ror is not None:
                evidence = "the name-variants table"
            elif len(found) == 1:
                ror = found[0]
                evidence = "the same name as an organisation with this ROR id in another record"
            elif len(found) > 1:
                self.near_misses.append(
                    Merge(
                        "organisation",
                        "",
                        given,
                        f"the name is given to organisations with different ROR ids "
                        f"({', '.join(found)}): a record without a ROR id is kept apart",
                    )
                )
                continue
            else:
                if len(given) > 1:
                    self.merges.append(
                        Merge(
                            "organisation",
                            self.m.org_key("name", key),
                            given,
                            f"the same normalised name ({key!r})",
                        )
                    )
                continue
            self._org_ror[key] = ror
            self.merges.append(
                Merge(
                    "organisation",
                    self.m.org_ror(ror),
                    given,
                    f"given without a ROR id; {evidence}",
                )
            )

    def _finish_people(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE INDEX b_key ON b (key, aid)")
        # the buckets with two or more members, in key order (the order of decisions)
        db.execute(
            "INSERT INTO sb (key, works) SELECT s.key, (SELECT COUNT(DISTINCT a.work) "
            "FROM b JOIN a ON a.id = b.aid WHERE b.key = s.key) "
            "FROM (SELECT key FROM b GROUP BY key HAVING COUNT(*) > 1) AS s ORDER BY s.key"
        )
        # the merge candidates: dense ids in authorship order, and ids of their ORCID iDs
        db.execute(
            "INSERT INTO cand (aid, idx, oid) "
            "SELECT d.aid, ROW_NUMBER() OVER (ORDER BY d.aid) - 1, "
            "CASE WHEN a.orcid IS NULL THEN -1 ELSE DENSE_RANK() OVER (ORDER BY a.orcid) END "
            "FROM (SELECT DISTINCT b.aid FROM sb JOIN b ON b.key = sb.key WHERE sb.works <= ?) "
            "AS d JOIN a ON a.id = d.aid",
            (MAX_NAMESAKES,),
        )
        (size,) = db.execute("SELECT COUNT(*) FROM cand").fetchone()
        people = _People(size)
        members = itertools.groupby(
            db.execute(
                "SELECT sb.id, c.idx, c.oid, a.given, a.name FROM sb "
                "JOIN b ON b.key = sb.key JOIN cand AS c ON c.aid = b.aid JOIN a ON a.id = b.aid "
                "WHERE sb.works <= ? ORDER BY sb.id, b.aid",
                (MAX_NAMESAKES,),
            ),
            key=itemgetter(0),
        )
        # the names of the buckets too common to decide (up to ten each, for the
        # report), in one pass in bucket order rather than one query a bucket
        common = itertools.groupby(
            db.execute(
                "SELECT DISTINCT sb.id, a.name FROM sb JOIN b ON b.key = sb.key "
                "JOIN a ON a.id = b.aid WHERE sb.works > ? ORDER BY sb.id, a.name",
                (MAX_NAMESAKES,),
            ),
            key=itemgetter(0),
        )
        near = self.near_misses
        for bucket, key, works in db.execute("SELECT id, key, works FROM sb ORDER BY id"):
            evidence = _evidence(key)
            if works > MAX_NAMESAKES:
                # a common name at a large institution (or around a prolific
                # co-author): the shared organisation says too little
                at, named = next(common)
                assert at == bucket
                near.append(
                    Merge(
                        "person",
                        "",
                        [name for _, name in itertools.islice(named, 10)],
                        f"{works} works by this family name and initial with "
                        f"{evidence.replace(':', ' ', 1)}: too common to tell people apart, "
                        "kept apart",
                    )
                )
                continue
            at, rows = next(members)
            assert at == bucket
            for why, names in people.bucket(bucket, evidence.startswith("org:"), list(rows)):
                if len(near) < _NEAR_MISS_CAP:
                    near.append(
                        Merge(
                            "person",
                            "",
                            names,
                            f"same family name and {evidence}, but {why}: kept apart",
                        )
                    )
        self._write_clusters(db, people)
        self._decide_people(db)

    def _write_clusters(self, db: sqlite3.Connection, people: _People) -> None:
        """The clusters of two or more authorships: member -> root, and each root's reasons."""
        roots, sizes = people.roots()
        rows: list[tuple[int, int]] = []
        aids = db.execute("SELECT aid FROM cand ORDER BY aid")  # in dense id order
        for idx, (aid,) in enumerate(aids):
            root = roots[idx]
            if sizes[root] >= 2:
                rows.append((root, aid))
                if len(rows) >= _BATCH:
                    db.executemany("INSERT INTO cm VALUES (?, ?)", rows)
                    rows = []
        db.executemany("INSERT INTO cm VALUES (?, ?)", rows)
        db.executemany(
            "INSERT INTO cr VALUES (?, ?, ?, ?)",
            (
                (i, people.r0[i], people.r1[i], people.r2[i])
                for i in range(len(roots))
                if roots[i] == i and sizes[i] >= 2
            ),
        )

    def _decide_people(self, db: sqlite3.Connection) -> None:
        """Each cluster's person IRI, in the order of its first authorship's ``seq.n``
        (as text, as the first implementation sorted its union-find roots)."""
        db.execute("CREATE INDEX cm_root ON cm (root, aid)")
        db.execute(
            "CREATE TABLE ct AS SELECT cm.root AS root, MIN(a.seq || '.' || a.n) AS tag "
            "FROM cm JOIN a ON a.id = cm.aid GROUP BY cm.root"
        )
        db.execute("CREATE INDEX ct_tag ON ct (tag)")
        clusters = db.execute(
            "SELECT ct.tag, a.family, a.orcid, a.name, a.work, a.seq, a.n, "
            "s0.key, s1.key, s2.key FROM ct JOIN cr ON cr.root = ct.root "
            "JOIN cm ON cm.root = ct.root JOIN a ON a.id = cm.aid "
            "LEFT JOIN sb AS s0 ON s0.id = cr.r0 LEFT JOIN sb AS s1 ON s1.id = cr.r1 "
            "LEFT JOIN sb AS s2 ON s2.id = cr.r2 ORDER BY ct.tag, cm.aid"
        )
        decisions: list[tuple[int, int, str]] = []
        for _, group in itertools.groupby(clusters, key=itemgetter(0)):
            members = list(group)
            found = sorted({m[2] for m in members if m[2]})
            if found:
                person = self.m.person_orcid(found[0])
            else:
                person = self.m.person_key("author", members[0][1], min(m[4] for m in members))
            for m in members:
                if not m[2]:
                    decisions.append((m[5], m[6], person))
            if len({m[4] for m in members}) > 1 and any(not m[2] for m in members):
                shown = [_evidence(k) for k in members[0][7:] if k is not None]
                self.merges.append(
                    Merge(
                        "person",
                        person,
                        sorted({m[3] for m in members}),
                        "same family name, compatible given names, and a shared "
                        + ", ".join(s.replace(":", " ", 1) for s in shown),
                    )
                )
            if len(decisions) >= _BATCH:
                self._people += len(decisions)
                db.executemany("INSERT INTO po VALUES (?, ?, ?)", decisions)
                decisions = []
        self._people += len(decisions)
        db.executemany("INSERT INTO po VALUES (?, ?, ?)", decisions)
        db.execute("CREATE INDEX po_at ON po (seq, n, person)")

    # --- the second pass: what the mapping asks ------------------------------------

    def start_at(self, records_before: int) -> None:
        """The mapping goes on after the first ``records_before`` records (a worker's unit)."""
        self._seq = records_before

    def next_record(self) -> None:
        """The mapping starts the next record (records come in the first pass's order)."""
        self._seq += 1

    def journal_issn(self, j: Journal) -> str | None:
        """The ISSN that names the journal's group, or None if it has no ISSN."""
        for issn in j.issns():
            canon = self._journal_of.get(issn)
            if canon is not None:
                return canon
        return None

    def org(self, org: Organization) -> Organization:
        """The organisation, with the ROR id its name resolves to when it has none."""
        if org.ror or not org.names:
            return org
        for name, _ in org.names:
            ror = self._org_ror.get(org_key(name))
            if ror is not None:
                return Organization(list(org.names), ror, org.wikidata, org.address)
        return org

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
        rows = self._open().execute(
            "SELECT seq, n, person FROM po WHERE seq >= ? AND seq < ?", (seq, seq + _WINDOW)
        )
        self._window = {(s, n): person for s, n, person in rows}
        self._lo, self._hi = seq, seq + _WINDOW

    def _open(self) -> sqlite3.Connection:
        """The database: this process's own, or (in a worker) opened read-only."""
        if self._db is None:
            if self._dir is not None or not self._finalizer.alive:
                raise RuntimeError("the resolver is closed")  # (a worker's copy opens it)
            uri = f"file:{quote(str(self._path))}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._connections.append(self._db)
        return self._db


class _People:
    """The union-find over the merge candidates (dense ids ``0..size-1``), in arrays.

    Per id: its parent, and, valid at a root, the group's full given name and
    ORCID iD (as small ids; a group holds at most one of each, as a merge never
    joins two different ones) and its first three reasons (bucket ids: in a
    group, all buckets share the family name and initial, so bucket order is
    the evidence's order).
    """

    def __init__(self, size: int) -> None:
        self.parent = array("i", range(size))
        self.full = array("i", [-2]) * size  # -2: not seen yet, -1: no full given name
        self.orcid = array("i", [-1]) * size
        self.r0 = array("i", [-1]) * size
        self.r1 = array("i", [-1]) * size
        self.r2 = array("i", [-1]) * size
        self.names: dict[str, int] = {}  # full given names -> ids

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def bucket(
        self, bucket: int, by_org: bool, rows: list[tuple[int, int, int, str, str]]
    ) -> Iterator[tuple[str, list[str]]]:
        """Merge the bucket's members into its first one where the rules allow; yield
        (why, names) for each that they do not."""
        full, orcid, names = self.full, self.orcid, self.names
        for _, idx, oid, given, _ in rows:
            if full[idx] == -2:
                first = given.split(" ", 1)[0]
                full[idx] = names.setdefault(first, len(names)) if len(first) > 1 else -1
                orcid[idx] = oid
        _, first_idx, _, first_given, first_name = rows[0]
        a_given = tuple(first_given.split(" "))
        for _, idx, _, given, name in rows[1:]:
            ra, rb = self.find(first_idx), self.find(idx)
            if ra == rb:
                continue
            b_given = tuple(given.split(" "))
            fa, fb, oa, ob = full[ra], full[rb], orcid[ra], orcid[rb]
            why = None
            if oa >= 0 and ob >= 0 and oa != ob:
                why = "different ORCID iDs"
            elif not compatible(a_given, b_given) or (fa >= 0 and fb >= 0 and fa != fb):
                why = "given names that do not match"
            elif by_org and not (_strong(a_given) and _strong(b_given)):
                # "Wang Y." at one university: a co-author is needed
                why = "a single initial, which a shared organisation cannot confirm"
            if why is not None:
                yield why, sorted({first_name, name})
                continue
            root, gone = (ra, rb) if ra < rb else (rb, ra)
            self.parent[gone] = root
            full[root] = fa if fa >= 0 else fb
            orcid[root] = oa if oa >= 0 else ob
            reasons = {self.r0[ra], self.r1[ra], self.r2[ra], self.r0[rb], self.r1[rb]}
            reasons |= {self.r2[rb], bucket}
            reasons.discard(-1)
            self.r0[root], self.r1[root], self.r2[root] = (*sorted(reasons)[:3], -1, -1, -1)[:3]

    def roots(self) -> tuple[array[int], array[int]]:
        """Each id's root, and each root's group size."""
        size = len(self.parent)
        roots = array("i", (self.find(i) for i in range(size)))
        sizes = array("i", [0]) * size
        for root in roots:
            sizes[root] += 1
        return roots, sizes


def _grouped(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(key, [values]) from rows sorted by key."""
    for key, group in itertools.groupby(rows, key=itemgetter(0)):
        yield key, [value for _, value in group]


def _orgs(rec: Record) -> Iterable[Organization]:
    for author in rec.authors:
        yield from author.affiliations
    yield from rec.affiliations


def _family_of(name: str) -> str:
    """The family name of a name given whole: ``Kartashova A. A.``, ``Kartashova Anna A.``
    (ending in an initial: the family name first) or ``Anna Kartashova``."""
    if "," in name:
        return name.split(",", 1)[0]
    words = name.split()
    if len(words) > 1 and len(words[-1].strip(".")) <= 2:
        return words[0]
    return words[-1] if words else ""


def _given_of(author: Author) -> str:
    name = author.name
    if "," in name:
        return name.split(",", 1)[1]
    family = author.family or _family_of(name)
    return name.replace(family, "", 1)


def _strong(given: tuple[str, ...]) -> bool:
    """Enough of a given name to go on with a shared organisation: a full name or two
    initials."""
    return len(given) >= 2 or (len(given) == 1 and len(given[0]) > 1)


_FIELDS = ("print", "online", "linking", "unknown", "titles", "publishers", "shown")


def _all(g: _JournalGroup) -> set[str]:
    return g.print | g.online | g.linking | g.unknown


def _canonical(g: _JournalGroup) -> str:
    for kind in (g.linking, g.print, g.online, g.unknown):
        if kind:
            return min(kind)
    raise ValueError("a journal group without an ISSN")


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


def default_tables() -> Sequence[Path]:
    """kg's own name-variants table (``data/organisations.tsv``, shipped in the wheel)."""
    from kg.resources import _PACKAGE

    for candidate in (
        _PACKAGE / "_resources" / "organisations.tsv",
        _PACKAGE.parent / "data" / "organisations.tsv",
    ):
        if candidate.is_file():
            return [candidate]
    return []
