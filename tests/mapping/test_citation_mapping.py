"""References and citations in the graph: cito:cites to the cited work's own IRI, the
reference list kept (text only where no work is named), a cito:Citation where an index
says more, and a citation-only record that never takes the place of a description."""

from __future__ import annotations

import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import Location
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper, article_iri
from kg.rdf.writers import nt_lines
from kg.records import Record, Reference

BASE = "https://example.org/kg/"
CITO = rdflib.Namespace("http://purl.org/spar/cito/")
FABIO = rdflib.Namespace("http://purl.org/spar/fabio/")
BIRO = rdflib.Namespace("http://purl.org/spar/biro/")
C4O = rdflib.Namespace("http://purl.org/spar/c4o/")
FRBR = rdflib.Namespace("http://purl.org/vocab/frbr/core#")
PRISM = rdflib.Namespace("http://prismstandard.org/namespaces/basic/2.0/")
DATACITE = rdflib.Namespace("http://purl.org/spar/datacite/")


def graph_of(*records: Record) -> rdflib.Graph:
    """The records' graph, with what the build writes at the end for the works they name."""
    mapper = Mapper(IriMinter(BASE))
    text, named = [], {}
    for rec in records:
        mapped = mapper.map_record(rec)
        text.extend(nt_lines(b.subject, b.pairs) for b in mapped.blocks)
        named.update({node: (scheme, value) for node, scheme, value in mapped.targets})
    for scheme, value in named.values():
        text.extend(nt_lines(b.subject, b.pairs) for b in mapper.named_only(scheme, value))
    return rdflib.Graph().parse(data="".join(text), format="nt")


def work(doi: str, **fields: object) -> Record:
    return Record(Location("t.json", "1"), titles=[("A work", "en")], doi=doi, **fields)  # type: ignore[arg-type]


def test_a_reference_list_becomes_citations_and_reference_entries() -> None:
    refs = [
        Reference(doi="10.1/cited", text="Smith J (2001) Cited. J Ex 1:2", label="b1"),
        Reference(text="A book without an identifier, 1999"),
        Reference(pmid="123456"),
        Reference(),  # nothing to keep
    ]
    g = graph_of(work("10.1/citing", year=2020, references=refs))
    citing = URIRef(BASE + "doi/10.1/citing")
    cited = URIRef(BASE + "doi/10.1/cited")
    by_pmid = URIRef(BASE + "pubmed/123456")
    assert set(g.objects(citing, CITO.cites)) == {cited, by_pmid}
    # the cited work: its own IRI, a work, with its DOI as a record describing it gives it
    assert not list(g.objects(cited, RDF.type))  # what it is, only its own record can say
    assert (cited, PRISM.doi, Literal("10.1/cited")) in g
    ident = URIRef(BASE + "identifier/doi/10.1/cited")
    assert (cited, DATACITE.hasIdentifier, ident) in g
    assert (ident, DATACITE.usesIdentifierScheme, DATACITE.doi) in g
    assert (by_pmid, DATACITE.hasIdentifier, URIRef(BASE + "identifier/pmid/123456")) in g
    # nothing the reference says is asserted of the cited work
    assert not set(g.predicate_objects(cited)) - {
        (PRISM.doi, Literal("10.1/cited")),
        (DATACITE.hasIdentifier, ident),
    }
    # the reference list, in order; the entry without a DOI kept as text
    parts = sorted(g.objects(citing, FRBR.part))
    assert parts == [URIRef(f"{citing}/reference/{n}") for n in (1, 2, 3)]
    first, second, third = parts
    assert (first, RDF.type, BIRO.BibliographicReference) in g
    assert (first, C4O.hasContent, Literal("Smith J (2001) Cited. J Ex 1:2")) in g
    assert (first, BIRO.references, cited) in g
    assert (second, C4O.hasContent, Literal("A book without an identifier, 1999")) in g
    assert not list(g.objects(second, BIRO.references))
    assert (third, BIRO.references, by_pmid) in g
    assert set(g.objects(citing, RDF.type)) == {FABIO.JournalArticle}
    assert not list(g.subjects(RDF.type, CITO.Citation))  # a reference list says no more


def test_a_record_states_nothing_about_the_works_it_cites() -> None:
    """Validation's books need what a record says of a work to be the same in every record:
    the cited works are only named (the build describes the undescribed ones at the end)."""
    refs = [Reference(doi="10.1/cited"), Reference(pmid="123456")]
    mapped = Mapper(IriMinter(BASE)).map_record(work("10.1/citing", references=refs))
    subjects = {b.subject for b in mapped.blocks}
    assert f"<{BASE}doi/10.1/cited>" not in subjects
    assert f"<{BASE}pubmed/123456>" not in subjects
    assert (f"<{BASE}doi/10.1/cited>", "doi", "10.1/cited") in mapped.targets
    assert (f"<{BASE}pubmed/123456>", "pmid", "123456") in mapped.targets


def test_an_index_row_gives_a_citation_of_its_own_and_describes_nothing() -> None:
    row = Record(
        Location("coci.csv", "2"),
        doi="10.1/citing",
        describes=False,
        references=[
            Reference(
                doi="10.1/cited",
                created="2018-06",
                timespan="P2Y9M",
                journal_self=True,
                author_self=False,
            )
        ],
    )
    g = graph_of(row)
    citing = URIRef(BASE + "doi/10.1/citing")
    cited = URIRef(BASE + "doi/10.1/cited")
    minter = IriMinter(BASE)
    citation = URIRef(minter.citation(str(citing), str(cited)))
    assert citation == URIRef(minter.citation(article_iri(row, minter), minter.doi("10.1/cited")))
    assert (citing, CITO.cites, cited) in g
    assert set(g.objects(citation, RDF.type)) == {CITO.Citation, CITO.JournalSelfCitation}
    assert (citation, CITO.hasCitingEntity, citing) in g
    assert (citation, CITO.hasCitedEntity, cited) in g
    assert (
        citation,
        CITO.hasCitationCreationDate,
        Literal("2018-06", datatype=XSD.gYearMonth),
    ) in g
    assert (citation, CITO.hasCitationTimeSpan, Literal("P2Y9M", datatype=XSD.duration)) in g
    # the citing work is named, not described: no class of its own kind, no title, no list
    assert not list(g.objects(citing, RDF.type))
    assert (citing, PRISM.doi, Literal("10.1/citing")) in g
    assert not list(g.objects(citing, FRBR.part))
    assert not list(g.objects(citing, rdflib.DCTERMS.title))


def test_one_citation_from_two_sources_is_one_node() -> None:
    ref = Reference(doi="10.1/cited", created="2018-06-01")
    a = Record(Location("a.csv", "1"), doi="10.1/citing", describes=False, references=[ref])
    b = Record(Location("b.csv", "7"), doi="10.1/citing", describes=False, references=[ref])
    g = graph_of(a, b)
    assert len(set(g.subjects(RDF.type, CITO.Citation))) == 1


def test_the_same_input_gives_the_same_citation_iris() -> None:
    refs = [Reference(doi=f"10.1/c{n}", created="2020") for n in range(5)]
    one = graph_of(work("10.1/x", references=refs))
    two = graph_of(work("10.1/x", references=list(refs)))
    assert set(one) == set(two)
    assert len(set(one.subjects(RDF.type, CITO.Citation))) == 5
