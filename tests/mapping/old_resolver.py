"""The entity resolver as it was before evidence moved to disk (kg/resolve.py at c949264).

This is the reference implementation kept for the equivalence test in
tests/mapping/test_resolve.py: the new resolver must take exactly the decisions this
one takes. Do not change it (beyond what ruff needs, and no private name imported from
kg); it is not used by kg itself.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError
from kg.ids import normalize_ror
from kg.iris import IriMinter, name_key
from kg.mapping.resolve import has_cyrillic, match_initial, match_key, match_words
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


@dataclass(slots=True)
class _Authorship:
    family: str
    given: tuple[str, ...]
    orcid: str | None
    name: str
    work: str  # a stable key of the work: its DOI, else title and year


class Resolver:
    """Decides which records' journals, organisations and people are the same."""

    def __init__(self, minter: IriMinter, variants: dict[str, str] | None = None) -> None:
        self.m = minter
        self.variants = variants or {}
        self.merges: list[Merge] = []
        self.near_misses: list[Merge] = []
        self._seq = 0
        self._issns = _UnionFind()
        self._journal_info: dict[str, _JournalGroup] = {}
        self._journal_of: dict[str, str] = {}  # ISSN -> canonical ISSN
        self._ror_names: dict[str, set[str]] = defaultdict(set)  # org key -> ROR ids
        # org key -> the names, as given, of organisations given without a ROR id
        self._org_names: dict[str, set[str]] = defaultdict(set)
        self._org_ror: dict[str, str] = {}  # org key -> ROR id it resolves to
        self._authors: dict[tuple[int, int], _Authorship] = {}
        self._buckets: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
        self._person_of: dict[tuple[int, int], str] = {}
        self._across: dict[tuple[int, int], tuple[str, tuple[str, ...], bool]] = {}
        self._evidence: dict[tuple[int, int], set[str]] = {}

    # --- the first pass -------------------------------------------------------------

    def observe(self, rec: Record) -> None:
        """Note what identifies the record's journal, organisations and authors."""
        self._seq += 1
        if rec.journal is not None:
            self._observe_journal(rec.journal)
        for org in _orgs(rec):
            for name, _ in org.names:
                key = org_key(name)
                if key and org.ror:
                    self._ror_names[key].add(org.ror)
                elif key:
                    self._org_names[key].add(name)  # to resolve: no ROR id
        work = rec.doi or f"{name_key(rec.titles[0][0]) if rec.titles else ''}/{rec.year or ''}"
        people: list[tuple[int, Author, str, tuple[str, ...]]] = []
        for n, author in enumerate(rec.authors, start=1):
            family = family_key(author.family or _family_of(author.name))
            given = given_parts(author.given) or given_parts(_given_of(author))
            people.append((n, author, family, given))
        for n, author, family, given in people:
            if not family or not given:
                continue
            ident = (self._seq, n)
            self._authors[ident] = _Authorship(family, given, author.orcid, author.name, work)
            # issue 16: the name's keys across scripts (see _finish_across)
            family_name = author.family or _family_of(author.name)
            given_name = author.given if given_parts(author.given) else _given_of(author)
            sgiven = match_words(given_name)
            if sgiven and sgiven[0]:
                self._across[ident] = (match_key(family_name), sgiven, has_cyrillic(family_name))
            evidence = {f"org:{self._org_evidence(o)}" for o in author.affiliations}
            if len(people) <= MAX_COAUTHOR_EVIDENCE:
                for m, other, ofam, ogiven in people:
                    if m != n and ofam:
                        who = other.orcid or f"{ofam}/{ogiven[0] if ogiven else ''}"
                        evidence.add(f"coauthor:{who}")
            for e in evidence:
                self._buckets[(family, given[0][0], e)].append(ident)
            self._evidence[ident] = evidence

    def _observe_journal(self, j: Journal) -> None:
        issns = j.issns()
        if not issns:
            return
        root = issns[0]
        for issn in issns[1:]:
            root = self._issns.union(root, issn)
        self._issns.find(root)
        info = self._journal_info.setdefault(issns[0], _JournalGroup())
        if j.issn_print:
            info.print.add(j.issn_print)
        if j.issn_online:
            info.online.add(j.issn_online)
        if j.issn_l:
            info.linking.add(j.issn_l)
        info.unknown.update(j.issns_unknown)
        for title, _ in j.titles:
            info.titles.add(org_key(title))
            info.shown.add(title)
        if j.publisher is not None and j.publisher.names:
            info.publishers.add(org_key(j.publisher.names[0][0]))

    def _org_evidence(self, org: Organization) -> str:
        if org.ror:
            return org.ror
        return org_key(org.names[0][0]) if org.names else ""

    # --- deciding ---------------------------------------------------------------------

    def finish(self) -> None:
        """Decide, once every record has been observed; then the second pass can map."""
        self._finish_journals()
        self._finish_orgs()
        self._finish_people()
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

    def _finish_orgs(self) -> None:
        for key, names in sorted(self._org_names.items()):
            rors = self._ror_names.get(key, set())
            ror = self.variants.get(key)
            if ror is not None:
                evidence = "the name-variants table"
            elif len(rors) == 1:
                ror = next(iter(rors))
                evidence = "the same name as an organisation with this ROR id in another record"
            elif len(rors) > 1:
                self.near_misses.append(
                    Merge(
                        "organisation",
                        "",
                        sorted(names),
                        f"the name is given to organisations with different ROR ids "
                        f"({', '.join(sorted(rors))}): a record without a ROR id is kept apart",
                    )
                )
                continue
            else:
                if len(names) > 1:
                    self.merges.append(
                        Merge(
                            "organisation",
                            self.m.org_key("name", key),
                            sorted(names),
                            f"the same normalised name ({key!r})",
                        )
                    )
                continue
            self._org_ror[key] = ror
            self.merges.append(
                Merge(
                    "organisation",
                    self.m.org_ror(ror),
                    sorted(names),
                    f"given without a ROR id; {evidence}",
                )
            )

    def _finish_people(self) -> None:
        uf = _UnionFind()
        full: dict[str, set[str]] = {}  # root -> full given names
        orcids: dict[str, set[str]] = {}
        reasons: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        tag = {ident: f"{ident[0]}.{ident[1]}" for ident in self._authors}
        shared = sorted((k, v) for k, v in self._buckets.items() if len(v) > 1)
        self._buckets.clear()
        for key, members in [*shared, *self._shared_across()]:
            across = key[0].startswith("~")
            if across:
                members = sorted(members, key=lambda i: not self._across[i][2])
                if not self._across[members[0]][2]:
                    continue
            works = {self._authors[i].work for i in members}
            if len(works) > MAX_NAMESAKES:
                # a common name at a large institution (or around a prolific
                # co-author): the shared organisation says too little
                self.near_misses.append(
                    Merge(
                        "person",
                        "",
                        sorted({self._authors[i].name for i in members})[:10],
                        f"{len(works)} works by this family name and initial with "
                        f"{_shown(key).replace(':', ' ', 1)}: too common to tell people apart, "
                        "kept apart",
                    )
                )
                continue
            first = members[0]
            for other in members[1:]:
                a, b = self._authors[first], self._authors[other]
                ra, rb = uf.find(tag[first]), uf.find(tag[other])
                if ra == rb:
                    continue
                fa = full.setdefault(ra, _full_names(a))
                fb = full.setdefault(rb, _full_names(b))
                if across:  # given names by their keys across scripts
                    a = dataclasses.replace(a, given=self._across[first][1])
                    b = dataclasses.replace(b, given=self._across[other][1])
                    fa, fb = {match_words(x) for x in fa}, {match_words(x) for x in fb}
                oa = orcids.setdefault(ra, {a.orcid} if a.orcid else set())
                ob = orcids.setdefault(rb, {b.orcid} if b.orcid else set())
                why = None
                if oa and ob and oa != ob:
                    why = "different ORCID iDs"
                elif not compatible(a.given, b.given) or _clash(fa, fb):
                    why = "given names that do not match"
                elif key[2].startswith("org:") and not (_strong(a.given) and _strong(b.given)):
                    # "Wang Y." at one university: a co-author is needed
                    why = "a single initial, which a shared organisation cannot confirm"
                if why is not None:
                    if len(self.near_misses) < 10_000:
                        self.near_misses.append(
                            Merge(
                                "person",
                                "",
                                sorted({a.name, b.name}),
                                f"same family name and {_shown(key)}, but {why}: kept apart",
                            )
                        )
                    continue
                root = uf.union(ra, rb)
                gone = rb if root == ra else ra
                full[root] = full[ra] | full[rb]
                orcids[root] = oa | ob
                reasons[root] |= reasons.pop(gone, set()) | {key}
        clusters: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for ident in self._authors:
            if tag[ident] in uf.parent:
                clusters[uf.find(tag[ident])].append(ident)
        for root, members in sorted(clusters.items()):
            if len(members) < 2:
                continue
            people = [self._authors[i] for i in members]
            found = sorted({p.orcid for p in people if p.orcid})
            if found:
                person = self.m.person_orcid(found[0])
            else:
                person = self.m.person_key("author", people[0].family, min(p.work for p in people))
            for ident in members:
                if not self._authors[ident].orcid:
                    self._person_of[ident] = person
            if len({p.work for p in people}) > 1 and any(not p.orcid for p in people):
                shown = [_shown(k) for k in sorted(reasons[root])[:3]]
                self.merges.append(
                    Merge(
                        "person",
                        person,
                        sorted({p.name for p in people}),
                        "same family name, compatible given names, and a shared "
                        + ", ".join(s.replace(":", " ", 1) for s in shown),
                    )
                )
        self._authors.clear()
        self._buckets.clear()

    def _shared_across(self) -> list[tuple[tuple[str, str, str], list[tuple[int, int]]]]:
        """Issue 16: the buckets across scripts, after all others ("~" + the family name's
        key across scripts, its initial, the evidence with organisations by the ROR id
        their names resolve to and co-authors by their names' keys across scripts), with
        a Cyrillic member and another."""
        cyrillic = {skel for skel, _, cyr in self._across.values() if cyr}
        buckets: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
        for ident, (skel, sgiven, _) in self._across.items():
            if skel not in cyrillic:
                continue
            for e in self._evidence[ident]:
                kind, _, value = e.partition(":")
                if kind == "org" and value in self._org_ror:
                    value = self._org_ror[value]
                elif kind == "coauthor" and "/" in value:
                    fam, initial = value.rsplit("/", 1)
                    value = f"{match_key(fam)}/{match_initial(initial)}"
                key = ("~" + skel, sgiven[0][0], f"{kind}:{value}")
                if ident not in buckets[key]:
                    buckets[key].append(ident)
        return sorted(
            (k, v) for k, v in buckets.items() if len(v) > 1 and any(self._across[i][2] for i in v)
        )

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
        return self._person_of.get((self._seq, n))


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


