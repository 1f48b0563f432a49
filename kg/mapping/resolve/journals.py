"""Journals across records: one journal whenever they share an ISSN, or by title and publisher.

The ISSN groups stay in memory: they are bounded by the number of distinct
ISSNs, not of records.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from kg.iris import IriMinter, name_key
from kg.mapping.resolve.merges import Merge, MergeLog
from kg.mapping.resolve.observe import JournalObservation
from kg.mapping.resolve.unionfind import UnionFind


@dataclass(slots=True)
class _JournalGroup:
    print: set[str] = field(default_factory=set)
    online: set[str] = field(default_factory=set)
    linking: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    publishers: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)


_FIELDS = ("print", "online", "linking", "unknown", "titles", "publishers", "shown")


def _all(g: _JournalGroup) -> set[str]:
    return g.print | g.online | g.linking | g.unknown


def _canonical(g: _JournalGroup) -> str:
    for kind in (g.linking, g.print, g.online, g.unknown):
        if kind:
            return min(kind)
    raise ValueError("a journal group without an ISSN")


class Journals:
    """The journals the first pass saw, grouped by ISSN; :meth:`decide` names each group."""

    def __init__(self) -> None:
        self._issns = UnionFind()
        self._journal_info: dict[str, _JournalGroup] = {}
        # journals known only by name: normalised title -> publishers, titles as given
        self.names: dict[str, _JournalGroup] = {}
        # after decide(): each journal (canonical ISSN) -> its normalised titles, publishers
        self.decided: dict[str, _JournalGroup] = {}

    def add(self, j: JournalObservation) -> None:
        """Note a record's journal (the first part of its observation)."""
        issns, issn_print, issn_online, issn_l, unknown, titles, publisher = j
        if not issns:  # known only by name: named by its first title
            if not titles or not titles[0][0]:
                return
            info = self.names.setdefault(titles[0][0], _JournalGroup())
            info.shown.add(titles[0][1])
            if publisher is not None:
                info.publishers.add(publisher)
            return
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

    def decide(self, minter: IriMinter, merges: MergeLog, near_misses: MergeLog) -> dict[str, str]:
        """Every ISSN -> the ISSN that names its journal; the merges and near-misses logged."""
        journal_of: dict[str, str] = {}

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
                    near_misses.append(
                        Merge(
                            "journal",
                            minter.journal_issn(_canonical(a)),
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
            self.decided[canon] = g
            for issn in _all(g):
                journal_of[issn] = canon
            if len(firsts) > 1:
                evidence = (
                    "the same title and publisher, and where they share no ISSN"
                    if root in titled
                    else "records that share an ISSN"
                )
                merges.append(
                    Merge(
                        "journal",
                        minter.journal_issn(canon),
                        sorted(_all(g)),
                        f"{evidence}: {'; '.join(sorted(g.shown)[:3]) or '(no title)'}",
                    )
                )
        return journal_of


def decide_names(
    db: sqlite3.Connection,
    journals: Journals,
    journal_of: dict[str, str],
    minter: IriMinter,
    merges: MergeLog,
    near_misses: MergeLog,
) -> dict[str, str]:
    """Journals known only by name -> the journal with ISSNs each is (normalised title ->
    canonical ISSN), on evidence, strongest first:

    1. they share an article (a record of each gives the same DOI): one such journal;
    2. a notice links their articles (a retraction notice in one, the work it retracts
       in the other: a notice is published in the journal of what it retracts) and they
       have the same normalised title;
    3. the same normalised title and the same publisher, and one such journal.

    The same title alone, or evidence that points to two journals, is a near-miss: kept
    apart and reported. The first pass wrote, for each record with a journal and a DOI,
    ``jd`` rows (DOI, whether it is the record's own, the journal's first ISSN or its
    normalised title).
    """
    if not journals.names:
        return {}
    db.execute("CREATE INDEX jd_doi ON jd (doi)")
    shared: dict[str, dict[str, bool]] = defaultdict(dict)  # title -> canon -> own article
    rows = db.execute(
        "SELECT n.title, i.issn, MAX(n.own AND i.own), COUNT(*) FROM jd AS n "
        "JOIN jd AS i ON i.doi = n.doi AND i.issn IS NOT NULL WHERE n.title IS NOT NULL "
        "GROUP BY n.title, i.issn"
    )
    for title, issn, own, _ in rows:
        canon = journal_of.get(issn)
        if canon is not None:
            shared[title][canon] = shared[title].get(canon, False) or bool(own)
    by_title: dict[str, list[str]] = defaultdict(list)
    for canon, g in journals.decided.items():
        for key in g.titles:
            by_title[key].append(canon)
    title_of: dict[str, str] = {}
    for title, info in sorted(journals.names.items()):
        shown = "; ".join(sorted(info.shown)[:2])
        named = minter.journal_key("title", name_key(min(info.shown)))  # its IRI on its own
        links = shared.get(title, {})
        articles = sorted(c for c, own in links.items() if own)
        noticed = sorted(c for c in links if title in journals.decided[c].titles)
        same_name = sorted(by_title.get(title, []))
        published = sorted(c for c in same_name if info.publishers & journals.decided[c].publishers)
        for found, evidence in (
            (articles, "records of both give the same article (DOI)"),
            (
                noticed,
                "the same title, and a notice in one retracts or corrects a work in the other",
            ),
            (published, "the same title and publisher"),
        ):
            if len(found) == 1:
                title_of[title] = found[0]
                merges.append(
                    Merge(
                        "journal",
                        minter.journal_issn(found[0]),
                        [*sorted(info.shown), found[0]],
                        f"a journal known only by name joins one with ISSNs, {evidence}: {shown}",
                    )
                )
                break
            if len(found) > 1:
                near_misses.append(
                    Merge(
                        "journal",
                        named,
                        found,
                        f"a journal known only by name, {evidence}, but with more than one "
                        f"journal: {shown} kept apart",
                    )
                )
                break
        else:
            if same_name:
                near_misses.append(
                    Merge(
                        "journal",
                        named,
                        same_name,
                        "a journal known only by name, the same title only (no shared "
                        f"article, no publisher to confirm): {shown} kept apart",
                    )
                )
    return title_of
