"""What SHACL shapes read of the data beyond each focus node's own triples.

A build validates records in batches: each batch holds what its records
state, which is the whole graph only around some nodes. Whether a batch gives
a focus node the results that validating the whole output would give depends
on what the shapes read: the focus node's own triples, triples that point at
it (an inverse path, ``?x p $this``), and triples of the nodes they lead to
(``sh:class`` reads the value's ``rdf:type``, ``frbr:partOf+`` walks a chain,
a SPARQL constraint follows its patterns). :func:`reads` works this out once,
from the shapes graph, as a few sets of predicates (:class:`Reads`);
kg/validation/settle.py and books.py use them to tell which focus nodes a batch
settles and which must be checked again once the whole output is known.

The analysis is conservative: a construct it does not understand widens a set
to every predicate (``None``), and one whose reach it cannot bound at all (a
SPARQL pattern not connected to ``$this``, a sub-select, ``GRAPH``,
``SERVICE``, a node target (``sh:targetNode``: a focus node in every batch), a
SPARQL-based target or custom constraint component) makes
:attr:`Reads.bounded` false: such shapes are checked on the whole output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.term import Node

from kg.validation import patterns
from kg.validation.patterns import Scope, all_edges, nt, parse

Predicates = frozenset[str] | None  # N-Triples forms ("<iri>"); None: every predicate


@dataclass(frozen=True)
class Reads:
    """Predicates the shapes read away from the focus node itself.

    Everything about the focus node's own triples (its subject statement) is
    read anyway; these sets say what else is:

    - ``focus_in``: triples that point at the focus node (``?x p $this``);
    - ``far_out`` / ``far_in``: triples of other nodes the shapes reach (a
      value's type, the next link of a chain), outgoing and incoming;
    - ``entry``: predicates followed forward to a node where something is read
      (its objects are nodes whose triples matter).

    ``None`` in place of a set means every predicate. ``bounded`` is false when
    a shape may read arbitrary parts of the graph; ``why`` says what.
    """

    focus_in: Predicates
    far_out: Predicates
    far_in: Predicates
    entry: Predicates
    bounded: bool = True
    why: tuple[str, ...] = ()

    def is_far_out(self, predicate: str) -> bool:
        return self.far_out is None or predicate in self.far_out

    def is_in(self, predicate: str) -> bool:
        """Whether a triple with this predicate is read from its object's side."""
        return (
            self.focus_in is None
            or self.far_in is None
            or predicate in self.focus_in
            or predicate in self.far_in
        )

    def is_far_in(self, predicate: str) -> bool:
        return self.far_in is None or predicate in self.far_in

    def is_entry(self, predicate: str) -> bool:
        return self.entry is None or predicate in self.entry


_FOCUS, _FAR = "focus", "far"
_VALUE_ONLY = {
    # constraints on values themselves: they read no triple of the value node
    SH.datatype,
    SH.nodeKind,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH.languageIn,
    SH["in"],
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.uniqueLang,
    SH.minCount,
    SH.maxCount,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    # descriptive and structural
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.ignoredProperties,
    SH.declare,
    SH.prefixes,
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.subClassOf,
}


@dataclass
class _Acc:
    """The sets while the analysis runs; ``None`` once a set is every predicate."""

    focus_in: set[str] | None = field(default_factory=set)
    far_out: set[str] | None = field(default_factory=set)
    far_in: set[str] | None = field(default_factory=set)
    entry: set[str] | None = field(default_factory=set)
    why: list[str] = field(default_factory=list)

    def add(self, name: str, predicate: str | None) -> None:
        current = getattr(self, name)
        if current is None:
            return
        if predicate is None:
            setattr(self, name, None)
        else:
            current.add(predicate)

    def read_out(self, position: str, predicate: str | None) -> None:
        if position == _FAR:
            self.add("far_out", predicate)

    def read_in(self, position: str, predicate: str | None) -> None:
        self.add("focus_in" if position == _FOCUS else "far_in", predicate)

    def unbounded(self, why: str) -> None:
        if why not in self.why:
            self.why.append(why)


class Analysis:
    """What the shapes of a graph read, worked out by walking them from their targets."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.acc = _Acc()
        self.done: set[tuple[Node, str]] = set()

    # --- node shapes and property shapes ----------------------------------------

    def shape(self, shape: Node, position: str) -> None:
        """What ``shape`` reads when it applies at a node in ``position``."""
        if (shape, position) in self.done:
            return
        self.done.add((shape, position))
        g, acc = self.g, self.acc
        path = g.value(shape, SH.path)
        if path is not None:
            # a property shape: its constraints apply to the values of its path
            self.property_shape(shape, path, position)
            return
        for predicate, value in g.predicate_objects(shape):
            self.constraint(shape, predicate, value, position)
        if (shape, SH.closed, Literal(True)) in g:
            acc.read_out(position, None)

    def property_shape(self, shape: Node, path: Node, position: str) -> None:
        g = self.g
        reads_values = self.reads_value_nodes(shape)
        self.path(path, position, reads_values)
        for predicate, value in g.predicate_objects(shape):
            if predicate in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
                self.acc.read_out(position, nt(value))
            elif predicate == SH.qualifiedValueShapesDisjoint:
                if value == Literal(True):
                    self.acc.unbounded("sh:qualifiedValueShapesDisjoint")
            elif predicate == SH.sparql:
                # $this is the focus and $PATH the path: kg does not follow these
                self.acc.unbounded("a SPARQL constraint on a property shape")
            else:
                # the value nodes are other nodes than the one the shape applies at
                self.constraint(shape, predicate, value, _FAR)

    def reads_value_nodes(self, shape: Node) -> bool:
        """Whether the constraints of a property shape read triples of its value nodes."""
        g = self.g
        for predicate in set(g.predicates(shape)):
            if predicate in _VALUE_ONLY or predicate in (
                SH.equals,
                SH.disjoint,
                SH.lessThan,
                SH.lessThanOrEquals,
                SH.qualifiedValueShapesDisjoint,
            ):
                continue
            return True
        return False

    def constraint(self, shape: Node, predicate: Node, value: Node, position: str) -> None:
        """One parameter of a shape, applying at a node in ``position``."""
        g, acc = self.g, self.acc
        if predicate in _VALUE_ONLY or predicate == SH.closed:
            return
        if predicate == SH["class"]:
            # the node's rdf:type, and the classes' rdfs:subClassOf chain
            acc.read_out(position, nt(RDF.type))
            acc.add("entry", nt(RDF.type))
            acc.add("entry", nt(RDFS.subClassOf))
            acc.add("far_out", nt(RDFS.subClassOf))
        elif predicate in (SH.node, SH["not"], SH.qualifiedValueShape):
            self.shape(value, position)
        elif predicate in (SH["and"], SH["or"], SH.xone):
            for member in Collection(g, value):
                self.shape(member, position)
        elif predicate == SH.property:
            self.shape(value, position)
        elif predicate == SH.sparql:
            if (value, SH.deactivated, Literal(True)) in g:
                return
            select = g.value(value, SH.select)
            if select is None:
                acc.unbounded("a SPARQL constraint without sh:select")
                return
            self.sparql(str(select), self.prefixes(value), position)
        elif predicate == SH.target:
            acc.unbounded("a SPARQL-based target (sh:target)")
        elif isinstance(predicate, URIRef) and str(predicate).startswith(str(SH)):
            acc.unbounded(f"the constraint sh:{str(predicate)[len(str(SH)) :]}")
        elif isinstance(predicate, URIRef) and self.is_component_parameter(predicate):
            acc.unbounded(f"the custom constraint component parameter <{predicate}>")

    def is_component_parameter(self, predicate: URIRef) -> bool:
        g = self.g
        for parameter in g.subjects(SH.path, predicate):
            if (None, SH.parameter, parameter) in g:
                return True
        return False

    def prefixes(self, constraint: Node) -> dict[str, str]:
        g = self.g
        found: dict[str, str] = {}
        for decl in g.objects(constraint, SH.prefixes):
            for d in g.objects(decl, SH.declare):
                prefix, namespace = g.value(d, SH.prefix), g.value(d, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return found

    # --- paths ----------------------------------------------------------------

    def path(self, path: Node, position: str, reads_values: bool) -> None:
        """A SHACL property path followed from a node in ``position``."""
        g, acc = self.g, self.acc
        if isinstance(path, URIRef):
            acc.read_out(position, nt(path))
            if reads_values:
                acc.add("entry", nt(path))
            return
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            self.inverse(inverse, position, reads_values)
            return
        for repeat in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            inner = g.value(path, repeat)
            if inner is not None:
                # every step after the first starts at another node
                self.path(inner, position, True)
                self.path(inner, _FAR, True)
                return
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            for member in Collection(g, alternatives):
                self.path(member, position, reads_values)
            return
        if (path, RDF.first, None) in g:  # a sequence
            steps = list(Collection(g, path))
            for i, step in enumerate(steps):
                self.path(step, position if i == 0 else _FAR, reads_values or i < len(steps) - 1)
            return
        acc.unbounded("a property path kg cannot read")

    def inverse(self, path: Node, position: str, reads_values: bool) -> None:
        if isinstance(path, URIRef):
            self.acc.read_in(position, nt(path))
            return
        # an inverse of a complex path: every predicate in it, both ways, anywhere
        for predicate in _predicates_in(self.g, path):
            self.acc.read_in(position, predicate)
            self.acc.read_in(_FAR, predicate)
            self.acc.add("far_out", predicate)
            self.acc.add("entry", predicate)

    # --- SPARQL constraints ----------------------------------------------------------

    def sparql(self, text: str, prefixes: dict[str, str], position: str) -> None:
        """The triple patterns of a SELECT, followed from ``$this`` (at ``position``)."""
        tree, problems = parse(text, prefixes)
        for problem in problems:
            self.acc.unbounded(problem)
        if tree is None:
            return
        done: set[int] = set()
        self.solve(tree, {Variable("this"): position}, done)
        if any(id(edge) not in done for edge in all_edges(tree)):
            self.acc.unbounded("a SPARQL pattern not connected to $this")

    def solve(self, tree: Scope, reached_in: dict[Node, str], done: set[int]) -> dict[Node, str]:
        """Follow a scope's patterns from the variables bound so far; the variables it binds.

        A pattern is read from a side already bound: its subject's outgoing
        triples, or its object's incoming ones. OPTIONAL and UNION parts bind
        variables for the rest of the scope; EXISTS and MINUS parts see the
        scope's bindings and bind nothing outside.
        """
        reached = dict(reached_in)
        bound_by: dict[Node, int] = {}  # variables first bound by an OPTIONAL or UNION part
        followed: set[int] = set()  # each pattern is read from one side: the first bound
        changed = True
        while changed:
            changed = False
            for edge in tree.edges:
                if id(edge) in followed:
                    continue
                s, p, o = edge
                predicate = None if p == "*" else p
                if s in reached:
                    self.acc.read_out(reached[s], predicate)
                    if isinstance(o, Variable) and o not in reached:
                        self.acc.add("entry", predicate)  # o's triples are read further
                        reached[o] = _FAR
                        changed = True
                elif o in reached:
                    self.acc.read_in(reached[o], predicate)
                    if isinstance(s, Variable):
                        reached[s] = _FAR
                        changed = True
                else:
                    continue
                followed.add(id(edge))
                done.add(id(edge))
            parts: list[tuple[int, list[Scope]]] = [(id(o), [o]) for o in tree.optional]
            parts += [(id(u), u) for u in tree.unions]
            for part, branches in parts:
                # each branch starts from what the scope bound without this part: a
                # variable one UNION branch binds is another variable in the next
                base = {v: w for v, w in reached.items() if bound_by.get(v) != part}
                for branch in branches:
                    for var, where in self.solve(branch, base, done).items():
                        if var not in reached:
                            reached[var] = where
                            bound_by[var] = part
                            changed = True
        for inner in tree.exists:
            self.solve(inner, reached, done)
        return reached

    # --- the whole shapes graph ---------------------------------------------------

    def run(self) -> Reads:
        g, acc = self.g, self.acc
        roots: set[Node] = set()
        for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            roots.update(g.subjects(target, None))
        for shape in set(g.subjects(SH.target, None)):
            acc.unbounded("a SPARQL-based target (sh:target)")
            roots.add(shape)
        if (None, SH.targetNode, None) in g:
            # a node target is a focus node in every batch, whether or not the batch
            # holds what the records say of it
            acc.unbounded("a node target (sh:targetNode)")
        for shape in set(g.subjects(RDF.type, SH.NodeShape)) | set(
            g.subjects(RDF.type, SH.PropertyShape)
        ):
            if (shape, RDF.type, RDFS.Class) in g:
                roots.add(shape)  # an implicit class target
        if set(g.subjects(RDF.type, SH.ConstraintComponent)):
            acc.unbounded("custom constraint components")
        for shape in roots:
            if (shape, SH.targetClass, None) in g or (shape, RDF.type, RDFS.Class) in g:
                # the focus node's classes and their superclasses
                acc.add("entry", nt(RDF.type))
                acc.add("entry", nt(RDFS.subClassOf))
                acc.add("far_out", nt(RDFS.subClassOf))
            for predicate in g.objects(shape, SH.targetObjectsOf):
                acc.read_in(_FOCUS, nt(predicate))
            self.shape(shape, _FOCUS)

        def frozen(s: set[str] | None) -> Predicates:
            return None if s is None else frozenset(s)

        return Reads(
            focus_in=frozen(acc.focus_in),
            far_out=frozen(acc.far_out),
            far_in=frozen(acc.far_in),
            entry=frozen(acc.entry),
            bounded=not acc.why,
            why=tuple(acc.why),
        )


def _predicates_in(g: Graph, path: Node) -> Iterator[str | None]:
    if isinstance(path, URIRef):
        yield nt(path)
        return
    found = False
    for _, o in g.predicate_objects(path):
        found = True
        if isinstance(o, URIRef):
            yield nt(o)
        else:
            yield from _predicates_in(g, o)
    for member in Collection(g, path) if (path, RDF.first, None) in g else ():
        found = True
        yield from _predicates_in(g, member)
    if not found:
        yield None


@lru_cache(maxsize=8)
def cached_reads(key: int, shapes: Graph) -> Reads:
    """:func:`reads` of ``shapes``, ``key`` being ``id(shapes)`` (kept per key in memory:
    ``cached_reads.cache_clear()`` forgets them)."""
    from kg.validation.shacl import SOURCE_DIGESTS

    source = SOURCE_DIGESTS.get(key)
    cached = _disk_cache(source) if source else None
    if cached is not None:
        found = _load(cached)
        if found is not None:
            return found
    result = Analysis(shapes).run()
    if cached is not None:
        _save(cached, result)
    return result


def reads(shapes: Graph) -> Reads:
    """What ``shapes`` read beyond each focus node's own triples.

    Cached per graph, and on disk per set of shapes files (parsing the SPARQL
    constraints with rdflib takes about a second): in ``$XDG_CACHE_HOME/kg``
    or ``~/.cache/kg``, keyed by the files' contents and the code of this module and
    of kg/validation/patterns.py;
    a cache that cannot be read or written is simply not used.
    """
    return cached_reads(id(shapes), shapes)


def _disk_cache(source: str) -> Path | None:
    import hashlib
    import os

    code = hashlib.blake2b(digest_size=8)
    try:
        for module in (__file__, patterns.__file__):  # the code of the whole analysis
            code.update(Path(module).read_bytes() + b"\0")
    except OSError:
        return None
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "kg" / f"reach-{source}-{code.hexdigest()}.json"


def _load(path: Path) -> Reads | None:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sets = {
            k: (None if data[k] is None else frozenset(data[k]))
            for k in ("focus_in", "far_out", "far_in", "entry")
        }
        return Reads(**sets, bounded=bool(data["bounded"]), why=tuple(data["why"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, r: Reads) -> None:
    import json
    import os
    import tempfile

    data: dict[str, object] = {
        k: (None if getattr(r, k) is None else sorted(getattr(r, k)))
        for k in ("focus_in", "far_out", "far_in", "entry")
    }
    data |= {"bounded": r.bounded, "why": list(r.why)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        return


def describe(r: Reads) -> str:
    """The sets as short text (for docs and reports)."""

    def show(s: Predicates) -> str:
        return "every predicate" if s is None else ", ".join(sorted(s)) or "none"

    lines = [
        f"read at the focus node, incoming: {show(r.focus_in)}",
        f"read at other nodes, outgoing: {show(r.far_out)}",
        f"read at other nodes, incoming: {show(r.far_in)}",
        f"followed to other nodes: {show(r.entry)}",
    ]
    if not r.bounded:
        lines.append("not bounded: " + "; ".join(r.why))
    return "\n".join(lines)
