"""kg/rdf/void.py: VoID descriptions of real builds, checked against independent counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg import vocab
from kg.build.pipeline import build
from kg.errors import RdfSyntaxError, UsageError
from kg.rdf.void import SHAPES_DOCUMENT, VOID, describe_dataset, kg_version, load_files
from kg.resources import ontology_dir

TESTS = Path(__file__).resolve().parents[1]
SAMPLES = TESTS / "data" / "samples"
BASE = "https://example.org/kg/"
DATASET = BASE + "dataset"
CITATIONS_LINKSET = BASE + "dataset/citations"  # tests/rdf/test_void_citations.py
RDF_TYPE = vocab.RDF + "type"
DCT = vocab.DCTERMS
PROV = vocab.PROV


# --- helpers ---------------------------------------------------------------------------


def parse(text: str) -> list[ox.Triple]:
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))


def value(node: object) -> str:
    """The IRI, blank node id or lexical form of a term."""
    assert isinstance(node, (ox.NamedNode, ox.BlankNode, ox.Literal))
    return node.value


def objects(triples: list[ox.Triple], subject: str, predicate: str) -> list[str]:
    return sorted(
        value(t.object)
        for t in triples
        if value(t.subject) == subject and t.predicate.value == predicate
    )


def number(triples: list[ox.Triple], subject: str, name: str) -> int:
    (value,) = objects(triples, subject, VOID + name)
    return int(value)


def partitions(triples: list[ox.Triple], link: str, key: str, count: str) -> dict[str, int]:
    """{void:class or void:property or dcterms:source value: its count} of the dataset's parts
    (of its subsets, those of the named graphs: the citations' linkset is one too)."""
    out = {}
    for node in objects(triples, DATASET, VOID + link):
        if node == CITATIONS_LINKSET:
            continue
        (k,) = objects(triples, node, key)
        assert k not in out, k
        out[k] = number(triples, node, count)
    return out


class Independent:
    """Counts made by walking the parsed quads in Python, not by SPARQL."""

    def __init__(self, paths: list[Path]) -> None:
        triples: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]] = set()
        quads: set[ox.Quad] = set()
        for path in paths:
            fmt = {
                ".nq": ox.RdfFormat.N_QUADS,
                ".nt": ox.RdfFormat.N_TRIPLES,
                ".trig": ox.RdfFormat.TRIG,
                ".ttl": ox.RdfFormat.TURTLE,
            }[path.suffix]
            for q in ox.parse(path=str(path), format=fmt):
                triples.add((q.subject, q.predicate, q.object))
                quads.add(q)  # a graph is a set: a quad written twice is one triple of it
        self.triples = len(triples)
        self.subjects = {s for s, _, _ in triples}
        self.entities = {s for s in self.subjects if isinstance(s, ox.NamedNode)}
        self.objects = {o for _, _, o in triples}
        self.properties = Counter(p.value for _, p, _ in triples)
        types = {(s, o) for s, p, o in triples if p.value == RDF_TYPE}
        self.classes = {o for _, o in types}
        self.class_entities = Counter(
            value(o)
            for s, o in types
            if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)
        )
        self.graphs = dict(
            Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
        )
        self.quads = len(quads)


def defined_terms() -> set[str]:
    """IRIs typed in an ontology/ file (as tests/test_ontology.py defines 'defined')."""
    terms = set()
    for f in sorted(ontology_dir().glob("*.ttl")):
        for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
                terms.add(t.subject.value)
    return terms


FULL = {
    "title": "kg samples",
    "licence": "https://creativecommons.org/licenses/by/4.0/",
    "publisher": "The kg project",
    "sources": ["Crossref", "https://opencitations.net/meta", "Crossref"],
    "conforms": True,
    "shapes_summary": {"Violation": 0, "Warning": 2, "Info": 1},
    "version": "2026.11",
    "issued": "2026-11-26",
}


