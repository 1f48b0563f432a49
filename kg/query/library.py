"""SPARQL queries: kg's named query library, typed parameters, and one result model
for built files, the embedded store and any SPARQL 1.1 endpoint.

Parameters are bound, never pasted: each given value is turned into an RDF
term of its declared type (IRI, string, language-tagged string, integer,
date, a DOI, ISSN, ORCID iD or ROR id normalised as kg writes it, or a
name, bound with ``?NAME_across``, a pattern that finds it in any script),
checked, escaped, and bound with a ``VALUES`` block at the start of the
query's WHERE clause, so that the query sees it as a bound variable. A
parameter that is not given stays unbound (queries test it with ``BOUND``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.ids import normalize_doi, normalize_issn, normalize_orcid, normalize_ror
from kg.mapping.resolve.names import name_pattern
from kg.rdf.writers import literal
from kg.resources import queries_dir
from kg.vocab import XSD

# the suffix of the pattern bound with a parameter of type name (``?text_across``)
ACROSS = "_across"
PARAM_TYPES = (
    "iri",
    "string",
    "langstring",
    "integer",
    "date",
    "doi",
    "issn",
    "orcid",
    "ror",
    "name",
)

# Identifier types are strings normalised the way kg writes them, so that a DOI URL
# in capitals, an ISSN without its hyphen or a ror.org link find what kg stored.
_IDENTIFIERS = {
    "doi": (normalize_doi, "is not a DOI (10.NNNN/...)"),
    "issn": (normalize_issn, "is not an ISSN (NNNN-NNNC)"),
    "orcid": (normalize_orcid, "is not an ORCID iD (NNNN-NNNN-NNNN-NNNC)"),
    "ror": (normalize_ror, "is not a ROR id (0 and 8 characters)"),
}


class QueryError(UsageError):
    """A query that cannot be found, read or parsed, or given its parameters: the
    command names it wrongly, so a usage error (exit 2)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None  # None: optional and unbound unless given
    required: bool = False
    description: str = ""


@dataclass
class NamedQuery:
    """A query of the library (queries/NAME.rq), or one given as a file or as text."""

    name: str
    text: str
    source: str  # where it came from, for messages: a path, "standard input", "inline"
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    one_of: list[list[str]] = field(default_factory=list)  # at least one of these must be given
    examples: list[str] = field(default_factory=list)

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, DESCRIBE or ASK."""
        for token in _tokens(self.text):
            word = token.upper()
            if word in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
                return word
        return "SELECT"


_HEADER = re.compile(r"^#\s*(title|description|param|example|requires):\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s+(\w+)(?:\s+(required|optional|default=\S+))?\s*(?:--\s*(.*))?$")


def parse_header(name: str, text: str, source: str) -> NamedQuery:
    """Read the ``# title:``, ``# description:``, ``# param:``, ``# requires:`` and
    ``# example:`` lines that open a query file.

    :raises QueryError: for a malformed ``# param:`` line.
    """
    q = NamedQuery(name, text, source)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m is None:
            if q.description and not q.params and line.startswith("#   "):
                q.description += " " + line[1:].strip()
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            q.title = value
        elif key == "description":
            q.description = value
        elif key == "example":
            q.examples.append(value)
        elif key == "requires":
            q.one_of.append([v.strip() for v in value.split("|")])
        else:
            p = _PARAM.match(value)
            if p is None or p.group(2) not in PARAM_TYPES:
                raise QueryError(
                    f"{source}: line {n}: expected '# param: NAME TYPE [required|optional|"
                    f"default=VALUE] -- description' with TYPE one of {', '.join(PARAM_TYPES)}"
                )
            flag = p.group(3) or "optional"
            q.params.append(
                Param(
                    p.group(1),
                    p.group(2),
                    default=flag[len("default=") :] if flag.startswith("default=") else None,
                    required=flag == "required",
                    description=p.group(4) or "",
                )
            )
    return q


def library(directory: Path | None = None) -> dict[str, NamedQuery]:
    """kg's named queries: every ``*.rq`` file of ``queries/``, by file name."""
    folder = directory or queries_dir()
    out = {}
    for path in sorted(folder.glob("*.rq")):
        out[path.stem] = parse_header(path.stem, path.read_text(encoding="utf-8"), str(path))
    return out


def resolve(spec: str, stdin_text: str | None = None) -> NamedQuery:
    """A query from a library name, a ``.rq`` file, ``-`` (standard input) or SPARQL text.

    :raises QueryError: if it is none of these.
    """
    if spec == "-":
        text = stdin_text if stdin_text is not None else sys.stdin.read()
        return parse_header("stdin", text, "standard input")
    lib = library()
    if spec in lib:
        return lib[spec]
    path = Path(spec)
    if path.suffix == ".rq" or (len(spec) < 300 and "\n" not in spec and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"{spec}: cannot read the query: {e.strerror or e}") from None
        return parse_header(path.stem, text, spec)
    if re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", spec, re.IGNORECASE):
        return parse_header("inline", spec, "the query text")
    raise QueryError(
        f"{spec!r} is not a library query, a .rq file or SPARQL text",
        hint=f"kg query --list shows the library ({', '.join(sorted(lib)) or 'empty'})",
    )


