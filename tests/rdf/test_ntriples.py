"""kg writes RDF text itself (for speed); these tests hold it to what real parsers read."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kg.iris import IriMinter, path, segment
from kg.rdf.writers import NQuadsWriter, NTriplesWriter, TriGWriter, TurtleWriter, iri, literal
from kg.vocab import DC_TITLE, TYPE, XSD

NASTY = [
    'He said "hi"',
    "back\\slash",
    "line\nbreak",
    "carriage\rreturn",
    "tab\tchar",
    "bell\x07",
    "del\x7f",
    "emoji 😀",
    "Кириллица",
    "עברית",
    '"""',
    'ends with "',
    "@en",
    "",
    " leading and trailing ",
    "\\u0041 is not an escape",
    "a'b",
    "<not an iri>",
]
S = "https://example.org/kg/"


def blocks() -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for i, text in enumerate(NASTY):
        subject = iri(f"{S}doi/{path('10.1002/(SICI)[x] y<z>%' + str(i))}")
        out.append(
            (
                subject,
                [
                    (TYPE, iri("http://purl.org/spar/fabio/JournalArticle")),
                    (DC_TITLE, literal(text, "en")),
                    (DC_TITLE, literal(text)),
                    (iri(f"{S}p/{segment('a b/c')}"), literal(text, datatype=XSD + "string")),
                    (iri(f"{S}year"), literal("2015", datatype=XSD + "gYear")),
                ],
            )
        )
    return out


def expected() -> set[tuple[str, str, str, str | None, str | None]]:
    rows = set()
    for subject, pairs in blocks():
        for p, o in pairs:
            rows.add((subject, p, o))
    return {_key(s, p, o) for s, p, o in rows}


def _key(s: str, p: str, o: str) -> tuple[str, str, str, str | None, str | None]:
    parsed = next(iter(ox.parse(f"{s} {p} {o} .\n".encode(), format=ox.RdfFormat.N_TRIPLES)))
    obj = parsed.object
    if isinstance(obj, ox.Literal):
        return (
            parsed.subject.value,
            parsed.predicate.value,
            obj.value,
            obj.language,
            obj.datatype.value,
        )
    return (parsed.subject.value, parsed.predicate.value, obj.value, None, None)


def write(writer_cls: type, graph: str | None = None) -> str:
    buf = io.StringIO()
    w = writer_cls(buf)
    w.start()
    for subject, pairs in blocks():
        w.block(subject, pairs, graph)
    w.finish()
    return buf.getvalue()


def oxigraph_rows(
    text: str, fmt: ox.RdfFormat
) -> set[tuple[str, str, str, str | None, str | None]]:
    rows = set()
    for q in ox.parse(text.encode("utf-8"), format=fmt):
        o = q.object
        if isinstance(o, ox.Literal):
            rows.add((q.subject.value, q.predicate.value, o.value, o.language, o.datatype.value))
        else:
            rows.add((q.subject.value, q.predicate.value, o.value, None, None))
    return rows


@pytest.mark.parametrize(
    "writer, fmt",
    [
        (NTriplesWriter, ox.RdfFormat.N_TRIPLES),
        (TurtleWriter, ox.RdfFormat.TURTLE),
        (NQuadsWriter, ox.RdfFormat.N_QUADS),
        (TriGWriter, ox.RdfFormat.TRIG),
    ],
)
def test_pyoxigraph_reads_back_exactly_what_was_written(writer: type, fmt: ox.RdfFormat) -> None:
    graph = f"<{S}graph/a>" if writer in (NQuadsWriter, TriGWriter) else None
    assert oxigraph_rows(write(writer, graph), fmt) == expected()


@pytest.mark.parametrize("writer, fmt", [(NTriplesWriter, "nt"), (TurtleWriter, "turtle")])
def test_rdflib_reads_back_the_same_graph(writer: type, fmt: str) -> None:
    g = Graph()
    g.parse(data=write(writer), format=fmt)
    ref = Graph()
    ref.parse(data=write(NTriplesWriter), format="nt")
    assert len(g) == len(ref) == len(expected())
    assert set(g) == set(ref)
    assert set(g.objects(None, URIRef(f"{S}year"))) == {
        Literal("2015", datatype=URIRef(XSD + "gYear"))
    }


def test_trig_keeps_the_graph_name() -> None:
    ds = Dataset()
    ds.parse(data=write(TriGWriter, f"<{S}graph/a>"), format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert f"{S}graph/a" in names


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor's rapper is not installed")
@pytest.mark.parametrize("writer, syntax", [(NTriplesWriter, "ntriples"), (TurtleWriter, "turtle")])
def test_raptor_parses_the_output(tmp_path: Path, writer: type, syntax: str) -> None:
    f = tmp_path / "out.txt"
    f.write_text(write(writer), encoding="utf-8")
    run = subprocess.run(["rapper", "-i", syntax, "-c", str(f)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"returned {len(expected())} triples" in run.stderr


def test_turtle_declares_prefixes_once_and_groups_by_subject() -> None:
    text = write(TurtleWriter)
    assert text.count("@prefix fabio:") == 1
    assert text.count("a fabio:JournalArticle") == len(NASTY)


def test_minted_iris_are_valid_whatever_the_input() -> None:
    m = IriMinter("https://example.org/kg/")
    for value in ["10.1002/(SICI)1097 x", '10.1000/a<b>{c}|d^e`f\\g"h', "10.1000/Тест", "10.1/#?%"]:
        node = m.doi(value)
        ox.NamedNode(node)  # raises ValueError on an invalid IRI
        assert node.isascii() and " " not in node
