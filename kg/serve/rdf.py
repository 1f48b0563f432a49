"""RDF for ``kg serve``: a node's description, its serialisations, content negotiation.

A node's description is every triple with the node as subject, plus the triples of the
nodes private to it: the nodes named under its IRI (``{work}/author/1``,
``{work}/status/retracted``, ``{journal}/volume/4/issue/6``) that are linked to it, found
by following its links (both ways) through the store's indexes, never by scanning it. A
node under another's IRI that has a DOI of its own is a work of its own, not private.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from kg.vocab import DOI, PREFIXES

HTML = "text/html"


@dataclass(frozen=True)
class RdfType:
    """An RDF serialisation that ``kg serve`` offers."""

    media_type: str
    suffix: str
    format: ox.RdfFormat


RDF_TYPES: tuple[RdfType, ...] = (
    RdfType("text/turtle", "ttl", ox.RdfFormat.TURTLE),
    RdfType("application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
    RdfType("application/ld+json", "jsonld", ox.RdfFormat.JSON_LD),
    RdfType("application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML),
)
BY_SUFFIX = {t.suffix: t for t in RDF_TYPES}
BY_MEDIA_TYPE = {t.media_type: t for t in RDF_TYPES}
# other names clients use for the same serialisations
ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle"}
_DOI = ox.NamedNode(DOI[1:-1])


def content_type(media_type: str) -> str:
    """The Content-Type header: text types (and JSON) say their charset."""
    if media_type.startswith("text/") or media_type.endswith(("json", "+xml", "n-triples")):
        return f"{media_type}; charset=utf-8"
    return media_type


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (no header: ``*/*``)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(
    header: str | None, offers: Sequence[str], aliases: Mapping[str, str] = ALIASES
) -> str | None:
    """The offer the Accept header prefers (its q-value, then the order of ``offers``);
    each offer takes the q of the most specific range that matches it. None: none is
    acceptable."""
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        kind = offer.split("/")[0]
        q, specificity = 0.0, -1
        for media_range, rq in ranges:
            name = aliases.get(media_range, media_range)
            if name == offer:
                rank = 2
            elif name == f"{kind}/*":
                rank = 1
            elif name == "*/*":
                rank = 0
            else:
                continue
            if rank > specificity:
                q, specificity = rq, rank
        if q > 0 and (best is None or (q, -order) > best):
            best, chosen = (q, -order), offer
    return chosen


def etag(body: bytes) -> str:
    """A strong entity tag: a digest of the body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (or is ``*``); weak tags compared weakly."""
    if not if_none_match:
        return False
    for item in if_none_match.split(","):
        item = item.strip()
        if item == "*" or item.removeprefix("W/") == tag:
            return True
    return False


def exists(store: ox.Store, iri: str) -> bool:
    """Whether the store has a triple with ``iri`` as subject (False for a text that is
    not an IRI, as a path may make)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    quads = store.quads_for_pattern(node, None, None, None)
    return next(iter(quads), None) is not None


def description(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The node's triples and those of the nodes private to it, each once, sorted."""
    node = ox.NamedNode(iri)
    seen = {iri}
    todo = [node]
    triples: set[ox.Triple] = set()
    while todo:
        subject = todo.pop()
        linked: list[ox.NamedNode] = []
        for q in store.quads_for_pattern(subject, None, None, None):
            triples.add(ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.object, ox.NamedNode):
                linked.append(q.object)
        for q in store.quads_for_pattern(None, None, subject, None):
            if isinstance(q.subject, ox.NamedNode):
                linked.append(q.subject)
        for other in linked:
            value = other.value
            if value in seen or not value.startswith(iri + "/"):
                continue
            seen.add(value)
            if not _has_doi(store, other):
                todo.append(other)
    return sorted(triples, key=_sort_key)


def _has_doi(store: ox.Store, node: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(node, _DOI, None, None)), None) is not None


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def write(triples: Iterable[ox.Triple], out: IO[bytes], rdf_type: RdfType) -> None:
    """Write the triples in ``rdf_type``, with kg's prefixes where the format has them."""
    prefixes = dict(PREFIXES) if rdf_type.suffix in ("ttl", "rdf", "jsonld") else None
    ox.serialize(triples, out, rdf_type.format, prefixes=prefixes)


def serialize(triples: Iterable[ox.Triple], rdf_type: RdfType) -> bytes:
    """The triples in ``rdf_type``, with kg's prefixes where the format has them."""
    out = io.BytesIO()
    write(triples, out, rdf_type)
    return out.getvalue()