def term_for(param: Param, value: str) -> str:
    """The value as an RDF term of the parameter's type, in SPARQL (N-Triples) syntax.

    :raises QueryError: if the value does not fit the type.
    """
    problem = None
    if param.type == "iri":
        try:
            node = ox.NamedNode(value)
        except ValueError:
            problem = "is not an absolute IRI"
        else:
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                problem = "is not an absolute IRI"
            else:
                return f"<{node.value}>"
    elif param.type == "integer":
        if re.fullmatch(r"[+-]?\d+", value.strip()):
            return literal(str(int(value)), datatype=XSD + "integer")
        problem = "is not an integer"
    elif param.type == "date":
        try:
            return literal(date.fromisoformat(value.strip()).isoformat(), datatype=XSD + "date")
        except ValueError:
            problem = "is not a date (YYYY-MM-DD)"
    elif param.type in _IDENTIFIERS:
        normalize, problem = _IDENTIFIERS[param.type]
        normalized = normalize(value)
        if normalized is not None:
            return literal(normalized)
    elif param.type == "langstring":
        text, _, lang = value.rpartition("@")
        if text and re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*", lang):
            return literal(text, lang.lower())
        problem = "is not a language-tagged text such as 'regional clusters@en'"
    else:
        return literal(value)
    raise QueryError(f"parameter {param.name}: {value!r} {problem}")


def bind(query: NamedQuery, given: Mapping[str, str]) -> dict[str, str]:
    """The SPARQL terms for the parameters: given values, then defaults.

    :raises QueryError: for an unknown parameter or a missing required one.
    """
    declared = {p.name: p for p in query.params}
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise QueryError(f"{query.name}: unknown parameter {name!r} (its parameters: {known})")
    terms = {}
    for p in query.params:
        value = given.get(p.name, p.default)
        if value is None:
            if p.required:
                raise QueryError(
                    f"{query.name}: parameter {p.name!r} is required "
                    f"({p.type}{': ' + p.description if p.description else ''})"
                )
            continue
        terms[p.name] = term_for(p, value)
        if p.type == "name":
            # a name in any script: also ?NAME_across, a regular expression that finds
            # it in Cyrillic and in the Latin transliterations (docs/names-across-scripts.md)
            terms[p.name + ACROSS] = literal(name_pattern(value))
    for group in query.one_of:
        if not any(name in terms for name in group):
            raise QueryError(f"{query.name}: give one of the parameters {', '.join(group)}")
    return terms


def _tokens(text: str) -> Iterable[str]:
    """The words of a query outside comments, strings and IRIs (enough to find keywords)."""
    yield from (m.group(0) for m in _LEX.finditer(text) if m.lastgroup == "word")


_LEX = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<var>[?$][A-Za-z_0-9]\w*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<brace>\{)"
    r"|(?P<close>\})"
    r"|(?P<other>.)",
    re.DOTALL,
)


def _constants(text: str, terms: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The query with each ``?NAME_across`` written as its pattern, a constant; the
    other terms. Oxigraph compiles a REGEX pattern once when it is a constant, for
    every row when it is a variable (measured: 0.2 s against 70 s for
    author-works-by-name on 20,000 records). The pattern is kg's (names.name_pattern,
    from a key of ASCII letters and digits), escaped as a literal, never the user's."""
    pasted = {k: v for k, v in terms.items() if k.endswith(ACROSS)}
    if not pasted:
        return text, dict(terms)
    out = []
    for m in _LEX.finditer(text):
        name = m.group(0)[1:] if m.lastgroup == "var" else None
        out.append(pasted[name] if name in pasted else m.group(0))
    return "".join(out), {k: v for k, v in terms.items() if k not in pasted}