# --- fixtures: real builds of the sample data ------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("void")
    out = {}
    for ext in ("nq", "nt"):
        out[ext] = d / f"samples.{ext}"
        build([SAMPLES], out[ext], validate=False)
    return out


@pytest.fixture(scope="module")
def nq_counts(built: dict[str, Path]) -> Independent:
    return Independent([built["nq"]])


@pytest.fixture(scope="module")
def nq_void(built: dict[str, Path]) -> str:
    return describe_dataset([built["nq"]], base=BASE, **FULL)  # type: ignore[arg-type]


# --- counts ------------------------------------------------------------------------------


def test_dataset_counts_match_independent_counts(nq_void: str, nq_counts: Independent) -> None:
    t = parse(nq_void)
    assert objects(t, DATASET, RDF_TYPE) == [VOID + "Dataset"]
    assert number(t, DATASET, "triples") == nq_counts.triples
    assert number(t, DATASET, "entities") == len(nq_counts.entities)
    assert number(t, DATASET, "distinctSubjects") == len(nq_counts.subjects)
    assert number(t, DATASET, "distinctObjects") == len(nq_counts.objects)
    assert number(t, DATASET, "properties") == len(nq_counts.properties)
    assert number(t, DATASET, "classes") == len(nq_counts.classes)
    # the samples really exercise the counts: many triples, some in two graphs
    assert nq_counts.triples > 100_000
    assert nq_counts.quads > nq_counts.triples


def test_class_and_property_partitions_match(nq_void: str, nq_counts: Independent) -> None:
    t = parse(nq_void)
    classes = partitions(t, "classPartition", VOID + "class", "entities")
    assert classes == dict(nq_counts.class_entities)
    assert classes[vocab.FABIO + "JournalArticle"] > 1000
    props = partitions(t, "propertyPartition", VOID + "property", "triples")
    assert props == dict(nq_counts.properties)
    assert sum(props.values()) == nq_counts.triples
    for node in objects(t, DATASET, VOID + "classPartition"):
        assert node.startswith(BASE + "dataset/class/")
        assert objects(t, node, RDF_TYPE) == [VOID + "Dataset"]
    assert BASE + "dataset/class/fabio-JournalArticle" in objects(
        t, DATASET, VOID + "classPartition"
    )
    assert BASE + "dataset/property/dcterms-title" in objects(
        t, DATASET, VOID + "propertyPartition"
    )


def test_one_subset_per_named_graph(nq_void: str, nq_counts: Independent) -> None:
    t = parse(nq_void)
    subsets = partitions(t, "subset", DCT + "source", "triples")
    assert subsets == nq_counts.graphs
    assert len(subsets) == len(nq_counts.graphs) > 10
    for node in objects(t, DATASET, VOID + "subset"):
        assert node.startswith(BASE + "dataset/graph/") or node == CITATIONS_LINKSET


def test_n_triples_counts_match_line_counts(built: dict[str, Path]) -> None:
    text = describe_dataset([built["nt"]], base=BASE)
    t = parse(text)
    # `sort -u out.nt | wc -l`: kg writes a person met in two records twice
    lines = set(built["nt"].read_text(encoding="utf-8").splitlines())
    assert number(t, DATASET, "triples") == len(lines)
    subjects = {line.split(" ", 1)[0] for line in lines}
    assert number(t, DATASET, "distinctSubjects") == len(subjects)
    assert number(t, DATASET, "entities") == sum(s.startswith("<") for s in subjects)
    props = Counter(line.split(" ", 2)[1][1:-1] for line in lines)
    assert partitions(t, "propertyPartition", VOID + "property", "triples") == dict(props)
    # no named graphs in N-Triples (the citations' linkset aside)
    assert set(objects(t, DATASET, VOID + "subset")) <= {CITATIONS_LINKSET}


