"""SHACL validation with pySHACL, and reports a person can act on.

Non-conformance is a result, not an error: :func:`validate_graph` returns a
:class:`ValidationReport`; the command line prints it and exits 1 when it has
a Violation. Warnings and Info results never fail a graph.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import Location, ShapesError
from kg.resources import shapes_dir
from kg.validation.batched import SparqlCheck, predicates_read, split_shapes
from kg.validation.checks import Constraint, Index, Row
from kg.validation.compiled import Compiled, compile_shapes
from kg.validation.prepared import prepared_queries
from kg.validation.terms import iri, rdflib_term, split_lines
from kg.vocab import PREFIXES, XSD_STRING

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    severity: str  # Violation, Warning or Info
    message: str
    focus: str  # IRI of the focus node
    path: str | None  # the property, as a prefixed name where possible
    value: str | None  # the offending value, in N-Triples-like form
    shape: str  # the shape that produced the result
    component: str  # the SHACL constraint component
    source: Location | None = None  # the record the focus node came from, where known

    def key(self) -> tuple[str, ...]:
        return (
            self.severity,
            self.shape,
            self.message,
            self.focus,
            self.path or "",
            self.value or "",
        )

    def to_json(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "message": self.message,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "shape": self.shape,
            "component": self.component,
            "source": str(self.source) if self.source else None,
        }


@dataclass
class ValidationReport:
    """The outcome of validating one graph (or the batches of one build)."""

    results: list[ValidationResult] = field(default_factory=list)
    triples: int = 0
    engine: str = ""  # the SHACL engine that produced it

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> dict[str, int]:
        c = Counter(r.severity for r in self.results)
        return {s: c.get(s, 0) for s in SEVERITY_ORDER}

    def merge(self, other: ValidationReport) -> None:
        """Add another batch's results, keeping each distinct result once."""
        seen = {r.key() for r in self.results}
        for r in other.results:
            if r.key() not in seen:
                seen.add(r.key())
                self.results.append(r)
        self.triples += other.triples
        self.engine = self.engine or other.engine

    def sorted_results(self) -> list[ValidationResult]:
        return sorted(self.results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.key()))

    def raise_for_violations(self) -> None:
        from kg.errors import ValidationFailed

        if not self.conforms:
            n = self.counts()["Violation"]
            raise ValidationFailed(f"the graph does not conform to the shapes: {n} violation(s)")

    def summary(self) -> str:
        c = self.counts()
        verdict = "conforms" if self.conforms else "does not conform"
        return (
            f"{verdict}: {c['Violation']} violation(s), {c['Warning']} warning(s), {c['Info']} info"
        )

    def to_text(self, limit: int | None = None, hint: str = "") -> str:
        """Grouped by severity, shape and message, each focus node on its own line.

        With ``limit``, a group shows its first ``limit`` focus nodes and a line
        saying how many more it has (followed by ``hint``); its header counts them all.
        """
        checked = f"{self.triples} triples checked by {self.engine or 'no engine'}"
        lines = [f"Validation: {self.summary()} ({checked})"]
        groups: dict[tuple[str, str, str, str | None], list[ValidationResult]] = {}
        for r in self.sorted_results():
            groups.setdefault((r.severity, r.shape, r.message, r.path), []).append(r)
        for (severity, shape, message, path), items in groups.items():
            where = f"{shape}" + (f", {path}" if path else "")
            lines.append("")
            lines.append(f"{severity}: {message}  [{where}]  ({len(items)})")
            for r in items[:limit]:
                line = f"  <{r.focus}>"
                if r.value is not None:
                    line += f"  value {r.value}"
                if r.source is not None:
                    line += f"  ({r.source})"
                lines.append(line)
            if limit is not None and len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more{hint}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "conforms": self.conforms,
                    "triples": self.triples,
                    "engine": self.engine,
                    "counts": self.counts(),
                    "results": [r.to_json() for r in self.sorted_results()],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )

    def to_turtle(self) -> str:
        """The report as a SHACL ``sh:ValidationReport`` graph."""
        g = Graph(bind_namespaces="none")
        g.bind("sh", SH)
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        report = URIRef("urn:kg:validation-report")
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.sorted_results(), start=1):
            node = URIRef(f"urn:kg:validation-report:result:{i}")
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.focusNode, URIRef(r.focus)))
            g.add((node, SH.resultMessage, Literal(r.message)))
            g.add((node, SH.sourceConstraintComponent, URIRef(_expand(r.component))))
            g.add((node, SH.sourceShape, URIRef(_expand(r.shape))))
            if r.path:
                g.add((node, SH.resultPath, URIRef(_expand(r.path))))
            if r.value is not None:
                g.add((node, SH.value, Literal(r.value)))
        return g.serialize(format="turtle")


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    ns = {**PREFIXES, "sh": str(SH), "kgsh": KGSH}.get(prefix)
    return ns + local if ns and not name.startswith("http") else name


