"""The matcher measured on an answer key: affiliation strings with their correct ROR ids
(ROR's own test data: CSV ``affiliation,ror_id,...``; an empty ``ror_id`` means nothing
should match; several rows for one string, several correct ids)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.mapping.ror.match import Matcher


@dataclass(slots=True)
class Score:
    """A match is right when its id is one of the string's correct ids."""

    right: int = 0
    wrong: int = 0
    missed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / max(1, self.right + self.wrong)

    @property
    def recall(self) -> float:
        return self.right / max(1, self.right + self.missed)

    def summary(self) -> str:
        head = f"precision {self.precision:.3f}, recall {self.recall:.3f}"
        return "\n".join([head, *self.failures])


def read_answer_key(path: Path) -> dict[str, set[str]]:
    """Each affiliation string -> its correct ROR ids (empty: nothing should match)."""
    key: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ids = key.setdefault(row["affiliation"], set())
            if row["ror_id"]:
                ids.add(row["ror_id"].rsplit("/", 1)[-1])
    return key


def score(matcher: Matcher, key: dict[str, set[str]]) -> Score:
    """How the matcher decides the strings of ``key``, with each failure and its reason."""
    s = Score()
    for text, ids in key.items():
        decision = matcher.decide(text)
        got = decision.match.ror if decision.match else None
        if got is not None and got in ids:
            s.right += 1
        elif got is not None:
            s.wrong += 1
            why = decision.match.why if decision.match else ""
            s.failures.append(f"wrong {got} for {text!r} ({why})")
        if ids and got not in ids:
            s.missed += 1
            s.failures.append(f"missed {sorted(ids)} for {text!r} ({decision.reason})")
    return s