def test_nq_is_described_as_the_union_of_its_graphs(
    nq_void: str, built: dict[str, Path], tmp_path: Path
) -> None:
    union = tmp_path / "union.nt"
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(built["nq"]))}
    ox.serialize(sorted(triples, key=str), str(union), ox.RdfFormat.N_TRIPLES)
    nt = parse(describe_dataset([union], base=BASE))
    nq = parse(nq_void)
    for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes"):
        assert number(nt, DATASET, name) == number(nq, DATASET, name), name


def test_store_gives_the_same_description_as_files(built: dict[str, Path], nq_void: str) -> None:
    store = ox.Store()
    store.bulk_load(path=str(built["nq"]), format=ox.RdfFormat.N_QUADS)
    assert describe_dataset(store=store, base=BASE, **FULL) == nq_void  # type: ignore[arg-type]


def test_embedded_store_gives_the_same_description(
    built: dict[str, Path], nq_void: str, tmp_path: Path
) -> None:
    """What `kg describe --store` would do: kg load, then describe the store read-only."""
    from kg.stores.embedded import open_store
    from kg.stores.load import load

    load([built["nq"]], store=tmp_path / "store", base=BASE)
    store = open_store(tmp_path / "store", create=False, read_only=True)
    assert describe_dataset(store=store, base=BASE, **FULL) == nq_void  # type: ignore[arg-type]


def test_vocabularies_are_the_namespaces_used(nq_void: str) -> None:
    vocabularies = objects(parse(nq_void), DATASET, VOID + "vocabulary")
    for ns in (vocab.FABIO, vocab.DCTERMS, vocab.PRISM, vocab.PRO, vocab.FOAF, vocab.RDF):
        assert ns in vocabularies
    assert VOID not in vocabularies  # the description's vocabulary is not the data's


# --- metadata and provenance -----------------------------------------------------------


def test_metadata_as_given(nq_void: str) -> None:
    t = parse(nq_void)
    assert objects(t, DATASET, DCT + "title") == ["kg samples"]
    assert objects(t, DATASET, DCT + "license") == [FULL["licence"]]
    assert objects(t, DATASET, vocab.OWL + "versionInfo") == ["2026.11"]
    (issued,) = [x.object for x in t if x.predicate.value == DCT + "issued"]
    assert issued == ox.Literal("2026-11-26", datatype=ox.NamedNode(vocab.XSD + "date"))
    (publisher,) = objects(t, DATASET, DCT + "publisher")
    assert objects(t, publisher, vocab.FOAF + "name") == ["The kg project"]
    sources = [
        x.object for x in t if value(x.subject) == DATASET and x.predicate.value == DCT + "source"
    ]
    assert sorted(map(str, sources)) == sorted(
        ['"Crossref"', "<https://opencitations.net/meta>"]
    )  # a string stays a string, an IRI an IRI, given twice written once
    assert objects(t, DATASET, VOID + "uriSpace") == [BASE]


def test_provenance_names_kg_and_its_version(nq_void: str) -> None:
    t = parse(nq_void)
    (activity,) = objects(t, DATASET, PROV + "wasGeneratedBy")
    assert activity == BASE + "dataset/build"
    assert objects(t, activity, RDF_TYPE) == [PROV + "Activity"]
    (label,) = objects(t, activity, vocab.RDFS + "label")
    (description,) = objects(t, activity, DCT + "description")
    assert "kg" in label and kg_version() in label and kg_version() in description


def test_shacl_outcome(built: dict[str, Path], nq_void: str) -> None:
    validation = BASE + "dataset/validation"
    t = parse(nq_void)
    assert objects(t, DATASET, DCT + "conformsTo") == [SHAPES_DOCUMENT]
    assert objects(t, validation, PROV + "used") == sorted([DATASET, SHAPES_DOCUMENT])
    (text,) = objects(t, validation, DCT + "description")
    assert "conforms" in text and "Violation: 0, Warning: 2, Info: 1" in text

    failed = parse(
        describe_dataset([built["nq"]], base=BASE, conforms=False, shapes_summary={"Violation": 3})
    )
    assert objects(failed, DATASET, DCT + "conformsTo") == []
    (text,) = objects(failed, validation, DCT + "description")
    assert "does not conform" in text and "Violation: 3" in text

    plain = parse(describe_dataset([built["nq"]], base=BASE))
    assert objects(plain, DATASET, DCT + "conformsTo") == []
    assert [x for x in plain if value(x.subject) == validation] == []
    assert objects(plain, DATASET, DCT + "issued") == []  # no clock unless asked