KGSH = "https://w3id.org/kg/shapes/"
_SHORT = {**PREFIXES, "sh": str(SH), "kgsh": KGSH}


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, ns in sorted(_SHORT.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(ns) and text[len(ns) :] and "/" not in text[len(ns) :]:
                return f"{prefix}:{text[len(ns) :]}"
        return text
    if isinstance(node, Literal):
        # the same text whichever engine made the report: "x" for an
        # xsd:string, "x"^^xsd:gYear for other datatypes, "x"@en
        body = Literal(str(node)).n3()
        if node.language:
            return f"{body}@{node.language}"
        dtype = node.datatype
        if dtype is None or str(dtype) == XSD_STRING:
            return body
        return f"{body}^^{_short(dtype)}"
    return node.n3()


# a digest of the files each shapes graph was read from (for caches of what is
# worked out from the shapes: kg/validation/reach.py)
SOURCE_DIGESTS: dict[int, str] = {}


@lru_cache(maxsize=8)
def parse_shapes(directory: str) -> Graph:
    """:func:`load_shapes` of a resolved folder, parsed once (``parse_shapes.cache_clear()``
    forgets the graphs)."""
    import hashlib

    g = Graph(bind_namespaces="none")
    files = sorted(Path(directory).glob("*.ttl"))
    if not files:
        raise ShapesError(f"{directory}: no shapes (*.ttl) found")
    digest = hashlib.blake2b(digest_size=16)
    for f in files:
        try:
            data = f.read_bytes()
            g.parse(data=data, format="turtle", publicID=f.as_uri())
        except OSError as e:
            raise ShapesError(f"{f}: cannot read the shapes: {e.strerror or e}") from None
        except Exception as e:  # rdflib raises several unrelated types for bad Turtle
            raise ShapesError(f"{f}: the shapes do not parse: {e}") from None
        digest.update(f.name.encode("utf-8") + b"\0" + data + b"\0")
    SOURCE_DIGESTS[id(g)] = digest.hexdigest()
    return g


def load_shapes(directory: Path | None = None) -> Graph:
    """The shapes graph: every ``*.ttl`` in ``directory`` (kg's own shapes by default).

    :raises ShapesError: if a file does not parse or there is none.
    """
    return parse_shapes(str((directory or shapes_dir()).resolve()))


ENGINES = ("auto", "pyshacl", "turbo")


def pick_engine(engine: str = "auto") -> str:
    """The SHACL engine to use: ``turbo`` (pyshacl-turbo) where installed, else ``pyshacl``.

    pyshacl-turbo runs pySHACL's API in Rust, on Oxigraph's SPARQL engine: on
    kg's shapes it validated 200 generated records in 0.7 s where pySHACL took
    18 s (docs/performance.md). tests/validation/test_shapes.py checks that both engines
    give the same results on every fixture.

    :raises UsageError: if ``engine`` is unknown or ``turbo`` is asked for and missing.
    """
    from kg.errors import UsageError

    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r} (known: {', '.join(ENGINES)})")
    if engine == "pyshacl":
        return engine
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        if engine == "turbo":
            raise UsageError(
                "the turbo engine needs pyshacl-turbo: pip install pyshacl-turbo"
            ) from None
        return "pyshacl"
    return "turbo"


