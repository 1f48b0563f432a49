"""SHACL-SPARQL constraints run once over the whole data, where that provably gives the
results a SHACL engine gives by running them once per focus node.

A SHACL engine runs a constraint's SELECT once per focus node, with ``$this``
pre-bound to it: for 2,000 generated records kg's 13 constraints took 7.4 s of
a 10.3 s validation with pyshacl-turbo. Run once with ``$this`` free, the
same query gives every focus node's results at once, *if* every solution binds
``$this`` wherever the query mentions it: then fixing ``$this`` to a node
beforehand and keeping the solutions where ``$this`` is that node afterwards
are the same thing. :func:`why_not_batched` checks this on the query's
algebra, and :func:`split_shapes` takes out of the shapes only the constraints
it holds for (and whose shape the shortcut can stand in for); the engine runs
every other constraint per focus node as usual. A constraint that mentions
``$this`` only inside ``FILTER NOT EXISTS``, binds it only in an ``OPTIONAL``
or one ``UNION`` branch, groups, limits, or uses a sub-select, ``VALUES``,
``MINUS``, ``GRAPH`` or ``SERVICE`` is the engine's. Every constraint of kg's own
shapes (shapes/) takes the shortcut: tests/validation/test_batched.py checks
this, and that the results equal pySHACL's for custom shapes that do not.

The shortcut finds a shape's focus nodes as SHACL does for ``sh:targetClass``:
the instances of each target class and of its subclasses (``rdf:type/
rdfs:subClassOf*`` in the data). Shapes with any other target, with a
``sh:path`` or used inside other shapes are the engine's.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SH, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

THIS = Variable("this")
# variables a SHACL engine binds or substitutes besides $this; and solution
# variables it reads in a special way (a result per ?failure; ?message)
_SPECIAL = {Variable(v) for v in ("currentShape", "shapesGraph", "PATH", "failure", "message")}
# the graph patterns the proof knows (rdflib's algebra); anything else is the engine's
_PATTERNS = {"BGP", "Join", "LeftJoin", "Filter", "Extend", "Union"}
_MODIFIERS = {"Distinct", "Reduced", "OrderBy"}
# parts that may change the results of a run with $this free, wherever they are (inside
# EXISTS too, where rdflib keeps the parsed syntax): engines substitute $this into them
# in their own ways
_NEVER = {
    "SubSelect": "a sub-select",
    "ToMultiSet": "a sub-select or VALUES",
    "InlineData": "VALUES",
    "values": "VALUES",
    "Minus": "MINUS",
    "MinusGraphPattern": "MINUS",
    "Graph": "GRAPH",
    "GraphGraphPattern": "GRAPH",
    "ServiceGraphPattern": "SERVICE",
    "Service": "SERVICE",
    "Slice": "LIMIT or OFFSET",
    "Group": "GROUP BY",
    "AggregateJoin": "an aggregate",
}


def why_not_batched(select: str, prefixes: dict[str, str]) -> str | None:
    """Why running ``select`` once with ``$this`` free could give other results than a run
    per focus node with ``$this`` pre-bound; None when it cannot.

    It cannot when the query's graph pattern is built of basic graph patterns
    (property paths included), joins, ``OPTIONAL``, ``UNION``, ``FILTER`` and
    ``BIND``, and every part of it that mentions ``$this`` (in a triple pattern,
    an expression or an ``EXISTS`` inside one) binds ``$this`` in each of its
    solutions. Then, by induction over the parts, a solution with ``$this``
    fixed to a node beforehand is a solution with ``$this`` free that binds it
    to that node, and the other way round: joins and ``OPTIONAL`` match it on
    the same node on both sides, filters and ``EXISTS`` see the same value.
    ``DISTINCT``, ``REDUCED`` and ``ORDER BY`` change nothing of the set of
    solutions; ``$this`` must be projected, so that each solution names its
    focus node.

    The answers are kept on disk (parsing kg's 13 queries with rdflib takes
    0.4 s, a validation of 300 triples 0.3 s), in ``$XDG_CACHE_HOME/kg`` or
    ``~/.cache/kg``, keyed by the query and the code of this module; a cache
    that cannot be read or written is simply not used.
    """
    key = hashlib.blake2b(
        "\0".join([select, *(f"{k}={v}" for k, v in sorted(prefixes.items()))]).encode(),
        digest_size=16,
    ).hexdigest()
    proofs = _proofs()
    if key not in proofs:
        proofs[key] = _prove(select, prefixes)
        _save_proofs(proofs)
    return proofs[key]


def predicates_read(select: str) -> frozenset[str] | None:
    """The predicates (N-Triples forms) whose triples a query's patterns can match, as
    kg/validation/patterns.py finds them; None when it may match any. Kept on disk with the
    proofs (parsing kg's 15 queries with rdflib takes about 0.5 s a process)."""
    key = hashlib.blake2b(f"reads\0{select}".encode(), digest_size=16).hexdigest()
    proofs = _proofs()
    if key not in proofs:
        from kg.validation.patterns import all_edges, parse

        tree, problems = parse(select, {})
        found = set() if tree is None else {edge[1] for edge in all_edges(tree)}
        proofs[key] = None if tree is None or problems or "*" in found else " ".join(found)
        _save_proofs(proofs)
    text = proofs[key]
    return None if text is None else frozenset(text.split())


_PROOFS: dict[str, str | None] = {}
_PROOFS_LOADED: list[Path | None] = []  # the cache file, once looked for


def _proof_file() -> Path | None:
    if not _PROOFS_LOADED:
        try:
            code = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
        except OSError:
            _PROOFS_LOADED.append(None)
            return None
        home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        _PROOFS_LOADED.append(Path(home) / "kg" / f"batched-{code}.json")
    return _PROOFS_LOADED[0]


def _proofs() -> dict[str, str | None]:
    path = _proof_file()
    if path is not None and not _PROOFS:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            _PROOFS.update(
                (k, v) for k, v in data.items() if isinstance(v, str | None) and len(k) == 32
            )
        except (OSError, ValueError, AttributeError):
            pass
    return _PROOFS


def _save_proofs(proofs: dict[str, str | None]) -> None:
    path = _proof_file()
    if path is None:
        return
    if len(proofs) > 2000:  # many shapes of one's own over time: start again
        proofs.clear()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(proofs, f)
        os.replace(tmp, path)
    except OSError:
        return


def _prove(select: str, prefixes: dict[str, str]) -> str | None:
    try:
        query = translateQuery(parseQuery(select), initNs=prefixes)
    except Exception as e:  # rdflib raises many kinds of errors on bad SPARQL
        return f"the query does not parse ({e})"
    node = query.algebra
    if node.name != "SelectQuery":
        return f"not a SELECT query ({node.name})"
    if node.get("datasetClause"):
        return "a FROM clause"
    node = node.p
    while isinstance(node, CompValue) and node.name in _MODIFIERS | {"Project"}:
        if node.name == "Project" and THIS not in (node.get("PV") or []):
            return "$this is not projected"
        node = node.p
    never = sorted({_NEVER[n] for n in _names(query.algebra) if n in _NEVER})
    if never:
        return f"{never[0]} in the query"
    special = sorted(str(v) for v in _variables(query.algebra) & _SPECIAL)
    if special:
        return f"the variable ?{special[0]}, which a SHACL engine treats in its own way"
    try:
        bound = _bound(node)
    except _Unsafe as e:
        return str(e)
    if THIS not in bound:
        return "$this is not bound in every solution of the query's pattern"
    return None


class _Unsafe(Exception):
    pass


def _bound(node: Any) -> set[Variable]:
    """The variables every solution of a graph pattern binds; :class:`_Unsafe` if a part
    of it that mentions $this does not bind it, or a part is not one the proof knows."""
    if not isinstance(node, CompValue) or node.name not in _PATTERNS:
        name = node.name if isinstance(node, CompValue) else type(node).__name__
        raise _Unsafe(f"a part of the query kg does not batch ({_describe(name)})")
    name = node.name
    if name == "BGP":
        found = {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    elif name == "Join":
        found = _bound(node.p1) | _bound(node.p2)
    elif name == "LeftJoin":
        found = _bound(node.p1)
        _bound(node.p2)
    elif name == "Union":
        found = _bound(node.p1) & _bound(node.p2)
    elif name == "Filter":
        found = _bound(node.p)
    else:  # Extend: BIND(expr AS ?var)
        if node.var == THIS:
            raise _Unsafe("BIND(... AS $this)")
        found = _bound(node.p)
    if THIS not in found and THIS in _variables(node):
        raise _Unsafe(f"$this is mentioned where it may be unbound ({_describe(name)})")
    return found


def _describe(name: str) -> str:
    names = {"LeftJoin": "OPTIONAL", "Union": "UNION", "Filter": "FILTER", "Extend": "BIND"}
    return names.get(name) or _NEVER.get(name) or name


def _names(node: Any) -> Iterator[str]:
    """The name of every part of the algebra (expressions and EXISTS included)."""
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, CompValue):
            yield item.name
            todo.extend(v for k, v in item.items() if k != "_vars")
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list | tuple | set):
            todo.extend(item)


