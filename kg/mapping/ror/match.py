"""Matching an affiliation string to one ROR organisation, with its evidence.

The string is split into parts (commas, semicolons, brackets, slashes, line breaks,
runs of spaces); each part is normalised (:func:`org_key`). Candidates are, by
strength: a part that is exactly a ROR name, alias or label (in any language; score
1.0); a part that is exactly a ROR acronym, case-sensitive (0.9); the longest ROR names
of two words or more found as whole words inside a part (0.5 to 0.9, by how much of the
part they cover). A country named in the string (a part, or a part's last words after
any matched name: by name or ISO code, not a two-letter code that is also a US, Canadian
or Australian state's) must be the candidate's; withdrawn records give their successor;
of a child and its parent, the child is kept. A name that several organisations share
after these checks is ambiguous: it is not matched and its candidates are reported. The
string matches the best unambiguous candidate (then the leftmost); other organisations
it names are kept in :attr:`Match.others`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from kg.mapping.resolve.names import org_key
from kg.mapping.ror.index import RorIndex, loose_key
from kg.mapping.ror.places import COUNTRY_ALIASES, NOT_COUNTRY_CODES

_SPLIT = re.compile(r"[,;()\[\]{}\n\r\t/|]+|\s[-–—]\s|\s{2,}")
_LEADING_NUMBER = re.compile(r"^\d+(?=[a-z])")
_MAX_COUNTRY_WORDS = 4
_PART_CACHE = 200_000  # parts whose analysis is kept


class _Part(NamedTuple):
    key: str
    bare: str  # without the words holding digits (postcodes, street numbers)
    loose_bare: str
    acronym: tuple[str, ...]  # ids whose acronym the part is, exactly
    exact: tuple[str, tuple[str, ...]] | None  # the ROR name key the part is, its ids
    contained: tuple[tuple[str, float], ...]  # ROR name keys inside it, their scores
    countries: frozenset[str]


@dataclass(frozen=True)
class Candidate:
    """One organisation a part of the string may name."""

    ror: str
    name: str  # the organisation's ROR name
    part: str  # the part of the string, as given
    matched: str  # the ROR name, alias, label or acronym found in it
    via: str  # "name", "acronym" or "contained name"
    score: float
    position: int  # the part's place in the string


@dataclass(frozen=True)
class Match:
    """An affiliation string matched to a ROR organisation."""

    ror: str
    part: str
    name: str
    score: float
    why: str
    others: tuple[str, ...] = ()  # other organisations the string names
    # the parts before the matched one (a department: ``Department of Physics``), when
    # none of them names a ROR organisation or a country
    unit: str = ""


@dataclass(frozen=True)
class Decision:
    """What the matcher decided for one string: a match, or none with the reason and,
    for an ambiguous string, its candidates (a near-miss)."""

    text: str
    match: Match | None
    reason: str = ""
    candidates: tuple[Candidate, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.match is None and bool(self.candidates)


@dataclass
class Matcher:
    """Matches affiliation strings against an opened :class:`RorIndex`."""

    index: RorIndex
    countries: dict[str, str] = field(default_factory=dict)
    codes: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()  # the first words of every name key
    _parts: dict[str, _Part] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        prefixes = set()
        for key in self.index.by_key:
            words = key.split()
            for stop in range(2, len(words) + 1):
                prefixes.add(" ".join(words[:stop]))
        self.prefixes = frozenset(prefixes)
        self.countries = {**self.index.countries, **COUNTRY_ALIASES}
        self.codes = frozenset(self.countries.values()) - NOT_COUNTRY_CODES
        self.decide = lru_cache(maxsize=65536)(self._decide)  # type: ignore[method-assign]

    def match(self, text: str, country: str | None = None) -> Match | None:
        return self.decide(text, country).match

    def decide(self, text: str, country: str | None = None) -> Decision:  # replaced above
        return self._decide(text, country)

    def _decide(self, text: str, country: str | None = None) -> Decision:
        parts = [p.strip(" .-:'\"“”«»‘’") for p in _SPLIT.split(html.unescape(text))]
        parts = [p for p in parts if p]
        infos = [self.part(p) for p in parts]
        found: list[list[Candidate]] = []
        named: set[str] = set()
        for position, (part, info) in enumerate(zip(parts, infos, strict=True)):
            if info.acronym:
                found.append(self._candidates(info.acronym, part, part, "acronym", 0.9, position))
            exact = info.exact
            if exact is None and position + 1 < len(parts):
                exact = self._joined(info, infos[position + 1])
            if exact is not None:
                found.append(self._candidates(exact[1], part, exact[0], "name", 1.0, position))
            else:
                for name, score in info.contained:
                    ids = self.index.by_key[name]
                    found.append(
                        self._candidates(ids, part, name, "contained name", score, position)
                    )
            named.update(info.countries)
        if not named and country:
            named.add(country.upper())
        return self._choose(text, found, named, parts, infos)

    def part(self, part: str) -> _Part:
        """What one part of a string names (cached: parts recur across strings)."""
        info = self._parts.get(part)
        if info is None:
            if len(self._parts) >= _PART_CACHE:
                self._parts.clear()
            info = self._parts[part] = self._analyse(part)
        return info

    def _analyse(self, part: str) -> _Part:
        by_key = self.index.by_key
        key = _LEADING_NUMBER.sub("", org_key(part))
        loose = loose_key(key)
        bare = " ".join(w for w in key.split() if not any(c.isdigit() for c in w))
        loose_bare = loose_key(bare)
        words = loose.split()
        exact = None
        for k in (key, loose, bare, loose_bare):
            ids = by_key.get(k)
            if k and ids:
                exact = (k, ids)
                break
        contained: list[tuple[str, float]] = []
        end_of_names = len(words) if exact else 0
        if exact is None and len(words) > 2:
            for start, stop in self._contained(words):
                contained.append(
                    (" ".join(words[start:stop]), 0.5 + 0.4 * (stop - start) / len(words))
                )
                end_of_names = max(end_of_names, stop)
        return _Part(
            key,
            bare,
            loose_bare,
            self.index.by_acronym.get(part, ()),
            exact,
            tuple(contained),
            frozenset(self._countries(part, key, words, end_of_names)),
        )

    def _joined(self, info: _Part, following: _Part) -> tuple[str, tuple[str, ...]] | None:
        """A ROR name with a comma in it, ``China University of Petroleum, Beijing``."""
        by_key = self.index.by_key
        for k in (
            f"{info.key} {following.key}",
            f"{info.bare} {following.bare}",
            f"{info.loose_bare} {following.loose_bare}",
        ):
            ids = by_key.get(k)
            if ids:
                return k, ids
        return None

    def _contained(self, words: list[str]) -> list[tuple[int, int]]:
        """The spans of the longest ROR names (two words or more) inside ``words``: from
        each word, the name grows while it is the start of some ROR name."""
        spans = []
        n = len(words)
        by_key = self.index.by_key
        prefixes = self.prefixes
        for start in range(n - 1):
            name = words[start]
            longest = 0
            for stop in range(start + 1, n):
                name = f"{name} {words[stop]}"
                if name not in prefixes:
                    break
                if name in by_key:
                    longest = stop + 1
            if longest:
                spans.append((start, longest))
        spans.sort(key=lambda s: s[0] - s[1])
        kept: list[tuple[int, int]] = []
        for s in spans:
            if not any(k[0] <= s[0] and s[1] <= k[1] for k in kept):
                kept.append(s)
        return kept

    def _countries(self, part: str, key: str, words: list[str], after: int) -> set[str]:
        code = self.countries.get(key)
        if code:
            return {code}
        if part in self.codes or (part.isupper() and part.replace(".", "") in self.codes):
            return {part.replace(".", "")}
        for size in range(min(_MAX_COUNTRY_WORDS, len(words) - after), 0, -1):
            code = self.countries.get(" ".join(words[-size:]))
            if code:
                return {code}
        return set()

    def _candidates(
        self, ids: tuple[str, ...], part: str, matched: str, via: str, score: float, position: int
    ) -> list[Candidate]:
        out = []
        for ror in ids:
            org = self.index.organisations.get(ror)
            hops = 0
            while org is not None and org.status == "withdrawn" and hops < 3:
                org = self.index.organisations.get(org.successor or "")
                hops += 1
            if org is None or org.status == "withdrawn":
                continue
            out.append(Candidate(org.id, org.name, part, matched, via, score, position))
        return out

    def _choose(
        self,
        text: str,
        found: list[list[Candidate]],
        named: set[str],
        parts: list[str] | None = None,
        infos: list[_Part] | None = None,
    ) -> Decision:
        resolved: list[Candidate] = []
        ambiguous: list[Candidate] = []
        elsewhere: list[Candidate] = []
        for cands in found:
            here = [c for c in cands if self._country_ok(c.ror, named)]
            elsewhere += [c for c in cands if c not in here]
            if len({c.ror for c in here}) > 1:
                active = [c for c in here if self.index.organisations[c.ror].status == "active"]
                here = self._most_specific(active or here)
            if len({c.ror for c in here}) == 1:
                resolved.append(here[0])
            elif here:
                ambiguous += here
        resolved = self._most_specific(resolved)
        if resolved:
            best = max(resolved, key=lambda c: (c.score, -c.position))
            others = tuple(dict.fromkeys(c.ror for c in resolved if c.ror != best.ror))
            why = f"{best.via} {best.matched!r} in {best.part!r}"
            if named:
                why += f"; country {', '.join(sorted(named))} agrees"
            unit = _unit(best.position, found, parts or [], infos or [])
            match = Match(best.ror, best.part, best.name, best.score, why, others, unit)
            return Decision(text, match)
        if ambiguous:
            names = ", ".join(sorted({f"{c.ror} ({c.name})" for c in ambiguous}))
            return Decision(text, None, f"ambiguous: {names}", tuple(ambiguous))
        if elsewhere:
            names = ", ".join(sorted({f"{c.ror} ({c.name})" for c in elsewhere}))
            return Decision(
                text,
                None,
                f"the country named ({', '.join(sorted(named))}) is not {names}'s",
                tuple(elsewhere),
            )
        return Decision(text, None, "no ROR name found")

    def _country_ok(self, ror: str, named: set[str]) -> bool:
        country = self.index.organisations[ror].country
        return not named or country is None or country in named

    def _most_specific(self, cands: list[Candidate]) -> list[Candidate]:
        """Without the organisations that are a parent of another candidate."""
        rors = {c.ror for c in cands}
        parents: set[str] = set()
        for ror in rors:
            parents |= self.index.parents.get(ror, frozenset()) & rors
        return [c for c in cands if c.ror not in parents]


def _unit(position: int, found: list[list[Candidate]], parts: list[str], infos: list[_Part]) -> str:
    """The parts before ``position`` joined (a department), or "" when one of them names
    a ROR organisation or a country, or none holds three letters."""
    if any(c.position < position for cands in found for c in cands):
        return ""
    before = parts[:position]
    if any(info.countries for info in infos[:position]):
        return ""
    before = [p for p in before if sum(ch.isalpha() for ch in p) >= 3]
    return ", ".join(before)


def match(index: RorIndex, text: str, country: str | None = None) -> Match | None:
    """``text`` matched to one ROR organisation of ``index``, or None (see the module)."""
    return _matcher(index).match(text, country)


_LAST: list[Matcher] = []  # the matcher of the index last given to match()


def _matcher(index: RorIndex) -> Matcher:
    if not _LAST or _LAST[0].index is not index:
        _LAST[:] = [Matcher(index)]
    return _LAST[0]
