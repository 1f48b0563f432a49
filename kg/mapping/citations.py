"""A work's references and citations to RDF: the "Citations" part of docs/model.md.

- every reference that names a work (by DOI or PubMed id) gives ``<citing> cito:cites
  <cited>``; the cited work has the IRI it has when a record describes it; one that no
  record describes gets, at the end of the build, its DOI or PubMed id and identifier node
  (:func:`named_work`), as a work that is only the target of a status always has;
- every entry of a reference list is a ``biro:BibliographicReference`` that is a
  ``frbr:part`` of the citing work, at ``{work}/reference/{n}``, with its text
  (``c4o:hasContent``) and the work it names (``biro:references``): what the reference
  says (year, first author) stays the reference's, never the cited work's description;
- where a source says more than "cites" (a citation index's creation date, timespan,
  self-citation), a ``cito:Citation`` of its own at ``{base}citation/{digest}``, a digest
  of the citing and cited works' IRIs: the same citation from two sources is one node.

The ``cites`` links and the citations are ``merge`` blocks: any source may add them
(OpenCitations to a work Crossref described). The reference list is part of the work's
description: the first source to describe the work gives it, like its authors. The
record states nothing about the works it cites (see :func:`map_references`).
"""

from __future__ import annotations

from collections.abc import Callable

from kg import vocab as V
from kg.iris import IriMinter
from kg.mapping.blocks import MappedBlock, Pairs, partial_date
from kg.rdf.writers import iri, literal
from kg.records import Record, Reference

# (out, scheme, value, merge) -> the identifier node, its block appended to out
Identify = Callable[[list[MappedBlock], str, str, bool], str]


def cited_iri(ref: Reference, minter: IriMinter) -> str | None:
    """The IRI of the work a reference names, or None when it names none."""
    if ref.doi:
        return minter.doi(ref.doi)
    if ref.pmid:
        return minter.pmid(ref.pmid)
    return None


def named_work(
    node: str, scheme: str, value: str, out: list[MappedBlock], identify: Identify
) -> None:
    """What kg writes of a work it knows only by a DOI or PubMed id (cited, or the target of
    a status): its identifier, at the end of the build (kg/build/named.py).

    No class: what it is, only its own record can say; and a build cut into shards
    (kg/build/cluster.py) writes this in a shard where another shard describes the work,
    so it must be part of what the description says (a class would be one more).
    """
    literal_of = V.DOI if scheme == "doi" else V.PUBMED_ID
    pairs: Pairs = [
        (literal_of, literal(value)),
        (V.HAS_IDENTIFIER, identify(out, scheme, value, False)),
    ]
    out.insert(0, MappedBlock(node, pairs, True, key=f"{node} doi"))


def map_references(
    rec: Record,
    w_iri: str,
    main: Pairs,
    more: Pairs,
    out: list[MappedBlock],
    minter: IriMinter,
    mentions: list[tuple[str, str, str]],
) -> None:
    """The blocks of ``rec``'s references: ``cites`` into ``more`` (the work's merge
    block), the reference list into ``main`` (its description) when the record
    describes the work. Each cited work goes to ``mentions`` (IRI, scheme, value): the
    record states nothing about it, so that what a record says of a work is the same in
    every record (validation's books, kg/validation/books.py, rely on it)."""
    w = iri(w_iri)
    for n, ref in enumerate(rec.references, 1):
        target = cited_iri(ref, minter)
        c = iri(target) if target else None
        if c is not None:
            more.append((V.CITES, c))
            mentions.append((c, "doi", ref.doi) if ref.doi else (c, "pmid", ref.pmid or ""))
            _citation(ref, w, c, minter, out)
        if rec.describes and (ref.text or c is not None):
            node = iri(f"{w_iri}/reference/{n}")
            pairs: Pairs = [(V.TYPE, V.BIBLIOGRAPHIC_REFERENCE)]
            if ref.text:
                pairs.append((V.HAS_CONTENT, literal(ref.text)))
            if c is not None:
                pairs.append((V.REFERENCES, c))
            main.append((V.HAS_PART, node))
            out.append(MappedBlock(node, pairs, False))


def _citation(ref: Reference, w: str, c: str, minter: IriMinter, out: list[MappedBlock]) -> None:
    """A ``cito:Citation`` for a reference that says more than that ``w`` cites ``c``."""
    if ref.created is None and ref.timespan is None and not (ref.journal_self or ref.author_self):
        return
    node = iri(minter.citation(w[1:-1], c[1:-1]))
    pairs: Pairs = [(V.TYPE, V.CITATION)]
    if ref.journal_self:
        pairs.append((V.TYPE, V.JOURNAL_SELF_CITATION))
    if ref.author_self:
        pairs.append((V.TYPE, V.AUTHOR_SELF_CITATION))
    pairs += [(V.HAS_CITING_ENTITY, w), (V.HAS_CITED_ENTITY, c)]
    if ref.created:
        pairs.append((V.CITATION_CREATION_DATE, partial_date(ref.created)))
    if ref.timespan:
        pairs.append((V.CITATION_TIME_SPAN, literal(ref.timespan, datatype=V.XSD_DURATION)))
    out.append(MappedBlock(node, pairs, True, merge=True))