def _variables(node: Any) -> set[Variable]:
    """Every variable anywhere in a part of the algebra (expressions and EXISTS included)."""
    found: set[Variable] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, Variable):
            found.add(item)
        elif isinstance(item, CompValue):
            todo.extend(v for k, v in item.items() if k != "_vars")
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list | tuple | set):
            todo.extend(item)
    return found


@dataclass(frozen=True)
class SparqlCheck:
    """A SHACL-SPARQL constraint of a node shape that :func:`why_not_batched` lets run once.

    :meth:`rows` gives each result as the focus node and the solution's bindings.
    """

    shape: Node
    targets: tuple[str, ...]  # the shape's target classes
    severity: str
    messages: tuple[str, ...]  # the constraint's, and the shape's (engines report both)
    query: str

    def focus_nodes(self, store: ox.Store) -> set[Any]:
        """The instances of the target classes and of their subclasses, as SHACL finds them."""
        classes = " ".join(f"<{t}>" for t in self.targets)
        found = store.query(
            f"SELECT DISTINCT ?this {{ VALUES ?c {{ {classes} }} ?k <{RDFS.subClassOf}>* ?c ."
            f" ?this a ?k }}"
        )
        assert isinstance(found, ox.QuerySolutions)
        return {row["this"] for row in found}

    def rows(
        self, store: ox.Store, focus_nodes: set[Any] | None = None
    ) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Each result: its focus node and the solution's bindings (``focus_nodes``: the
        shape's focus nodes where the caller knows them already)."""
        if focus_nodes is None:
            focus_nodes = self.focus_nodes(store)
        if not focus_nodes:
            return
        solutions = store.query(self.query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            focus = row["this"]
            if focus in focus_nodes:
                yield focus, {name: row[name] for name in names if row[name] is not None}


_SPLIT: dict[int, tuple[Graph, Graph, list[SparqlCheck]]] = {}


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlCheck]]:
    """The shapes without the constraints that run once, and those constraints (cached
    per shapes graph: the proof parses each query with rdflib, 0.4 s for kg's shapes).

    A constraint runs once where :func:`why_not_batched` finds nothing against it
    and its shape is a node shape whose only targets are ``sh:targetClass``, used
    by no other shape, with nothing deactivated. Its results carry the messages of the
    constraint and of the shape, as pySHACL and pyshacl-turbo report them.
    """
    cached = _SPLIT.get(id(shapes))
    if cached is not None and cached[0] is shapes:
        return cached[1], cached[2]
    core = Graph()
    for prefix, ns in shapes.namespaces():
        core.bind(prefix, ns)
    checks: list[SparqlCheck] = []
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        check = _check(shapes, shape, constraint)
        if check is None:
            core.add((shape, SH.sparql, constraint))  # the engine runs it per focus node
        else:
            checks.append(check)
    if len(_SPLIT) > 8:
        _SPLIT.clear()
    _SPLIT[id(shapes)] = (shapes, core, checks)
    return core, checks