def validate_graph(
    data: Graph | ox.Store,
    shapes: Graph | None = None,
    *,
    sources: Mapping[str, Location] | None = None,
    engine: str = "auto",
    compiled: bool = True,
) -> ValidationReport:
    """Validate ``data`` (an rdflib graph or a pyoxigraph store) against ``shapes``.

    The shapes are kg's unless given.

    :param sources: where known, the record each subject IRI came from, so that
        results can name the file and record.
    :param engine: ``pyshacl``, ``turbo`` (pyshacl-turbo) or ``auto`` (turbo
        where installed).
    :param compiled: with turbo, check the shapes kg/validation/compiled.py
        follows in Python (the same results; false: all in the engine, for tests).
    """
    shapes = load_shapes() if shapes is None else shapes
    options: dict[str, Any] = {
        "shacl_graph": shapes,
        "inference": "none",
        "abort_on_first": False,
        "allow_warnings": True,
        "advanced": True,
    }
    engine = pick_engine(engine)
    sources = sources or {}
    extra: list[ValidationResult] = []
    report_graph: Graph | None = None
    if engine == "turbo":
        # The SHACL-SPARQL constraints that provably allow it run once over the
        # whole data, each as one query, instead of once per focus node
        # (kg/validation/batched.py); the core constraints of the shapes that
        # kg/validation/compiled.py can follow are checked in Python; the
        # engine validates the rest.
        core, checks = split_shapes(shapes)
        store = data if isinstance(data, ox.Store) else graph_to_store(data)
        rest: Graph | None = core
        # oxigraph writes N-Triples the simple way; a triple term (RDF 1.2) is the engine's
        triples = (
            split_lines(
                store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
            )
            if compiled
            else None
        )
        if triples is not None:
            program = compile_shapes(core)
            rest = program.rest
            extra.extend(_checked(program, checks, triples, store, shapes, sources))
        if rest is not None:
            import pyshacl_turbo

            options["shacl_graph"] = rest
            _, report_graph, _ = pyshacl_turbo.validate(store, **options)
        if triples is None:
            for check in checks:
                extra.extend(_batched_results(check, store, sources))
    else:
        if isinstance(data, ox.Store):
            data = store_to_graph(data)
        import pyshacl

        with prepared_queries():
            _, report_graph, _ = pyshacl.validate(data, meta_shacl=False, **options)
    report = ValidationReport(triples=len(data), engine=engine)
    found = [] if report_graph is None else list(_results(report_graph, shapes, sources))
    # each distinct result once, as a build's batches report them
    report.merge(ValidationReport(results=[*found, *extra]))
    return report


def validate_ntriples(
    data: bytes,
    shapes: Graph,
    *,
    sources: Mapping[str, Location] | None = None,
    engine: str = "auto",
) -> ValidationReport:
    """Validate N-Triples text (a build's batch): :func:`validate_graph` of its triples.

    Where kg/validation/compiled.py follows every shape, the text is parsed
    once, the compiled checks read the triples as Python objects, and the store
    the SPARQL constraints run on holds only the triples with the predicates
    their patterns name (kg/validation/patterns.py), if they name them all.
    """
    engine = pick_engine(engine)
    if engine == "turbo":
        core, checks = split_shapes(shapes)
        program = compile_shapes(core)
        found = split_lines(data) if program.rest is None else None
        if found is not None:
            report = ValidationReport(triples=len(found), engine=engine)
            results = _checked(program, checks, found, None, shapes, sources or {})
            report.merge(ValidationReport(results=results))
            return report
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return validate_graph(store, shapes, sources=sources, engine=engine)


def _checked(
    program: Compiled,
    checks: list[SparqlCheck],
    triples: set[tuple[str, str, str]],
    store: ox.Store | None,
    shapes: Graph,
    sources: Mapping[str, Location],
) -> list[ValidationResult]:
    """The results of the compiled shapes and of the SPARQL constraints run once, on
    ``triples`` (and ``store``, the same triples, where there is one already)."""
    index = program.index(triples)
    results = list(_compiled_results(program.rows(index), shapes, sources))
    if checks and store is None:
        # the SPARQL constraints read only the triples of the predicates they name
        wanted = _read_by(tuple(checks))
        lines = [f"{s} {p} {o} .\n" for s, p, o in triples if wanted is None or p in wanted]
        store = ox.Store()
        store.bulk_load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    for check in checks:
        assert store is not None
        results.extend(_batched_results(check, store, sources, _focus_nodes(index, check)))
    return results


@lru_cache(maxsize=16)
def _read_by(checks: tuple[SparqlCheck, ...]) -> frozenset[str] | None:
    """The predicates the checks' patterns and focus nodes read; None: any predicate."""
    wanted = {f"<{RDF.type}>", f"<{RDFS.subClassOf}>"}
    for check in checks:
        found = predicates_read(check.query)
        if found is None:
            return None
        wanted |= found
    return frozenset(wanted)


def _focus_nodes(index: Index, check: SparqlCheck) -> set[Any] | None:
    """A SPARQL check's focus nodes, from the compiled checks' index of the same data (None
    where one is a blank node: the store's labels may not be the text's)."""
    found: set[str] = set()
    for target in check.targets:
        found |= index.of_class(f"<{target}>")
    if any(f[:1] != "<" for f in found):
        return None
    return {ox.NamedNode(iri(f)) for f in found}


# the report's forms of a compiled constraint: shape, path, component
_FORMS: dict[int, tuple[Constraint, str, str | None, str]] = {}


