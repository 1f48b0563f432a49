"""People across records: one by ORCID iD, else on strong evidence in the SQLite database.

:func:`decide_people` finds the evidence buckets with two or more members in
SQL and runs the union-find only over the authorships of the buckets that may
merge (at most ``MAX_NAMESAKES`` works), in ``array`` arrays indexed by dense
ids (:class:`People`); the decisions (record, author) -> person IRI go back to
the database (table ``po``).
"""

from __future__ import annotations

import itertools
import sqlite3
from array import array
from collections.abc import Iterator
from operator import itemgetter

from kg.iris import IriMinter
from kg.mapping.resolve.merges import Merge, MergeLog
from kg.mapping.resolve.names import compatible, match_initial, match_key, match_words
from kg.mapping.resolve.unionfind import find_root

# A shared organisation or co-author counts as evidence only when at most this
# many works have an author of that family name and initial with it.
MAX_NAMESAKES = 5
# Near-misses between two people are reported up to this many near-misses in all.
_NEAR_MISS_CAP = 10_000


def decide_people(
    db: sqlite3.Connection, minter: IriMinter, merges: MergeLog, near_misses: MergeLog, batch: int
) -> int:
    """Decide who is one person, from the tables ``a`` and ``b``; the number of decisions
    written to ``po`` (rows are written ``batch`` at a time)."""
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
    people = People(size)
    members = itertools.groupby(
        db.execute(
            "SELECT sb.id, c.idx, c.oid, a.given, a.name, a.sgiven, a.cyr FROM sb "
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
    for bucket, key, works in db.execute("SELECT id, key, works FROM sb ORDER BY id"):
        evidence = _evidence(key)
        if works > MAX_NAMESAKES:
            # a common name at a large institution (or around a prolific
            # co-author): the shared organisation says too little
            at, named = next(common)
            assert at == bucket
            near_misses.append(
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
        by_org = evidence.startswith("org:")
        for why, names in people.bucket(bucket, by_org, list(rows), key.startswith("~")):
            if len(near_misses) < _NEAR_MISS_CAP:
                near_misses.append(
                    Merge(
                        "person",
                        "",
                        names,
                        f"same family name and {evidence}, but {why}: kept apart",
                    )
                )
    _write_clusters(db, people, batch)
    return _decide(db, minter, merges, batch)


def _write_clusters(db: sqlite3.Connection, people: People, batch: int) -> None:
    """The clusters of two or more authorships: member -> root, and each root's reasons."""
    roots, sizes = people.roots()
    rows: list[tuple[int, int]] = []
    aids = db.execute("SELECT aid FROM cand ORDER BY aid")  # in dense id order
    for idx, (aid,) in enumerate(aids):
        root = roots[idx]
        if sizes[root] >= 2:
            rows.append((root, aid))
            if len(rows) >= batch:
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


def _decide(db: sqlite3.Connection, minter: IriMinter, merges: MergeLog, batch: int) -> int:
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
    count = 0
    for _, group in itertools.groupby(clusters, key=itemgetter(0)):
        members = list(group)
        found = sorted({m[2] for m in members if m[2]})
        if found:
            person = minter.person_orcid(found[0])
        else:
            person = minter.person_key("author", members[0][1], min(m[4] for m in members))
        for m in members:
            if not m[2]:
                decisions.append((m[5], m[6], person))
        if len({m[4] for m in members}) > 1 and any(not m[2] for m in members):
            shown = [_evidence(k) for k in members[0][7:] if k is not None]
            merges.append(
                Merge(
                    "person",
                    person,
                    sorted({m[3] for m in members}),
                    "same family name, compatible given names, and a shared "
                    + ", ".join(s.replace(":", " ", 1) for s in shown),
                )
            )
        if len(decisions) >= batch:
            count += len(decisions)
            db.executemany("INSERT INTO po VALUES (?, ?, ?)", decisions)
            decisions = []
    count += len(decisions)
    db.executemany("INSERT INTO po VALUES (?, ?, ?)", decisions)
    db.execute("CREATE INDEX po_at ON po (seq, n, person)")
    return count


def _evidence(key: str) -> str:
    """The evidence of a bucket key, as reports give it: ``org:...`` or ``coauthor:...``
    (and `` (names across scripts)`` for a bucket across scripts)."""
    code = key[key.index("\x01") + 2 :]
    shown = ("org:" if code[0] == "o" else "coauthor:") + code[1:]
    return shown + " (names across scripts)" if key.startswith("~") else shown


def buckets_across_scripts(db: sqlite3.Connection, org_ror: dict[str, str]) -> None:
    """Add to ``b`` the buckets across scripts: the authorships whose family names have
    one key across scripts (``a.skel``) with a Cyrillic one, by that key, the initial of
    their given names' key and their evidence, an organisation named without a ROR id
    counted as the one its name resolves to (``org_ror``: ``Томский политехнический
    университет`` is ``Tomsk Polytechnic University``). Only buckets with a Cyrillic
    member and another are added; their keys start with ``~``, after all others."""
    db.execute("CREATE TEMP TABLE od (code TEXT PRIMARY KEY, ror TEXT)")
    db.executemany("INSERT INTO od VALUES (?, ?)", (("o" + k, "o" + r) for k, r in org_ror.items()))
    db.create_function("kg_across", 1, _across, deterministic=True)
    db.execute(
        "CREATE TEMP TABLE x AS SELECT DISTINCT '~' || a.skel || char(1) || "
        "substr(a.sgiven, 1, 1) || COALESCE(od.ror, kg_across(e.code)) AS key, "
        "e.aid AS aid, a.cyr AS cyr "
        "FROM (SELECT substr(key, instr(key, char(1)) + 2) AS code, aid FROM b) AS e "
        "JOIN a ON a.id = e.aid LEFT JOIN od ON od.code = e.code "
        "WHERE a.sgiven != '' AND a.skel IN (SELECT skel FROM a WHERE cyr = 1)"
    )
    db.execute(
        "INSERT INTO b SELECT key, aid FROM x WHERE key IN "
        "(SELECT key FROM x GROUP BY key HAVING MAX(cyr) = 1 AND COUNT(*) > 1) ORDER BY key, aid"
    )
    db.execute("DROP TABLE x")
    db.execute("DROP TABLE od")


def _across(code: str) -> str:
    """An evidence code across scripts: a co-author by name (``cfamily/initial``) by the
    keys of the name across scripts; an organisation or an ORCID iD as it is."""
    if code[0] != "c" or "/" not in code:
        return code
    family, initial = code[1:].rsplit("/", 1)
    return f"c{match_key(family)}/{match_initial(initial)}"


class People:
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
        self.spelled: list[str] = []  # ids -> full given names (filled when needed)

    def find(self, x: int) -> int:
        return find_root(self.parent, x)

    def bucket(
        self,
        bucket: int,
        by_org: bool,
        rows: list[tuple[int, int, int, str, str, str, int]],
        across: bool = False,
    ) -> Iterator[tuple[str, list[str]]]:
        """Merge the bucket's members into its first one where the rules allow; yield
        (why, names) for each that they do not. A bucket ``across`` scripts compares the
        given names' keys across scripts, and merges its members into its first Cyrillic
        one only: two Latin names never meet there (they did, or did not, by their own
        spelling)."""
        full, orcid, names = self.full, self.orcid, self.names
        for _, idx, oid, given, _, _, _ in rows:
            if full[idx] == -2:
                first = given.split(" ", 1)[0]
                full[idx] = names.setdefault(first, len(names)) if len(first) > 1 else -1
                orcid[idx] = oid
        if across:
            rows = sorted(rows, key=lambda row: -row[6])  # the first Cyrillic one first
            if not rows[0][6]:
                return
        first_idx, first_name = rows[0][1], rows[0][4]
        a_given = tuple((rows[0][5] if across else rows[0][3]).split(" "))
        for row in rows[1:]:
            idx, name = row[1], row[4]
            ra, rb = self.find(first_idx), self.find(idx)
            if ra == rb:
                continue
            b_given = tuple((row[5] if across else row[3]).split(" "))
            fa, fb, oa, ob = full[ra], full[rb], orcid[ra], orcid[rb]
            why = None
            if oa >= 0 and ob >= 0 and oa != ob:
                why = "different ORCID iDs"
            elif not compatible(a_given, b_given) or self._two_full(fa, fb, across):
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

    def _two_full(self, fa: int, fb: int, across: bool) -> bool:
        """Whether two groups hold two different full given names (across scripts: two
        whose keys across scripts differ)."""
        if fa < 0 or fb < 0 or fa == fb:
            return False
        if not across:
            return True
        if len(self.spelled) < len(self.names):
            self.spelled = list(self.names)
        return match_words(self.spelled[fa]) != match_words(self.spelled[fb])

    def roots(self) -> tuple[array[int], array[int]]:
        """Each id's root, and each root's group size."""
        size = len(self.parent)
        roots = array("i", (self.find(i) for i in range(size)))
        sizes = array("i", [0]) * size
        for root in roots:
            sizes[root] += 1
        return roots, sizes


def _strong(given: tuple[str, ...]) -> bool:
    """Enough of a given name to go on with a shared organisation: a full name or two
    initials."""
    return len(given) >= 2 or (len(given) == 1 and len(given[0]) > 1)