# --- output properties -------------------------------------------------------------------


def test_deterministic(built: dict[str, Path], nq_void: str, tmp_path: Path) -> None:
    assert describe_dataset([built["nq"]], base=BASE, **FULL) == nq_void  # type: ignore[arg-type]
    again = tmp_path / "again.nq"  # a second build of the same input
    build([SAMPLES], again, validate=False)
    assert describe_dataset([again], base=BASE, **FULL) == nq_void  # type: ignore[arg-type]


def test_output_parses_as_turtle_without_blank_nodes(nq_void: str) -> None:
    triples = parse(nq_void)
    assert not any(isinstance(n, ox.BlankNode) for t in triples for n in (t.subject, t.object))
    g = rdflib.Graph()
    g.parse(data=nq_void, format="turtle")
    assert len(g) == len(triples)
    assert "void:triples " in nq_void  # prefixed names and bare integers: readable


def test_every_term_is_defined_in_ontology(nq_void: str) -> None:
    defined = defined_terms()
    t = parse(nq_void)
    used = {x.predicate.value for x in t} | {
        value(x.object) for x in t if x.predicate.value == RDF_TYPE
    }
    undefined = sorted(u for u in used if u not in defined and not u.startswith(vocab.RDF))
    assert undefined == []
    assert VOID + "classPartition" in used and PROV + "Activity" in used


# --- small inputs: formats, blank nodes, duplicates -----------------------------------


def test_trig_graphs_blank_nodes_and_duplicates(tmp_path: Path) -> None:
    f = tmp_path / "g.trig"
    f.write_text(
        """
@prefix ex: <http://example.com/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
ex:a a fabio:Book .
ex:g1 { ex:a a fabio:Book ; ex:p "x" . _:b a fabio:Book ; ex:p 1 . }
ex:g2 { ex:a a fabio:Book . ex:c a ex:Thing . }
""",
        encoding="utf-8",
    )
    t = parse(describe_dataset([f], base="http://example.com/void/"))
    ds = "http://example.com/void/dataset"
    assert number(t, ds, "triples") == 5  # ex:a a fabio:Book is in three graphs: once
    assert number(t, ds, "distinctSubjects") == 3
    assert number(t, ds, "entities") == 2  # the blank node is not an entity
    assert number(t, ds, "distinctObjects") == 4
    assert number(t, ds, "classes") == 2
    subsets = {}
    for node in objects(t, ds, VOID + "subset"):
        (g,) = objects(t, node, DCT + "source")
        subsets[g] = number(t, node, "triples")
    assert subsets == {"http://example.com/g1": 4, "http://example.com/g2": 2}
    classes = {}
    for node in objects(t, ds, VOID + "classPartition"):
        (c,) = objects(t, node, VOID + "class")
        classes[c] = (node, number(t, node, "entities"))
    assert classes[vocab.FABIO + "Book"] == ("http://example.com/void/dataset/class/fabio-Book", 1)
    node, n = classes["http://example.com/Thing"]
    assert n == 1 and len(node.rsplit("/", 1)[1]) == 16  # outside kg's namespaces: a hash
    assert objects(t, ds, VOID + "uriSpace") == []  # ex:a is not under the base
    assert "http://example.com/" in objects(t, ds, VOID + "vocabulary")