def _shown(key: tuple[str, str, str]) -> str:
    return key[2] + " (names across scripts)" if key[0].startswith("~") else key[2]


def _full_names(a: _Authorship) -> set[str]:
    return {a.given[0]} if a.given and len(a.given[0]) > 1 else set()


def _strong(given: tuple[str, ...]) -> bool:
    """Enough of a given name to go on with a shared organisation: a full name or two
    initials."""
    return len(given) >= 2 or (len(given) == 1 and len(given[0]) > 1)


def _clash(a: set[str], b: set[str]) -> bool:
    return bool(a and b and not (a & b))


_FIELDS = ("print", "online", "linking", "unknown", "titles", "publishers", "shown")


def _all(g: _JournalGroup) -> set[str]:
    return g.print | g.online | g.linking | g.unknown


def _canonical(g: _JournalGroup) -> str:
    for kind in (g.linking, g.print, g.online, g.unknown):
        if kind:
            return min(kind)
    raise ValueError("a journal group without an ISSN")


def resolve_sources(
    records: Iterable[Record], minter: IriMinter, variants: dict[str, str]
) -> Resolver:
    """The first pass over every record, and the decisions."""
    resolver = Resolver(minter, variants)
    for rec in records:
        resolver.observe(rec)
    resolver.finish()
    return resolver


def default_tables() -> Sequence[Path]:
    """kg's own name-variants table (``data/organisations.tsv``, shipped in the wheel)."""
    import kg

    package = Path(kg.__file__).resolve().parent  # kg/resources.py's (private) _PACKAGE
    for candidate in (
        package / "_resources" / "organisations.tsv",
        package.parent / "data" / "organisations.tsv",
    ):
        if candidate.is_file():
            return [candidate]
    return []
