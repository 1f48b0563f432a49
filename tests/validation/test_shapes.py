"""Every SHACL shape in shapes/ accepts good data and catches the defects it is for.

``shapes/valid/*.ttl`` are complete graphs that must give no result at all.
``shapes/invalid/*.ttl`` are each a copy of a valid graph with one defect, named
by the comment that opens the file::

    # expect: <severity> <shape> <path or -> : <what>

Further ``# expect:`` lines right below it name results that the same defect
cannot help causing (a broken chain is seen from the article and from the
volume). A fixture must give every expected result and no other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import RDF, SH, Graph, URIRef

from kg.rdf.files import read_graph
from kg.validation.shacl import (
    KGSH,
    ValidationReport,
    ValidationResult,
    load_shapes,
    validate_graph,
)

SHAPES = Path(__file__).resolve().parents[2] / "shapes"
FIXTURES = Path(__file__).resolve().parents[1] / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
EXPECT = re.compile(r"# expect: (Violation|Warning|Info) (\S+) (\S+) : (.+)")

# Defects the shapes should catch but do not: shapes/ bugs, reported, not yet fixed.
SHAPE_BUGS: dict[str, str] = {}


class Expect(NamedTuple):
    severity: str
    shape: str
    path: str | None  # None: any path (written "-")
    what: str

    def matches(self, r: ValidationResult) -> bool:
        return (r.severity, r.shape) == (self.severity, self.shape) and self.path in (None, r.path)


def expectations(fixture: Path) -> list[Expect]:
    """The ``# expect:`` lines that open the file (at least one)."""
    found = []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        m = EXPECT.fullmatch(line)
        if m is None:
            break
        severity, shape, path, what = m.groups()
        found.append(Expect(severity, shape, None if path == "-" else path, what))
    assert found, f"{fixture.name}: must open with '# expect: <severity> <shape> <path|-> : <what>'"
    return found


def shapes_graph() -> Graph:
    return load_shapes(SHAPES)


def validate(fixture: Path) -> ValidationReport:
    return validate_graph(read_graph([fixture]), shapes_graph())


def param(fixture: Path) -> object:
    """A test case per fixture: an expected failure where it shows a known shape bug."""
    reason = SHAPE_BUGS.get(fixture.stem)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(fixture, id=fixture.stem, marks=marks)


@pytest.mark.parametrize("fixture", [param(f) for f in VALID])
def test_valid_fixture_conforms_without_any_result(fixture: Path) -> None:
    report = validate(fixture)
    assert report.conforms, report.to_text()
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("fixture", [param(f) for f in INVALID])
def test_invalid_fixture_gives_exactly_its_expected_results(fixture: Path) -> None:
    expected = expectations(fixture)
    report = validate(fixture)
    for e in expected:
        assert any(e.matches(r) for r in report.results), f"missing: {e}\n{report.to_text()}"
    unexpected = [r for r in report.results if not any(e.matches(r) for e in expected)]
    assert not unexpected, f"results the defect does not explain:\n{report.to_text()}"
    # a Violation fails the graph; Warnings alone never do
    assert report.conforms == all(e.severity != "Violation" for e in expected), report.to_text()


def test_every_shape_has_fixtures() -> None:
    shapes = shapes_graph()
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    names = {f"kgsh:{s.removeprefix(KGSH)}" for s in node_shapes}
    tested = {expectations(f)[0].shape for f in INVALID if f.stem not in SHAPE_BUGS}
    assert names - tested == set(), "node shapes without an invalid fixture"

    valid = Graph()
    for f in VALID:
        valid += read_graph([f])
    targets = set(shapes.objects(None, SH.targetClass))
    instantiated = {c for c in targets if (None, RDF.type, c) in valid}
    assert targets - instantiated == set(), "target classes without a valid instance"


def _key(report: ValidationReport) -> set[tuple[str | None, ...]]:
    return {(r.severity, r.shape, r.focus, r.path, r.value, r.message) for r in report.results}


@pytest.mark.parametrize(
    "fixture", [pytest.param(f, id=f"{f.parent.name}/{f.stem}") for f in VALID + INVALID]
)
def test_turbo_engine_agrees_with_pyshacl(fixture: Path) -> None:
    """kg validates with pyshacl-turbo where it is installed; pySHACL is the reference."""
    pytest.importorskip("pyshacl_turbo")
    graph = read_graph([fixture])
    reference = validate_graph(graph, shapes_graph(), engine="pyshacl")
    fast = validate_graph(graph, shapes_graph(), engine="turbo")
    assert (reference.engine, fast.engine) == ("pyshacl", "turbo")
    assert _key(fast) == _key(reference)


def test_a_shape_level_message_is_not_given_to_another_constraints_results() -> None:
    """A node shape's sh:message is attached by the engines to every result of that shape:
    the title-or-identifier rule has a shape of its own, so WorkShape's results keep theirs."""
    two_first = validate(FIXTURES / "invalid" / "author-two-first.ttl")
    assert [r.message for r in two_first.results if "two first authors" in r.message]
    assert not [r for r in two_first.results if "title (dcterms:title) or" in r.message]