def test_several_files_and_formats(tmp_path: Path) -> None:
    nt = tmp_path / "a.nt"
    nt.write_text("<http://e.org/a> <http://e.org/p> <http://e.org/b> .\n", encoding="utf-8")
    jsonld = tmp_path / "b.jsonld"
    jsonld.write_text(
        '{"@id": "http://e.org/b", "http://e.org/p": {"@id": "http://e.org/a"}}',
        encoding="utf-8",
    )
    ttl = tmp_path / "c.ttl"
    ttl.write_text("<http://e.org/a> <http://e.org/p> <http://e.org/b> .\n", encoding="utf-8")
    t = parse(describe_dataset([nt, jsonld, ttl], base="http://e.org/"))
    assert number(t, "http://e.org/dataset", "triples") == 2
    assert objects(t, "http://e.org/dataset", VOID + "uriSpace") == ["http://e.org/"]


def test_empty_store() -> None:
    t = parse(describe_dataset(store=ox.Store(), base=BASE))
    for name in ("triples", "entities", "distinctSubjects", "properties", "classes"):
        assert number(t, DATASET, name) == 0


def test_licence_and_publisher_iris(tmp_path: Path) -> None:
    store = ox.Store()
    t = parse(describe_dataset(store=store, base=BASE, publisher="https://ror.org/02mhbdp94"))
    assert objects(t, DATASET, DCT + "publisher") == ["https://ror.org/02mhbdp94"]
    t = parse(describe_dataset(store=store, base=BASE, issued="2026-11-26T23:00:00+00:00"))
    (issued,) = [x.object for x in t if x.predicate.value == DCT + "issued"]
    assert isinstance(issued, ox.Literal) and issued.datatype.value == vocab.XSD + "dateTime"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"licence": "CC BY 4.0"},
        {"issued": "yesterday"},
        {"base": "not an iri"},
    ],
)
def test_bad_values(kwargs: dict[str, str]) -> None:
    args = {"base": BASE, **kwargs}
    with pytest.raises(UsageError):
        describe_dataset(store=ox.Store(), **args)  # type: ignore[arg-type]


def test_files_or_store(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        describe_dataset(base=BASE)
    with pytest.raises(UsageError):
        describe_dataset([tmp_path / "x.nt"], store=ox.Store(), base=BASE)


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://e.org/a> <http://e.org/p> .\n", encoding="utf-8")
    with pytest.raises(RdfSyntaxError, match="bad.nt"):
        load_files([bad])
    with pytest.raises(RdfSyntaxError, match="missing.nt"):
        load_files([tmp_path / "missing.nt"])
    with pytest.raises(UsageError):
        load_files([tmp_path / "x.csv"])


def test_kg_describe_and_build_void_write_the_same_description(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    data = TESTS.parent / "data"
    out, void = tmp_path / "out.nq", tmp_path / "void.ttl"
    built = CliRunner().invoke(cli, ["-q", "build", str(data), "-o", str(out), "--void", str(void)])
    assert built.exit_code == 0, built.stderr
    described = CliRunner().invoke(
        cli,
        [
            "describe",
            str(out),
            "--source",
            "data/examples.yaml",
            "--source",
            "data/libartrus-2015-seed.json",
            "--source",
            "data/scientometrics-2022.csv",
        ],
    )
    assert described.exit_code == 0, described.stderr
    from_build = void.read_text(encoding="utf-8")
    assert "dcterms:conformsTo <https://w3id.org/kg/shapes>" in from_build  # it was validated

    # the same counts and sources; only the validation outcome is the build's to give
    def counts(text: str) -> list[str]:
        return [ln.strip() for ln in text.splitlines() if "void:" in ln or "dcterms:source" in ln]

    assert counts(described.stdout) == counts(from_build)
    distinct = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(out))}
    assert f"void:triples {len(distinct)} ;" in described.stdout
    no_output = CliRunner().invoke(cli, ["build", str(data), "--void", str(void)])
    assert no_output.exit_code == 2 and "--void describes the built file" in no_output.stderr