def with_values(text: str, terms: Mapping[str, str]) -> str:
    """The query with a ``VALUES`` block binding ``terms`` at the start of its WHERE
    clause, and of the WHERE clause of every subquery (which do not see the outer
    bindings), so that every pattern can use them.

    A query level gets only the parameters it mentions (in its projection or its
    own patterns, not counting its subqueries'): Oxigraph plans a group that joins
    an unused VALUES block with OPTIONALs several times slower (measured: 5.4 s
    against 1.1 s for retractions-by-institution-name on 100k articles).

    :raises QueryError: if the query has no WHERE clause to bind them in.
    """
    text, terms = _constants(text, terms)
    if not terms:
        return text
    tokens = list(_LEX.finditer(text))
    # each query level: (the brace that opens its WHERE group, where its form starts)
    levels: list[tuple[int, int]] = []
    seen_where = seen_form = False
    form_at = 0
    for i, m in enumerate(tokens):
        kind = m.lastgroup
        if kind == "word":
            word = m.group(0).upper()
            if word == "WHERE":
                seen_where = True
            elif word in ("SELECT", "ASK", "DESCRIBE"):
                seen_form, form_at = True, i
            elif word == "CONSTRUCT":
                seen_form, seen_where = True, False  # wait for WHERE: braces open the template
                form_at = i
        elif kind == "brace" and (seen_where or (seen_form and _no_template(text, m.start()))):
            levels.append((i, form_at))
            seen_where = seen_form = False
    if not levels:
        raise QueryError("the query has no WHERE clause to bind its parameters in")
    closes, enclosing = _braces(tokens)

    def level_end(form: int) -> int:
        # a subquery runs to the brace that closes the group around it, so that
        # its GROUP BY, HAVING, ORDER BY and LIMIT belong to it
        around = enclosing.get(form)
        return len(tokens) if around is None else closes.get(around, len(tokens))

    nested = [(form, level_end(form)) for _, form in levels]
    out: list[str] = []
    last = 0
    for n, (brace, form) in enumerate(levels):
        end = nested[n][1]
        inner = [(f, e) for f, e in nested[n + 1 :] if f > brace and e <= end]
        mentioned = {
            tokens[j].group(0)[1:]
            for j in range(form, end)
            if tokens[j].lastgroup == "var" and not any(f <= j < e for f, e in inner)
        }
        names = sorted(name for name in terms if name in mentioned)
        if not names:
            continue
        values = (
            f"VALUES ({' '.join('?' + k for k in names)}) "
            f"{{ ({' '.join(terms[k] for k in names)}) }} "
        )
        m = tokens[brace]
        out.append(text[last : m.end()] + " " + values)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _braces(tokens: list[re.Match[str]]) -> tuple[dict[int, int], dict[int, int]]:
    """Token index of each ``{`` -> that of its ``}``; and of each token -> that of
    the innermost ``{`` around it."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    enclosing: dict[int, int] = {}
    for i, m in enumerate(tokens):
        if stack:
            enclosing[i] = stack[-1]
        if m.lastgroup == "brace":
            stack.append(i)
        elif m.lastgroup == "close" and stack:
            pairs[stack.pop()] = i
    return pairs, enclosing


def _no_template(text: str, pos: int) -> bool:
    """For ASK and SELECT without WHERE, the first brace opens the pattern; for CONSTRUCT
    the first brace opens the template (``CONSTRUCT WHERE {`` aside)."""
    head = " ".join(_tokens(text[:pos])).upper()
    return "CONSTRUCT" not in head


@dataclass(frozen=True)
class Term:
    """An RDF term in a result: ``uri``, ``literal`` or ``bnode``."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def of(cls, t: object) -> Term:
        if isinstance(t, ox.NamedNode):
            return cls("uri", t.value)
        if isinstance(t, ox.BlankNode):
            return cls("bnode", t.value)
        if isinstance(t, ox.Literal):
            dt = t.datatype.value
            return cls(
                "literal", t.value, t.language, None if t.language or dt == XSD + "string" else dt
            )
        raise InputError(f"unsupported term in results: {t!r}")

    def sparql_json(self) -> dict[str, str]:
        d = {"type": self.kind, "value": self.value}
        if self.lang:
            d["xml:lang"] = self.lang
        if self.datatype:
            d["datatype"] = self.datatype
        return d

    def nt(self) -> str:
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        return literal(self.value, self.lang, self.datatype)


@dataclass
class QueryResult:
    """What a query gave: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def run_local(store: ox.Store, query: NamedQuery, terms: Mapping[str, str]) -> QueryResult:
    """Run a query over a pyoxigraph store, seeing the union of all its graphs.

    :raises QueryError: if the query does not parse (naming its source and line).
    """
    text = with_values(query.text, terms)
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(f"{query.source}: {_syntax(e)}") from None
    return _result(query.form, result)


def check_syntax(query: NamedQuery, terms: Mapping[str, str]) -> None:
    """Parse the query (with its parameters bound) before sending it anywhere.

    :raises QueryError: naming the query's source and line.
    """
    run_local(ox.Store(), query, terms)


def _syntax(e: SyntaxError) -> str:
    # VALUES is added on the line of the WHERE brace, so line numbers are the file's
    message = str(e)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if m:
        message = f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    return f"not valid SPARQL: {message}"


def _result(form: str, result: object) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return QueryResult(
            form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=list(result)
        )
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for v in variables:
            t = solution[v]
            if t is not None:
                row[v] = Term.of(t)
        rows.append(row)
    return QueryResult("SELECT", variables, rows)


def load_data(paths: Sequence[Path]) -> ox.Store:
    """An in-memory store of RDF files (their named graphs kept), to query built files."""
    from kg.rdf.files import read_quads

    store = ox.Store()
    store.extend(read_quads(paths))
    return store