def why_not_shape(shapes: Graph, shape: Node, constraint: Node) -> str | None:
    """Why the shortcut cannot stand in for the engine on this shape and constraint."""
    g = shapes
    if g.value(constraint, SH.select) is None:
        return "no sh:select"
    classes = list(g.objects(shape, SH.targetClass))
    if not classes or not all(isinstance(c, URIRef) for c in classes):
        return "no sh:targetClass, or one that is not an IRI"
    for target in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        if (shape, target, None) in g:
            return f"the target sh:{str(target)[len(str(SH)) :]}"
    if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
        return "an implicit class target"
    if (shape, SH.path, None) in g:
        return "a property shape"
    if (None, None, shape) in g:
        return "the shape is used by another shape"
    if not any(g.objects(constraint, SH.message)):
        return "no sh:message"
    if (shape, SH.deactivated, None) in g or (constraint, SH.deactivated, None) in g:
        return "sh:deactivated"
    messages = [*g.objects(constraint, SH.message), *g.objects(shape, SH.message)]
    if any(not isinstance(m, Literal) for m in messages):
        return "a message that is not a literal"
    return why_not_batched(str(g.value(constraint, SH.select)), prefixes(g, constraint))


def prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes a constraint declares (sh:prefixes / sh:declare)."""
    return {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for decl in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(decl, SH.declare)
    }


def _check(shapes: Graph, shape: Node, constraint: Node) -> SparqlCheck | None:
    if why_not_shape(shapes, shape, constraint) is not None:
        return None
    header = "".join(
        f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in prefixes(shapes, constraint).items()
    )
    severity = shapes.value(shape, SH.severity)
    return SparqlCheck(
        shape=shape,
        targets=tuple(sorted(str(c) for c in shapes.objects(shape, SH.targetClass))),
        severity=str(severity).rpartition("#")[2] if severity else "Violation",
        messages=tuple(
            str(m) for node in (constraint, shape) for m in shapes.objects(node, SH.message)
        ),
        query=header + str(shapes.value(constraint, SH.select)),
    )
