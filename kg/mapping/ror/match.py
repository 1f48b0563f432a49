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

from kg.mapping.resolve.names import org_key
from kg.mapping.ror.index import RorIndex, loose_key
from kg.mapping.ror.places import COUNTRY_ALIASES, NOT_COUNTRY_CODES

_SPLIT = re.compile(r"[,;()\[\]{}\n\r\t/|]+|\s[-–—]\s|\s{2,}")
_LEADING_NUMBER = re.compile(r"^\d+(?=[a-z])")
_MAX_COUNTRY_WORDS = 4


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

    def __post_init__(self) -> None:
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
        found: list[tuple[list[Candidate], tuple[int, int], int]] = []
        named: set[str] = set()
        for position, part in enumerate(parts):
            key = _LEADING_NUMBER.sub("", org_key(part))
            words = loose_key(key).split()
            end_of_names = 0
            ids = self.index.by_acronym.get(part)
            if ids:
                found.append(
                    (self._candidates(ids, part, part, "acronym", 0.9, position), (0, 0), 0)
                )
            exact, ids = self._exact(key, parts, position)
            if ids:
                found.append((self._candidates(ids, part, exact, "name", 1.0, position), (0, 0), 0))
                end_of_names = len(words)
            elif len(words) > 2:
                for start, stop in self._contained(words):
                    name = " ".join(words[start:stop])
                    score = 0.5 + 0.4 * (stop - start) / len(words)
                    cands = self._candidates(
                        self.index.by_key[name], part, name, "contained name", score, position
                    )
                    found.append((cands, (start, stop), stop))
                    end_of_names = max(end_of_names, stop)
            named.update(self._countries(part, key, words, end_of_names))
        if not named and country:
            named.add(country.upper())
        return self._choose(text, found, named)

    def _exact(self, key: str, parts: list[str], position: int) -> tuple[str, tuple[str, ...]]:
        """The ROR name a part is (without its numbers, or with the next part: a name
        with a comma in it, ``China University of Petroleum, Beijing``)."""
        by_key = self.index.by_key
        bare = " ".join(w for w in key.split() if not any(c.isdigit() for c in w))
        tries = [key, loose_key(key), bare, loose_key(bare)]
        if position + 1 < len(parts):
            following = org_key(parts[position + 1])
            joined = " ".join(w for w in following.split() if not any(c.isdigit() for c in w))
            tries += [f"{key} {following}", f"{bare} {joined}", loose_key(f"{bare} {joined}")]
        for k in tries:
            ids = by_key.get(k)
            if k and ids:
                return k, ids
        return key, ()

    def _contained(self, words: list[str]) -> list[tuple[int, int]]:
        """The spans of the longest ROR names (two words or more) inside ``words``."""
        spans = []
        n = len(words)
        by_key = self.index.by_key
        for start in range(n - 1):
            for stop in range(min(n, start + self.index.longest), start + 1, -1):
                if " ".join(words[start:stop]) in by_key:
                    spans.append((start, stop))
                    break
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
        found: list[tuple[list[Candidate], tuple[int, int], int]],
        named: set[str],
    ) -> Decision:
        resolved: list[Candidate] = []
        ambiguous: list[Candidate] = []
        elsewhere: list[Candidate] = []
        for cands, _, _ in found:
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
            return Decision(text, Match(best.ror, best.part, best.name, best.score, why, others))
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


def match(index: RorIndex, text: str, country: str | None = None) -> Match | None:
    """``text`` matched to one ROR organisation of ``index``, or None (see the module)."""
    return _matcher(index).match(text, country)


_MATCHERS: dict[int, Matcher] = {}


def _matcher(index: RorIndex) -> Matcher:
    matcher = _MATCHERS.get(id(index))
    if matcher is None or matcher.index is not index:
        matcher = _MATCHERS[id(index)] = Matcher(index)
    return matcher
