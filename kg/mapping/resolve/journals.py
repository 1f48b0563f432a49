"""Journals across records: one journal whenever they share an ISSN, or by title and publisher.

The ISSN groups stay in memory: they are bounded by the number of distinct
ISSNs, not of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.iris import IriMinter
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

    def add(self, j: JournalObservation) -> None:
        """Note a record's journal (the first part of its observation)."""
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