def _compiled_results(
    rows: Iterable[Row], shapes: Graph, sources: Mapping[str, Location]
) -> Iterator[ValidationResult]:
    """The results of kg/validation/compiled.py's checks, as _results takes them from an
    engine's report."""
    for c, focus, value in rows:
        forms = _FORMS.get(id(c))
        if forms is None or forms[0] is not c:
            forms = (
                c,
                _shape_name(shapes, c.shape),
                _path_name(shapes, c.path),
                _short(c.component) or "",
            )
            if len(_FORMS) > 10_000:
                _FORMS.clear()
            _FORMS[id(c)] = forms
        focus_text = str(rdflib_term(focus))
        yield ValidationResult(
            severity=c.severity,
            message=c.message,
            focus=focus_text,
            path=forms[2],
            value=None if value is None else _short(rdflib_term(value)),
            shape=forms[1],
            component=forms[3],
            source=sources.get(focus_text),
        )


def validate_dataset(
    store: ox.Store, shapes: Graph | None = None, *, engine: str = "auto"
) -> ValidationReport:
    """Validate a store graph by graph: its default graph, then each named graph alone.

    This is how kg build validates an N-Quads or TriG build, a graph per source:
    two sources may describe one work differently, each in its own graph, and
    neither description is a defect of the other. A store with only a default
    graph (any triples file) is validated whole.
    """
    named = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )
    if not named:
        return validate_graph(store, shapes, engine=engine)
    report = ValidationReport(engine=pick_engine(engine))
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [*named]
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        graphs.insert(0, ox.DefaultGraph())
    for graph in graphs:
        alone = ox.Store()
        alone.extend(
            ox.Quad(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)
        )
        report.merge(validate_graph(alone, shapes, engine=engine))
    return report


def graph_to_store(graph: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding ``graph`` (in its default graph)."""
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _batched_results(
    check: SparqlCheck,
    store: ox.Store,
    sources: Mapping[str, Location],
    focus_nodes: set[Any] | None = None,
) -> Iterator[ValidationResult]:
    """The results of a constraint run once over the whole data (kg/validation/batched.py),
    as the engine would report them."""
    shape = _short(check.shape) or ""
    for focus, bound in check.rows(store, focus_nodes):
        value = bound.get("value", focus)
        # the first of its messages, as _results takes it from an engine's report
        message = min((_fill(m, bound) for m in check.messages), default="(no message)")
        focus_text = str(focus.value)
        path = bound.get("path")
        yield ValidationResult(
            severity=check.severity,
            message=message,
            focus=focus_text,
            path=_short(_rdflib(path)) if path is not None else None,
            value=_short(_rdflib(value)),
            shape=shape,
            component="sh:SPARQLConstraintComponent",
            source=sources.get(focus_text),
        )


def store_to_graph(store: ox.Store) -> Graph:
    """An rdflib graph of a pyoxigraph store's default graph (for pySHACL)."""
    from kg.rdf.files import to_rdflib

    g = Graph(bind_namespaces="none")
    add = g.add
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _path_name(g: Graph, path: Node | None) -> str | None:
    """A property path as SPARQL writes it; pySHACL copies complex paths as blank nodes."""
    if isinstance(path, BNode):
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{_path_name(g, inverse)}"
    return _short(path)


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A property shape is a blank node: name it by the node shape that holds it."""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        if parent is not None:
            return _shape_name(shapes, parent)
    return _short(shape) or ""


def _results(
    g: Graph, shapes: Graph, sources: Mapping[str, Location]
) -> Iterable[ValidationResult]:
    for node in g.subjects(RDF.type, SH.ValidationResult):
        severity = g.value(node, SH.resultSeverity)
        focus = g.value(node, SH.focusNode)
        messages = sorted(str(m) for m in g.objects(node, SH.resultMessage))
        focus_text = str(focus)
        yield ValidationResult(
            severity=str(severity).rpartition("#")[2] if severity else "Violation",
            message=messages[0] if messages else "(no message)",
            focus=focus_text,
            path=_path_name(g, g.value(node, SH.resultPath)),
            value=_short(g.value(node, SH.value)),
            shape=_shape_name(shapes, g.value(node, SH.sourceShape)),
            component=_short(g.value(node, SH.sourceConstraintComponent)) or "",
            source=sources.get(focus_text),
        )


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _rdflib(term: Any) -> Node:
    """A pyoxigraph term as rdflib's (for the report's short forms)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(str(term.value))


def _fill(template: str, bound: Mapping[str, Any]) -> str:
    """A message template with {?name} replaced by the lexical form (or IRI) of the binding."""

    def one(m: re.Match[str]) -> str:
        term = bound.get(m.group(1))
        return "" if term is None else str(term.value)

    return _TEMPLATE.sub(one, template)
