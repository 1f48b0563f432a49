"""SHACL core constraints compiled once per shapes graph into a Python evaluator over the
data's triples, giving the results pySHACL gives.

A SHACL engine finds each shape's focus nodes and value nodes and checks each
constraint on them one at a time; on a build's batches pyshacl-turbo took about
1.3 ms a record for the core constraints of kg's shapes. The constraints kg's
shapes use are simple enough to check on a few Python dictionaries of the
batch's triples (by subject, and by object for the inverse paths), built once
a batch for the predicates the shapes read: :func:`compile_shapes` turns every
shape it can follow into checks (:class:`Compiled`), and leaves every other
shape to the engine.

A shape is compiled when it and every shape inside it (``sh:property``, the
members of ``sh:or``, ``sh:not``) use only: targets ``sh:targetClass``,
``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``; ``sh:path``
of an IRI or ``[ sh:inversePath IRI ]``; ``sh:minCount``, ``sh:maxCount``,
``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:pattern`` (without
``sh:flags``), ``sh:in``, ``sh:uniqueLang``, ``sh:or``, ``sh:not``,
``sh:property``, ``sh:severity``, ``sh:message`` (and the shapes' names and
descriptions, which validate nothing); the shapes inside ``sh:or`` and
``sh:not`` carry no severity; and every constraint that can report has a
message where pySHACL's own message would name data (:func:`why_not`). A
shapes graph with rules, custom constraint components or deactivated shapes is
the engine's entirely. The results are what pySHACL reports: the severity and
messages of the shape that holds the constraint, the value node as
``sh:value`` (the focus node for a node shape's constraints, none for the
cardinalities and ``sh:uniqueLang``), literals compared as rdflib compares
them (well-formed for their datatype, ``sh:in`` by rdflib's equality).
tests/validation/test_compiled.py checks this against pySHACL on every shape
fixture and on random graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.validation.checks import (
    RDF_TYPE,
    SUBCLASS,
    Check,
    Constraint,
    Emit,
    Index,
    Row,
    class_check,
    datatype_check,
    in_check,
    max_count,
    min_count,
    node_kind,
    not_check,
    or_check,
    pattern_check,
    unique_lang,
)

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# what a compiled shape may say: constraints, and what validates nothing
_KNOWN = {
    *_TARGETS,
    RDF.type,
    SH.path,
    SH.property,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH["class"],
    SH.pattern,
    SH["in"],
    SH.uniqueLang,
    SH["or"],
    SH["not"],
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    RDFS.label,
    RDFS.comment,
}
# in the shapes graph, these make the shapes graph the engine's entirely
_GLOBAL = (SH.rule, SH.deactivated, SH.entailment, SH.shapesGraph)
_KINDS = {
    SH.IRI: (True, False, False),
    SH.BlankNode: (False, True, False),
    SH.Literal: (False, False, True),
    SH.BlankNodeOrIRI: (True, True, False),
    SH.BlankNodeOrLiteral: (False, True, True),
    SH.IRIOrLiteral: (True, False, True),
}


@dataclass(eq=False)
class _Shape:
    node: Node
    path: tuple[bool, str] | None  # (inverse?, predicate); None: a node shape
    checks: list[Check] = field(default_factory=list)  # the checks that read the values
    empty: list[Check] = field(default_factory=list)  # those with a result for no value
    properties: list[_Shape] = field(default_factory=list)

    def validate(self, focus_nodes: Iterable[Any], data: Index, emit: Emit) -> None:
        path = self.path
        checks = self.checks
        if path is None:  # a node shape: each focus node is its one value node
            if checks:
                for f in focus_nodes:
                    values = [f]
                    for check in checks:
                        check(f, values, data, emit)
            for prop in self.properties:
                prop.validate(focus_nodes, data, emit)
            return
        table = data.inc if path[0] else data.out
        p = path[1]
        empty = self.empty
        properties = self.properties
        for f in focus_nodes:
            d = table.get(f)
            found = d.get(p) if d is not None else None
            if found is None:  # most properties of most nodes: only minCount can fail
                for check in empty:
                    check(f, _NONE, data, emit)
                continue
            for check in checks:
                check(f, found, data, emit)
            for prop in properties:
                prop.validate(found, data, emit)

    def conforms(self, node: Any, data: Index) -> bool:
        found: list[Row] = []
        self.validate((node,), data, found.append)
        return not found


_NONE: list[Any] = []


@dataclass(eq=False)
class _Top:
    shape: _Shape
    classes: tuple[str, ...]
    nodes: tuple[Any, ...]
    subjects_of: tuple[str, ...]
    objects_of: tuple[str, ...]


@dataclass(eq=False)
class Compiled:
    """The compiled shapes of a shapes graph; ``rest`` is what the engine still validates
    (None when nothing)."""

    tops: list[_Top]
    rest: Graph | None
    out: frozenset[str]
    inc: frozenset[str]
    skipped: dict[Node, str]  # the shapes left to the engine, and why

    def index(self, triples: Iterable[tuple[str, str, str]]) -> Index:
        return Index(triples, self.out, self.inc)

    def rows(self, data: Index) -> list[Row]:
        found: list[Row] = []
        for top in self.tops:
            focus: set[Any] = set(top.nodes)
            for cls in top.classes:
                focus |= data.of_class(cls)
            for p in top.subjects_of:
                focus.update(s for s, ps in data.out.items() if p in ps)
            for p in top.objects_of:
                focus.update(o for o, ps in data.inc.items() if p in ps)
            if focus:
                top.shape.validate(focus, data, found.append)
        return found


_CACHE: dict[int, tuple[Graph, Compiled]] = {}


def compile_shapes(shapes: Graph) -> Compiled:
    """The shapes compiled (cached per shapes graph): the top shapes (those with targets)
    that :func:`why_not` finds nothing against, and the shapes graph without their
    targets for the engine."""
    cached = _CACHE.get(id(shapes))
    if cached is not None and cached[0] is shapes:
        return cached[1]
    tops: list[_Top] = []
    skipped: dict[Node, str] = {}
    out: set[str] = {RDF_TYPE, SUBCLASS}
    inc: set[str] = set()
    whole = next((p for p in _GLOBAL if (None, p, None) in shapes), None)
    custom = (None, RDF.type, SH.ConstraintComponent) in shapes
    candidates = {s for p in (*_TARGETS, SH.target) for s in shapes.subjects(p, None)}
    # shapes that are classes too: their instances are focus nodes (implicit class targets)
    for cls in {RDFS.Class, OWL.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}:
        candidates.update(
            n
            for n in shapes.subjects(RDF.type, cls)
            if any(str(p).startswith(str(SH)) for p in shapes.predicates(n))
            or (n, RDF.type, SH.NodeShape) in shapes
        )
    for node in sorted(candidates, key=str):
        why = (
            f"sh:{whole.removeprefix(str(SH))} in the shapes"
            if whole is not None
            else ("a custom constraint component" if custom else why_not(shapes, node))
        )
        if why is not None:
            skipped[node] = why
            continue
        compiler = _Compiler(shapes, out, inc)
        tops.append(
            _Top(
                shape=compiler.shape(node),
                classes=tuple(_nt(c) for c in shapes.objects(node, SH.targetClass)),
                nodes=tuple(_nt(n) for n in shapes.objects(node, SH.targetNode)),
                subjects_of=tuple(_nt(p) for p in shapes.objects(node, SH.targetSubjectsOf)),
                objects_of=tuple(_nt(p) for p in shapes.objects(node, SH.targetObjectsOf)),
            )
        )
        for p in shapes.objects(node, SH.targetSubjectsOf):
            out.add(_nt(p))
        for p in shapes.objects(node, SH.targetObjectsOf):
            inc.add(_nt(p))
    rest: Graph | None = None
    if not tops:
        rest = shapes
    elif skipped:
        rest = Graph()
        for prefix, ns in shapes.namespaces():
            rest.bind(prefix, ns)
        done = {t.shape.node for t in tops}
        for triple in shapes:
            if not (triple[0] in done and triple[1] in _TARGETS):
                rest.add(triple)
    compiled = Compiled(tops, rest, frozenset(out), frozenset(inc), skipped)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(shapes)] = (shapes, compiled)
    return compiled


def why_not(shapes: Graph, node: Node) -> str | None:
    """Why a top shape (one with targets) is left to the engine; None if it compiles."""
    g = shapes
    if (node, SH.target, None) in g:
        return "a SPARQL-based or custom target (sh:target)"
    if any((node, RDF.type, c) in g for c in (RDFS.Class, OWL.Class)) or any(
        (node, RDF.type, c) in g for c in g.subjects(RDFS.subClassOf, RDFS.Class)
    ):
        return "an implicit class target"
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
        if any(not isinstance(c, URIRef) for c in g.objects(node, p)):
            return "a target that is not an IRI"
    if any(isinstance(n, BNode) for n in g.objects(node, SH.targetNode)):
        return "a blank node as sh:targetNode"
    return _why_not_shape(g, node, inner=False, seen=set())


def _why_not_shape(g: Graph, node: Node, inner: bool, seen: set[Node]) -> str | None:
    if node in seen:
        return "a shape that contains itself"
    seen = seen | {node}
    for p in g.predicates(node):
        if p not in _KNOWN:
            return f"{_name(g, p)} (not compiled)"
    for p in (SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["in"]):
        if len(set(g.objects(node, p))) > 1:
            return f"two values of {_name(g, p)}"
    for p in (SH.uniqueLang, SH.severity):
        if len(set(g.objects(node, p))) > 1:
            return f"two values of {_name(g, p)}"
    if inner and (node, SH.severity, None) in g and (node, SH.severity, SH.Violation) not in g:
        return "a severity inside sh:or or sh:not (pySHACL lets such a shape conform)"
    if any(not isinstance(m, Literal) for m in g.objects(node, SH.message)):
        return "a message that is not a literal"
    path = g.value(node, SH.path)
    if path is not None and _path(g, path) is None:
        return "a path that is neither an IRI nor the inverse of one"
    if path is None and any(
        (node, p, None) in g for p in (SH.minCount, SH.maxCount, SH.uniqueLang)
    ):
        return "a cardinality or sh:uniqueLang on a node shape"
    for p in (SH.minCount, SH.maxCount):
        for n in g.objects(node, p):
            if not (isinstance(n, Literal) and n.datatype == XSD.integer and int(n) >= 0):
                return f"{_name(g, p)} is not an integer >= 0"
    for n in g.objects(node, SH.uniqueLang):
        if not (isinstance(n, Literal) and isinstance(n.value, bool)):
            return "sh:uniqueLang is not a boolean"
    for n in g.objects(node, SH.pattern):
        if not isinstance(n, Literal):
            return "a pattern that is not a literal"
        try:
            re.compile(str(n))
        except re.error:
            return "a pattern Python's re does not compile"
    for n in g.objects(node, SH.datatype):
        if not isinstance(n, URIRef) or n == RDFS.Datatype:
            return "sh:datatype is not an IRI, or is rdfs:Datatype"
    if any(not isinstance(n, URIRef) for n in g.objects(node, SH["class"])):
        return "sh:class is not an IRI"
    if any(not isinstance(n, URIRef) for n in g.objects(node, SH.nodeKind)):
        return "sh:nodeKind is not an IRI"
    for lst in g.objects(node, SH["in"]):
        if any(isinstance(i, BNode) for i in Collection(g, lst)):
            return "sh:in lists a blank node"
    # the results of the shapes inside sh:or and sh:not are not reported: no message needed
    if not inner and not any(True for _ in g.objects(node, SH.message)):
        if any((node, p, None) in g for p in (SH.minCount, SH.maxCount, SH["in"], SH["or"])):
            return "a constraint without sh:message (pySHACL's own message names data)"
        if (node, SH["not"], None) in g:
            return "a constraint without sh:message (pySHACL's own message names data)"
        if len(set(g.objects(node, SH["class"]))) > 1:
            return "two sh:class without sh:message"
        if len(set(g.objects(node, SH.pattern))) > 1:
            return "two sh:pattern without sh:message"
    for prop in g.objects(node, SH.property):
        why = _why_not_shape(g, prop, inner, seen)
        if why is not None:
            return why
        if g.value(prop, SH.path) is None:
            return "sh:property of a shape without sh:path"
    for lst in g.objects(node, SH["or"]):
        members = list(Collection(g, lst))
        if not members:
            return "an empty sh:or"
        for member in members:
            why = _why_not_shape(g, member, True, seen)
            if why is not None:
                return why
    for member in g.objects(node, SH["not"]):
        why = _why_not_shape(g, member, True, seen)
        if why is not None:
            return why
    return None


def _name(g: Graph, node: Node) -> str:
    try:
        return node.n3(g.namespace_manager)
    except Exception:  # rdflib raises several kinds of errors on odd IRIs
        return str(node)


def _path(g: Graph, path: Node) -> tuple[bool, URIRef] | None:
    if isinstance(path, URIRef):
        return False, path
    inverse = g.value(path, SH.inversePath)
    if isinstance(path, BNode) and isinstance(inverse, URIRef):
        if len(set(g.predicates(path))) == 1:
            return True, inverse
    return None


def _nt(node: Node) -> str:
    """A term of the shapes graph in N-Triples form."""
    if isinstance(node, Literal):
        body = Literal(str(node)).n3()
        if node.language:
            return f"{body}@{node.language}"
        if node.datatype is None or str(node.datatype) == str(XSD.string):
            return body
        return f"{body}^^<{node.datatype}>"
    return node.n3()


class _Compiler:
    def __init__(self, g: Graph, out: set[str], inc: set[str]) -> None:
        self.g = g
        self.out = out
        self.inc = inc

    def shape(self, node: Node) -> _Shape:
        g = self.g
        path_node = g.value(node, SH.path)
        path: tuple[bool, str] | None = None
        if path_node is not None:
            found = _path(g, path_node)
            assert found is not None  # why_not checked it
            path = (found[0], _nt(found[1]))
            (self.inc if found[0] else self.out).add(path[1])
        shape = _Shape(node, path)
        severity_node = g.value(node, SH.severity)
        severity = str(severity_node).rpartition("#")[2] if severity_node else "Violation"
        messages = sorted(str(m) for m in g.objects(node, SH.message))

        def constraint(component: URIRef, generic: str = "") -> Constraint:
            return Constraint(
                node, path_node, component, severity, messages[0] if messages else generic
            )

        def generic(text: str, rule: Node) -> str:
            g.namespace_manager.bind("sh", SH, override=False, replace=False)
            return text.format(_name(g, rule))

        add = shape.checks.append
        for n in g.objects(node, SH.minCount):
            count = min_count(constraint(SH.MinCountConstraintComponent), int(str(n)))
            add(count)
            if int(str(n)) > 0:
                shape.empty.append(count)
        for n in g.objects(node, SH.maxCount):
            add(max_count(constraint(SH.MaxCountConstraintComponent), int(str(n))))
        for n in g.objects(node, SH.datatype):
            c = constraint(
                SH.DatatypeConstraintComponent, generic("Value is not Literal with datatype {}", n)
            )
            add(datatype_check(c, URIRef(str(n))))
        for n in g.objects(node, SH.nodeKind):
            text = generic("Value is not of Node Kind {}", n)
            c = constraint(SH.NodeKindConstraintComponent, text)
            add(node_kind(c, _KINDS.get(URIRef(str(n)), (False, False, False))))
        for n in g.objects(node, SH["class"]):
            c = constraint(SH.ClassConstraintComponent, generic("Value does not have class {}", n))
            add(class_check(c, _nt(n)))
        for n in g.objects(node, SH.pattern):
            text = f"Value does not match pattern '{n}'"
            add(pattern_check(constraint(SH.PatternConstraintComponent, text), re.compile(str(n))))
        for lst in g.objects(node, SH["in"]):
            allowed = frozenset(Collection(g, lst))
            add(in_check(constraint(SH.InConstraintComponent), allowed))
        for n in g.objects(node, SH.uniqueLang):
            if bool(n.value):  # type: ignore[attr-defined]
                text = "More than one String shares the same Language"
                add(unique_lang(constraint(SH.UniqueLangConstraintComponent, text)))
        for lst in g.objects(node, SH["or"]):
            members = [self.shape(m) for m in Collection(g, lst)]
            add(or_check(constraint(SH.OrConstraintComponent), members))
        for n in g.objects(node, SH["not"]):
            add(not_check(constraint(SH.NotConstraintComponent), self.shape(n)))
        for prop in g.objects(node, SH.property):
            shape.properties.append(self.shape(prop))
        return shape
