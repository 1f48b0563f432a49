"""RDF terms in their N-Triples form, as kg/validation/compiled.py reads a batch's triples.

Python compares and hashes strings much faster than pyoxigraph's term objects
(a dictionary of a batch's 17,600 triples by subject took 50 ms with them, 10
ms with strings), so the compiled checks take each triple as three strings:
``<iri>``, ``_:label`` or a literal ``"..."``, ``"..."@lang``,
``"..."^^<datatype>``. Within one batch every term is written one way (by
kg's writer, or by oxigraph's), so equal strings are equal terms. A literal's
parts and its rdflib form (for the comparisons that follow rdflib's view of
literals, as pySHACL's do) are worked out once per distinct literal.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.term import Node

STRING = str(XSD.string)
LANG_STRING = str(RDF.langString)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _SIMPLE.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


def split_lines(data: bytes) -> set[tuple[str, str, str]] | None:
    """The distinct triples of N-Triples text as (subject, predicate, object) strings; None
    when a line is not written the simple way (single spaces, ``" ."`` at the end), so that
    the caller parses it properly."""
    found: set[tuple[str, str, str]] = set()
    add = found.add
    for line in data.decode("utf-8").splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3:
            if not line or line[0] == "#":
                continue
            return None
        s, p, o = parts
        if not (s and p and len(o) > 3 and o[-2:] == " ." and p[0] == "<" and p[-1] == ">"):
            return None
        if s[0] not in "<_" or o[0] not in '<_"' or o[-3] == " " or "<<" in (s[:2], o[:2]):
            return None
        add((s, p, o[:-2]))
    return found


_LITERALS: dict[str, tuple[str, str, str | None]] = {}


def literal(term: str) -> tuple[str, str, str | None]:
    """A literal's lexical form, datatype IRI (``rdf:langString`` with a language) and
    language."""
    found = _LITERALS.get(term)
    if found is None:
        end = term.rindex('"')
        lexical = _unescape(term[1:end])
        suffix = term[end + 1 :]
        if suffix.startswith("@"):
            found = (lexical, LANG_STRING, suffix[1:])
        elif suffix.startswith("^^<"):
            found = (lexical, _unescape(suffix[3:-1]), None)
        else:
            found = (lexical, STRING, None)
        if len(_LITERALS) > 200_000:
            _LITERALS.clear()
        _LITERALS[term] = found
    return found


def iri(term: str) -> str:
    return _unescape(term[1:-1])


_RDFLIB: dict[str, Node] = {}


def rdflib_term(term: str) -> Node:
    """A term as rdflib holds it when it parses a file: a plain literal has no datatype."""
    found = _RDFLIB.get(term)
    if found is None:
        first = term[:1]
        if first == "<":
            found = URIRef(iri(term))
        elif first == "_":
            found = BNode(term[2:])
        else:
            lexical, datatype, language = literal(term)
            if language:
                found = Literal(lexical, lang=language)
            elif datatype == STRING:
                found = Literal(lexical)
            else:
                found = Literal(lexical, datatype=URIRef(datatype))
        if len(_RDFLIB) > 200_000:
            _RDFLIB.clear()
        _RDFLIB[term] = found
    return found


def text(term: str) -> str | None:
    """The string sh:pattern matches, as pySHACL takes it: an IRI, or a literal's lexical
    form as rdflib holds it (a typed literal's normalised); None for a blank node."""
    first = term[:1]
    if first == "<":
        return iri(term)
    if first == "_":
        return None
    lexical, datatype, _ = literal(term)
    if datatype in (STRING, LANG_STRING):
        return lexical
    return str(rdflib_term(term))


# the Python types pySHACL expects of a well-formed literal's value, by datatype
_VALUE_TYPES: dict[str, type] = {
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}
_RDFS_LITERAL = str(RDFS.Literal)


def datatype_ok(term: str, rule: str) -> bool:
    """Whether a value node matches ``sh:datatype rule`` as pySHACL decides it: a literal of
    that datatype, well formed (rdflib's ``ill_typed``) and of the value type pySHACL checks
    (rdfs:Datatype as the rule is not compiled)."""
    if term[:1] != '"':
        return False
    if rule == _RDFS_LITERAL:
        return True
    _, datatype, language = literal(term)
    if language:
        return rule == LANG_STRING
    if datatype != rule:
        return False
    if datatype == STRING:
        return True
    lit = rdflib_term(term)
    if getattr(lit, "ill_typed", None) is True:
        return False
    wanted = _VALUE_TYPES.get(rule)
    return wanted is None or isinstance(lit.value, wanted)  # type: ignore[attr-defined]
