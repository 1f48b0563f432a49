"""Every term kg emits is defined in ontology/, and its profile (kg.ttl) lists exactly them."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import vocab
from kg.build.pipeline import build
from kg.mapping.ror import build_index
from kg.resources import ontology_dir

HERE = Path(__file__).resolve().parent
RDF_TYPE = vocab.RDF + "type"
KG_PROFILE = "https://w3id.org/kg/ontology"
# The RDF language itself (rdf:type) is not a vocabulary kg copies.
BUILT_IN = (vocab.RDF,)
NOT_TERMS = [
    "pso:retracted",
    "fabio:hasEIssn",
    "fabio:hasPrintIssn",
    "prism:number",
    "cito:isRetractionOf",
    "fabio:RetractedArticle",
    "pro:affiliate",
    "datacite:eIssn",
]


def expand(curie: str) -> str:
    prefix, local = curie.split(":")
    return vocab.PREFIXES[prefix] + local


@pytest.fixture(scope="module")
def defined() -> set[str]:
    terms = set()
    for f in sorted(ontology_dir().glob("*.ttl")):
        for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
                terms.add(t.subject.value)
    return terms


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory, data_dir_module: Path) -> set[str]:
    """Vocabulary terms in real output: predicates, classes, and IRIs in vocabulary namespaces."""
    out = tmp_path_factory.mktemp("onto") / "out.nq"  # N-Quads: with the graphs' provenance
    inputs = [data_dir_module, HERE / "cases" / "all-features", HERE / "data" / "samples"]
    build(inputs, out, validate=False)
    # and with a local ROR index (departments and ROR parents: org:subOrganizationOf)
    ror = out.parent / "ror"
    ror.mkdir()
    build_index(HERE / "data" / "ror" / "ror_records.json", ror / "ror.sqlite")
    affiliations = [{"name": "Department of Physics, Yonsei University College of Dentistry"}]
    work = {
        "id": "a",
        "title": {"en": "A"},
        "authors": [{"name": "A", "affiliations": affiliations}],
    }
    (ror / "records.json").write_text(json.dumps([work]), encoding="utf-8")
    build([ror / "records.json"], ror / "out.nq", validate=False, ror_index=ror / "ror.sqlite")
    namespaces = tuple(ns for prefix, ns in vocab.PREFIXES.items())
    terms = set()
    for path in (out, ror / "out.nq"):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            terms.add(t.predicate.value)
            for node in (t.subject, t.object):
                if isinstance(node, ox.NamedNode) and node.value.startswith(namespaces):
                    terms.add(node.value)
    return terms


@pytest.fixture(scope="module")
def data_dir_module() -> Path:
    return HERE.parent / "data"


def test_every_emitted_term_is_defined_in_ontology(emitted: set[str], defined: set[str]) -> None:
    undefined = sorted(t for t in emitted if t not in defined and not t.startswith(BUILT_IN))
    assert undefined == []


def test_the_build_exercises_every_term_kg_can_emit(emitted: set[str]) -> None:
    # so that the test above covers them all
    assert sorted(vocab.emitted_terms() - emitted) == []


def test_profile_lists_exactly_the_terms_kg_emits() -> None:
    profile = {
        t.object.value
        for t in ox.parse(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE)
        if t.subject.value == KG_PROFILE and t.predicate.value == vocab.KGO + "emits"
    }
    assert profile == vocab.emitted_terms()


def test_every_profile_term_says_why_it_is_used() -> None:
    usage = {
        t.subject.value
        for t in ox.parse(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE)
        if t.predicate.value == vocab.KGO + "usage"
    }
    assert sorted(vocab.emitted_terms() - usage) == []


def test_terms_that_do_not_exist_are_neither_defined_nor_emitted(
    emitted: set[str], defined: set[str]
) -> None:
    for curie in NOT_TERMS:
        assert expand(curie) not in defined, curie
        assert expand(curie) not in emitted, curie


def test_every_vocabulary_file_is_attributed() -> None:
    readme = (ontology_dir() / "README.md").read_text(encoding="utf-8")
    for f in sorted(ontology_dir().glob("*.ttl")):
        if f.name != "kg.ttl":
            row = next((ln for ln in readme.splitlines() if ln.startswith(f"| {f.name} |")), None)
            assert row is not None, f"{f.name} has no source/licence row in ontology/README.md"
            assert row.count("|") == 7
