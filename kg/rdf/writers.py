"""RDF terms as N-Triples text, and streaming writers for N-Triples, N-Quads, Turtle and TriG.

Why kg formats RDF itself instead of going through rdflib or pyoxigraph terms:
measured on this project's machines (docs/performance.md, and the shared
PERFORMANCE-NOTES), mapping records to N-Triples strings runs at about 1M
triples/s, pyoxigraph terms at about 0.2M and rdflib ``Graph.add`` at about
55k. kg's mapping therefore produces terms already in N-Triples syntax, and the
writers below stream them without holding the graph. Their output is checked
by parsing it back with rdflib, pyoxigraph and raptor in the tests.

A *block* is one subject with its (predicate, object) pairs in order; the
Turtle writer prints a block as one subject with ``;`` and ``,`` lists.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Callable, Iterable
from typing import IO

from kg.vocab import PREFIXES, TYPE, XSD

Block = tuple[str, list[tuple[str, str]]]

_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def iri(value: str) -> str:
    """An IRI reference; the value must already be a valid IRI (see kg/iris.py)."""
    return f"<{value}>"


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal with a language tag or a datatype IRI (plain strings have neither)."""
    body = _ESCAPE.sub(_escape_char, text) if _ESCAPE.search(text) else text
    if lang is not None:
        return f'"{body}"@{lang}'
    if datatype is not None:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


class Abbreviator:
    """Turns full IRIs into prefixed names where Turtle allows it; caches the answers."""

    _LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {TYPE: "a"}

    def term(self, term: str) -> str:
        found = self.cache.get(term)
        if found is not None:
            return found
        out = term
        if term.startswith("<"):
            value = term[1:-1]
            for prefix, ns in self.prefixes:
                if value.startswith(ns) and self._LOCAL.match(value[len(ns) :]):
                    out = f"{prefix}:{value[len(ns) :]}"
                    self.cache[term] = out  # only vocabulary terms get here: few
                    break
        return out

    def obj(self, term: str) -> str:
        if term[0] == "<":
            return self.term(term)
        if term[-1] == ">":
            head, _, dtype = term.rpartition("^^<")
            if dtype.startswith(XSD):
                return f"{head}^^xsd:{dtype[len(XSD) : -1]}"
            return f"{head}^^{self.term('<' + dtype)}"
        return term


class RdfWriter:
    """Base of the streaming writers: ``start``, any number of ``block`` calls, ``finish``."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def start(self) -> None:
        """Write what comes before the first block."""

    def block(self, subject: str, pairs: list[tuple[str, str]], graph: str | None = None) -> None:
        raise NotImplementedError

    #: whether :meth:`lines` needs the block's pairs (Turtle groups them) or only its lines
    wants_pairs = True

    def lines(
        self,
        subject: str,
        text: str | bytes,
        pairs: list[tuple[str, str]] | None,
        graph: str | None = None,
    ) -> None:
        """Write a block given as N-Triples ``text`` (and its ``pairs`` if :attr:`wants_pairs`)."""
        if self.wants_pairs:
            assert pairs is not None
            self.block(subject, pairs, graph)
        else:
            self.text(text, graph)

    def text(self, text: str | bytes, graph: str | None) -> None:
        """Write N-Triples ``text`` (str, or UTF-8 bytes) as it is (writers that do not want
        pairs)."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what comes after the last block."""


def nt_lines(subject: str, pairs: list[tuple[str, str]]) -> str:
    """The N-Triples lines of one block."""
    return "".join([f"{subject} {p} {o} .\n" for p, o in pairs])  # a list: faster than a generator


def byte_sink(out: IO[str]) -> Callable[[bytes], object] | None:
    """Where UTF-8 bytes can go straight into ``out``, or None: an output's own
    ``write_bytes`` (kg's shards), or the binary buffer under a UTF-8 text file that
    translates no line ends (a file, standard output).

    A parallel build's workers encode their text (kg/build/blocks.py): the main
    process then neither decodes it from the pipe nor encodes it for the file, which
    were about half of its time writing (measured on 20,000 records: unpickling
    str 0.72 s against bytes 0.15 s, writing str 1.07 s against bytes 0.48 s).
    """
    write_bytes: Callable[[bytes], object] | None = getattr(out, "write_bytes", None)
    if write_bytes is not None:
        return write_bytes
    if (
        isinstance(out, io.TextIOWrapper)
        and os.linesep == "\n"
        and codecs.lookup(out.encoding).name == "utf-8"
    ):
        out.flush()  # what was written as text goes first
        buffer: IO[bytes] = out.buffer
        return buffer.write
    return None


