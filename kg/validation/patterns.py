"""The triple patterns of a SPARQL query, as kg/validation/reach.py follows them from ``$this``.

:func:`parse` turns a SELECT's algebra (and, inside EXISTS, rdflib's parsed
syntax) into nested scopes of edges ``(subject, predicate, object)``: a
predicate in N-Triples form, or ``"*"`` for any predicate; property paths
become several edges through fresh variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

Edge = tuple[Node, str, Node]


def nt(term: Node) -> str:
    """An IRI in N-Triples form."""
    return f"<{term}>"


def parse(text: str, prefixes: dict[str, str]) -> tuple[Scope | None, list[str]]:
    """A SELECT query's patterns, and what in them kg cannot follow (None when the query
    does not parse)."""
    try:
        query = translateQuery(parseQuery(text), initNs=prefixes)
    except Exception as e:  # rdflib raises many kinds of errors on bad SPARQL
        return None, [f"a SPARQL query kg cannot parse ({e})"]
    problems: list[str] = []
    tree = _tree(query.algebra, problems, iter(range(1_000_000)))
    return tree, problems


@dataclass
class Scope:
    """The patterns of one SPARQL group: its own edges and its nested groups."""

    edges: list[Edge] = field(default_factory=list)
    optional: list[Scope] = field(default_factory=list)
    unions: list[list[Scope]] = field(default_factory=list)
    exists: list[Scope] = field(default_factory=list)  # EXISTS, NOT EXISTS, MINUS

    def join(self, other: Scope) -> None:
        self.edges += other.edges
        self.optional += other.optional
        self.unions += other.unions
        self.exists += other.exists


def all_edges(tree: Scope) -> Iterator[Edge]:
    yield from tree.edges
    for inner in [*tree.optional, *tree.exists, *(b for u in tree.unions for b in u)]:
        yield from all_edges(inner)


def _tree(node: Any, problems: list[str], counter: Iterator[int]) -> Scope:
    """A query's algebra (or, inside EXISTS, rdflib's parsed syntax) as scopes of edges."""
    scope = Scope()
    if isinstance(node, list | tuple):
        for item in node:
            scope.join(_tree(item, problems, counter))
        return scope
    if not isinstance(node, CompValue):
        return scope
    name = node.name
    if name in ("Graph", "GraphGraphPattern", "ServiceGraphPattern"):
        problems.append("a SPARQL GRAPH or SERVICE pattern")
        return scope
    if name in ("ToMultiSet", "SubSelect"):
        # a sub-select's variables are its own: kg does not follow them
        problems.append("a SPARQL sub-select")
        return scope
    if name == "BGP":
        for s, p, o in node.get("triples") or []:
            _edges(s, p, o, scope.edges, counter)
        return scope
    if name == "TriplesBlock":  # inside EXISTS, rdflib keeps the parsed syntax
        for flat in node.get("triples") or []:
            for i in range(0, len(flat) - 2, 3):
                _edges(flat[i], flat[i + 1], flat[i + 2], scope.edges, counter)
        return scope
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        scope.exists.append(_tree(node.get("graph"), problems, counter))
        return scope
    if name == "LeftJoin":
        scope.join(_tree(node.get("p1"), problems, counter))
        scope.optional.append(_tree(node.get("p2"), problems, counter))
        scope.join(_tree(node.get("expr"), problems, counter))
        return scope
    if name == "OptionalGraphPattern":
        scope.optional.append(_tree(node.get("graph"), problems, counter))
        return scope
    if name == "Union":
        branches = [
            _tree(node.get("p1"), problems, counter),
            _tree(node.get("p2"), problems, counter),
        ]
        scope.unions.append(branches)
        return scope
    if name == "GroupOrUnionGraphPattern":
        groups = node.get("graph") or []
        if len(groups) == 1:
            return _tree(groups[0], problems, counter)
        scope.unions.append([_tree(g, problems, counter) for g in groups])
        return scope
    if name == "Minus":
        scope.join(_tree(node.get("p1"), problems, counter))
        scope.exists.append(_tree(node.get("p2"), problems, counter))
        return scope
    if name == "MinusGraphPattern":
        scope.exists.append(_tree(node.get("graph"), problems, counter))
        return scope
    for key, value in node.items():  # Join, Filter, Extend, Project, ...: one scope
        if key != "_vars":
            scope.join(_tree(value, problems, counter))
    return scope


def _edges(s: Node, p: Any, o: Node, out: list[Edge], counter: Iterator[int]) -> None:
    """A triple pattern (its predicate possibly a property path) as simple edges."""
    if isinstance(p, URIRef):
        out.append((s, nt(p), o))
    elif isinstance(p, Variable):
        out.append((s, "*", o))
    elif isinstance(p, InvPath):
        _edges(o, p.arg, s, out, counter)
    elif isinstance(p, SequencePath):
        current = s
        for i, step in enumerate(p.args):
            nxt = o if i == len(p.args) - 1 else Variable(f"_kg_step{next(counter)}")
            _edges(current, step, nxt, out, counter)
            current = nxt
    elif isinstance(p, AlternativePath):
        for step in p.args:
            _edges(s, step, o, out, counter)
    elif isinstance(p, MulPath):
        # one or more steps: the first from s, the others between other nodes
        middle = Variable(f"_kg_step{next(counter)}")
        _edges(s, p.path, middle, out, counter)
        _edges(middle, p.path, o, out, counter)
    elif isinstance(p, NegatedPath | RdfPath):
        out.append((s, "*", o))
        out.append((o, "*", s))
    else:
        out.append((s, "*", o))
