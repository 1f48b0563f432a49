"""The first pass of entity resolution: what identifies a record's journal, organisations
and people, as a small picklable :data:`Observation` (a worker process computes it)."""

from __future__ import annotations

from collections.abc import Iterable

from kg.iris import name_key
from kg.mapping.resolve.names import (
    family_key,
    given_parts,
    has_cyrillic,
    match_key,
    match_words,
    org_key,
)
from kg.records import Author, Organization, Record

# Co-authors count as evidence only on papers with at most this many authors:
# on larger teams a shared co-author says little, and the pairs grow as n².
MAX_COAUTHOR_EVIDENCE = 12

# ISSNs, print, online, linking, of unknown medium, (normalised title, title) pairs,
# the normalised name of the publisher
JournalObservation = tuple[
    tuple[str, ...],
    str | None,
    str | None,
    str | None,
    tuple[str, ...],
    tuple[tuple[str, str], ...],
    str | None,
]
# author position, family key, given names (space-separated), ORCID iD, name, the
# organisation evidence codes; the family name's and the given names' keys across
# scripts (match_key, match_words), and 1 if the name is in Cyrillic, else 0
AuthorObservation = tuple[int, str, str, str | None, str, tuple[str, ...], str, str, int]
# journal, (org key, ROR id) pairs, (org key, name) pairs of organisations without a ROR
# id, work key, the authors that have a family key and a given name, (position,
# co-author evidence code) of every author with a family key (none on large teams),
# the record's DOI, the DOIs of the works its notices link it to (a notice and the work
# it retracts or corrects are published in one journal)
Observation = tuple[
    JournalObservation | None,
    tuple[tuple[str, str], ...],
    tuple[tuple[str, str], ...],
    str,
    tuple[AuthorObservation, ...],
    tuple[tuple[int, str], ...],
    str | None,
    tuple[str, ...],
]


def observation(rec: Record) -> Observation:
    """What the first pass needs from ``rec``, as a small picklable tuple of str and int.

    A worker process computes it (the normalisation is most of the first pass's
    work) and the main process passes it to :meth:`Resolver.add`, in record order.
    """
    journal: JournalObservation | None = None
    j = rec.journal
    if j is not None:
        issns = j.issns()
        if issns or j.titles:  # a journal known only by name may join one with ISSNs
            publisher = (
                org_key(j.publisher.names[0][0])
                if j.publisher is not None and j.publisher.names
                else None
            )
            journal = (
                tuple(issns),
                j.issn_print,
                j.issn_online,
                j.issn_l,
                tuple(j.issns_unknown),
                tuple((org_key(title), title) for title, _ in j.titles),
                publisher,
            )
    rors: dict[tuple[str, str], None] = {}
    names: dict[tuple[str, str], None] = {}
    for org in _orgs(rec):
        for name, _ in org.names:
            key = org_key(name)
            if key and org.ror:
                rors[(key, org.ror)] = None
            elif key:
                names[(key, name)] = None  # to resolve: no ROR id
    work = rec.doi or f"{name_key(rec.titles[0][0]) if rec.titles else ''}/{rec.year or ''}"
    people: list[tuple[int, Author, str, tuple[str, ...]]] = []
    across: list[tuple[str, str, int]] = []
    for n, author in enumerate(rec.authors, start=1):
        family_name = author.family or _family_of(author.name)
        family = family_key(family_name)
        given = given_parts(author.given) or given_parts(_given_of(author))
        people.append((n, author, family, given))
        given_name = author.given if given_parts(author.given) else _given_of(author)
        across.append(
            (
                match_key(family_name),
                " ".join(match_words(given_name)),
                int(has_cyrillic(family_name)),
            )
        )
    coauthors: tuple[tuple[int, str], ...] = ()
    if len(people) <= MAX_COAUTHOR_EVIDENCE:
        coauthors = tuple(
            (m, "c" + (other.orcid or f"{ofam}/{ogiven[0] if ogiven else ''}"))
            for m, other, ofam, ogiven in people
            if ofam
        )
    authors = tuple(
        (
            n,
            family,
            " ".join(given),
            author.orcid or None,
            author.name,
            tuple(sorted({"o" + _org_evidence(o) for o in author.affiliations})),
            *across[n - 1],
        )
        for n, author, family, given in people
        if family and given
    )
    links: dict[str, None] = {}
    if journal is not None:
        for status in rec.statuses:
            if status.notice is not None and status.notice.doi:
                links[status.notice.doi] = None
        for update in rec.updates:
            links[update.target_doi] = None
        links.pop(rec.doi or "", None)
    return journal, tuple(rors), tuple(names), work, authors, coauthors, rec.doi, tuple(links)


def _org_evidence(org: Organization) -> str:
    if org.ror:
        return org.ror
    return org_key(org.names[0][0]) if org.names else ""


def _orgs(rec: Record) -> Iterable[Organization]:
    for author in rec.authors:
        yield from author.affiliations
    yield from rec.affiliations


def _family_of(name: str) -> str:
    """The family name of a name given whole: ``Kartashova A. A.``, ``Kartashova Anna A.``
    (ending in an initial: the family name first) or ``Anna Kartashova``."""
    if "," in name:
        return name.split(",", 1)[0]
    words = name.split()
    if len(words) > 1 and len(words[-1].strip(".")) <= 2:
        return words[0]
    return words[-1] if words else ""


def _given_of(author: Author) -> str:
    name = author.name
    if "," in name:
        return name.split(",", 1)[1]
    family = author.family or _family_of(name)
    return name.replace(family, "", 1)