class _LineWriter(RdfWriter):
    """N-Triples and N-Quads: lines, written as bytes where the output takes them."""

    wants_pairs = False

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.sink: Callable[[bytes], object] | None = None  # found at the first write

    def _put(self, text: str | bytes) -> None:
        sink = self.sink
        if sink is None:
            sink = self.sink = byte_sink(self.out) or self._as_text
        if isinstance(text, bytes):
            sink(text)
        elif sink is self._as_text:
            self.out.write(text)
        else:
            sink(text.encode("utf-8"))

    def _as_text(self, data: bytes) -> None:
        self.out.write(data.decode("utf-8"))


class NTriplesWriter(_LineWriter):
    def block(self, subject: str, pairs: list[tuple[str, str]], graph: str | None = None) -> None:
        self._put(nt_lines(subject, pairs))

    def text(self, text: str | bytes, graph: str | None) -> None:
        self._put(text)


class NQuadsWriter(_LineWriter):
    def block(self, subject: str, pairs: list[tuple[str, str]], graph: str | None = None) -> None:
        g = f" {graph}" if graph else ""
        self._put("".join(f"{subject} {p} {o}{g} .\n" for p, o in pairs))

    def text(self, text: str | bytes, graph: str | None) -> None:
        # an N-Triples line ends in " .\n" and nowhere else (literals escape line breaks)
        if graph:
            if isinstance(text, bytes):
                text = text.replace(b" .\n", f" {graph} .\n".encode())
            else:
                text = text.replace(" .\n", f" {graph} .\n")
        self._put(text)


class TurtleWriter(RdfWriter):
    """Turtle grouped by subject, prefixes declared once; streams block by block.

    Blocks of one subject that come one after the other (a work's description
    and what other sources add to it) are written as one statement.
    """

    indent = "    "

    def __init__(self, out: IO[str], prefixes: dict[str, str] | None = None) -> None:
        super().__init__(out)
        self.prefixes = PREFIXES if prefixes is None else prefixes
        self.abbr = Abbreviator(self.prefixes)
        self.subject: str | None = None  # the statement still open

    def start(self) -> None:
        self.out.write("".join(f"@prefix {k}: <{v}> .\n" for k, v in self.prefixes.items()))

    def _body(self, pairs: list[tuple[str, str]], indent: str) -> str:
        abbr = self.abbr
        by_predicate: dict[str, list[str]] = {}
        for p, o in pairs:  # objects of one predicate together, predicates in first-seen order
            by_predicate.setdefault(p, []).append(abbr.obj(o))
        sep = f",\n{indent}{self.indent}{self.indent}"
        return " ;".join(
            f"\n{indent}{self.indent}{abbr.term(p)} {sep.join(objs)}"
            for p, objs in by_predicate.items()
        )

    def _write(self, subject: str, pairs: list[tuple[str, str]], indent: str) -> None:
        if subject == self.subject:
            self.out.write(" ;" + self._body(pairs, indent))
            return
        self._end()
        self.out.write(f"\n{indent}{self.abbr.term(subject)}{self._body(pairs, indent)}")
        self.subject = subject

    def _end(self) -> None:
        if self.subject is not None:
            self.out.write(" .\n")
            self.subject = None

    def block(self, subject: str, pairs: list[tuple[str, str]], graph: str | None = None) -> None:
        self._write(subject, pairs, "")

    def finish(self) -> None:
        self._end()


class TriGWriter(TurtleWriter):
    """TriG: Turtle blocks inside ``GRAPH { }``; blocks of one graph should come together."""

    def __init__(self, out: IO[str], prefixes: dict[str, str] | None = None) -> None:
        super().__init__(out, prefixes)
        self.graph: str | None = None
        self.open = False

    def block(self, subject: str, pairs: list[tuple[str, str]], graph: str | None = None) -> None:
        if graph != self.graph or not self.open:
            self._close()
            self.out.write(f"\n{graph} {{" if graph else "\n{")
            self.graph, self.open = graph, True
        self._write(subject, pairs, self.indent)

    def _close(self) -> None:
        if self.open:
            self._end()
            self.out.write("}\n")
            self.open = False

    def finish(self) -> None:
        self._close()


def write_blocks(writer: RdfWriter, blocks: Iterable[Block]) -> None:
    """Write a sequence of blocks with one writer (start, blocks, finish)."""
    writer.start()
    for subject, pairs in blocks:
        writer.block(subject, pairs)
    writer.finish()
