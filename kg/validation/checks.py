"""The checks of kg/validation/compiled.py: one function a SHACL core constraint, called with
a focus node and its value nodes, and the index of a batch's triples they read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import RDF, RDFS, URIRef
from rdflib.term import Node

from kg.validation.terms import datatype_ok, literal, rdflib_term, text

RDF_TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"

# a result: the constraint, its focus node and its value (or None)
Row = tuple["Constraint", Any, Any]
Emit = Callable[[Row], None]
Check = Callable[[Any, list[Any], "Index", Emit], None]


@dataclass(eq=False)
class Constraint:
    """One constraint of one shape: what its results say besides their nodes."""

    shape: Node  # the shape that holds it (sh:sourceShape)
    path: Node | None  # the shape's sh:path (sh:resultPath)
    component: URIRef  # sh:sourceConstraintComponent
    severity: str  # Violation, Warning, Info (or the IRI's last part)
    message: str  # the first of the shape's messages, or pySHACL's own


class Member(Protocol):
    """A shape inside sh:or or sh:not."""

    def conforms(self, node: Any, data: Index) -> bool: ...


class Index:
    """The triples a compiled shapes graph reads, by subject and (for inverse paths and
    ``sh:targetObjectsOf``) by object; the data's rdf:type and rdfs:subClassOf. Terms are
    strings in N-Triples form (kg/validation/terms.py), each triple given once."""

    def __init__(
        self, triples: Iterable[tuple[str, str, str]], out: frozenset[str], inc: frozenset[str]
    ) -> None:
        self.out: dict[Any, dict[Any, list[Any]]] = {}
        self.inc: dict[Any, dict[Any, list[Any]]] = {}
        self.instances: dict[Any, list[Any]] = {}
        self.subclasses: dict[Any, list[Any]] = {}
        self._supers: dict[Any, frozenset[Any]] = {}
        o_, i_ = self.out, self.inc
        for s, p, o in triples:
            if p in out:
                d = o_.get(s)
                if d is None:
                    o_[s] = {p: [o]}
                else:
                    v = d.get(p)
                    if v is None:
                        d[p] = [o]
                    else:
                        v.append(o)
                if p == RDF_TYPE:
                    self.instances.setdefault(o, []).append(s)
                elif p == SUBCLASS:
                    self.subclasses.setdefault(o, []).append(s)
            if p in inc:
                i_.setdefault(o, {}).setdefault(p, []).append(s)

    def of_class(self, cls: Any) -> set[Any]:
        """The instances of ``cls`` and of its subclasses (rdf:type/rdfs:subClassOf*)."""
        found = set(self.instances.get(cls, ()))
        seen = {cls}
        todo = [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
                    found.update(self.instances.get(sub, ()))
        return found

    def supers(self, cls: Any) -> frozenset[Any]:
        """``cls`` and its superclasses in the data."""
        found = self._supers.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for sup in self.out.get(todo.pop(), {}).get(SUBCLASS, ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            found = self._supers[cls] = frozenset(seen)
        return found


def min_count(c: Constraint, n: int) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        if len(values) < n:
            emit((c, f, None))

    return check


def max_count(c: Constraint, n: int) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        if len(values) > n:
            emit((c, f, None))

    return check


def datatype_check(c: Constraint, rule: URIRef) -> Check:
    text = str(rule)

    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            if not datatype_ok(v, text):
                emit((c, f, v))

    return check


def node_kind(c: Constraint, kinds: tuple[bool, bool, bool]) -> Check:
    iri, blank, literal = kinds

    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            first = v[:1]
            ok = iri if first == "<" else literal if first == '"' else blank
            if not ok:
                emit((c, f, v))

    return check


def class_check(c: Constraint, cls: str) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        out = data.out
        for v in values:
            ok = False
            if v[:1] != '"':
                for t in out.get(v, {}).get(RDF_TYPE, ()):
                    if t == cls or cls in data.supers(t):
                        ok = True
                        break
            if not ok:
                emit((c, f, v))

    return check


def pattern_check(c: Constraint, regex: re.Pattern[str]) -> Check:
    search = regex.search

    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            found = text(v)
            if found is None or not search(found):
                emit((c, f, v))

    return check


def in_check(c: Constraint, allowed: frozenset[Node]) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            if v[:1] == "_" or rdflib_term(v) not in allowed:
                emit((c, f, v))

    return check


def unique_lang(c: Constraint) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        seen: set[str] = set()
        for v in values:
            language = literal(v)[2] if v[:1] == '"' else None
            if language:
                lang = language.lower()
                if lang in seen:
                    emit((c, f, None))
                seen.add(lang)

    return check


def or_check(c: Constraint, members: Sequence[Member]) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            if not any(m.conforms(v, data) for m in members):
                emit((c, f, v))

    return check


def not_check(c: Constraint, member: Member) -> Check:
    def check(f: Any, values: list[Any], data: Index, emit: Emit) -> None:
        for v in values:
            if member.conforms(v, data):
                emit((c, f, v))

    return check
