"""Records to RDF: the model of docs/model.md, as blocks of N-Triples terms.

:func:`map_record` returns the blocks (subject + predicate/object pairs) that
describe one record: the article and everything it links to. Blocks of nodes
that many records share (journals, volumes, issues, people with an ORCID,
organisations, identifiers, sources) are marked ``shared`` so that the build
writes each of them once.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg import vocab as V
from kg.iris import IriMinter, digest, name_key, segment
from kg.ntriples import iri, literal
from kg.records import Issue, Journal, Notice, Organization, Record, Source, Status
from kg.vocab import LOC_ISO639_1, LOC_ISO639_2, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_GYEAR


@dataclass(slots=True)
class MappedBlock:
    subject: str  # N-Triples form: "<iri>"
    pairs: list[tuple[str, str]]
    shared: bool
    fingerprint: int | None = None  # hash of the pairs, set by the build when it needs it


Pairs = list[tuple[str, str]]

_NOTICE_CLASS = {"retracted": V.RETRACTION_NOTICE, "corrected": V.CORRECTION}
_NOTICE_LINK = {
    "retracted": (V.RETRACTS, V.IS_RETRACTED_BY),
    "corrected": (V.CORRECTS, V.IS_CORRECTED_BY),
}
_STATUS_DATE = {"retracted": V.RETRACTION_DATE, "corrected": V.CORRECTION_DATE}


def _date_literal(value: str) -> str:
    return literal(value, datatype=XSD_DATETIME if "T" in value else XSD_DATE)


def _by_kind(statuses: list[Status]) -> dict[str, list[Status]]:
    groups: dict[str, list[Status]] = {}
    for s in statuses:
        groups.setdefault(s.kind, []).append(s)
    return groups


def _org_key(org: Organization) -> tuple[object, ...]:
    a = org.address
    address = (a.street, a.postal_code, a.locality, a.region, a.country) if a else None
    return (tuple(org.names), org.ror, org.wikidata, address)


def _unique(pairs: Pairs) -> Pairs:
    return list(dict.fromkeys(pairs))


def language_iri(code: str) -> str:
    """The Library of Congress IRI of an ISO 639-1 (or 639-2) language code."""
    ns = LOC_ISO639_1 if len(code) == 2 else LOC_ISO639_2
    return iri(ns + code)


def journal_iri(journal: Journal, minter: IriMinter) -> str:
    """Journals are named by ISSN-L, else print ISSN, else online ISSN, else title."""
    issns = journal.issns()
    if issns:
        return minter.journal_issn(issns[0])
    return minter.journal_key("title", name_key(journal.titles[0][0]))


def article_iri(rec: Record, minter: IriMinter) -> str:
    """By DOI; else by journal, volume, issue and first page; else by title, year and journal."""
    if rec.doi:
        return minter.doi(rec.doi)
    j = journal_iri(rec.journal, minter) if rec.journal else ""
    if j and rec.volume and rec.first_page:
        return minter.article_key("page", j, rec.volume, rec.issue or "", rec.first_page)
    return minter.article_key("title", name_key(rec.titles[0][0]), str(rec.year or ""), j)


def org_iri(org: Organization, minter: IriMinter) -> str:
    if org.ror:
        return minter.org_ror(org.ror)
    return minter.org_key("name", name_key(org.names[0][0]))


class Mapper:
    """Maps records to blocks under one base IRI."""

    CACHE_SIZE = 50_000

    def __init__(self, minter: IriMinter) -> None:
        self.m = minter
        # Organisations and journals recur in many records; their blocks are
        # made once and reused (profiled: mapping organisations was the largest
        # single cost of a build).
        self._orgs: dict[tuple[object, ...], tuple[str, list[MappedBlock]]] = {}
        self._journals: dict[tuple[object, ...], tuple[str, str, list[MappedBlock]]] = {}

    def map_record(self, rec: Record) -> list[MappedBlock]:
        """The blocks describing one record, article first, in a fixed order."""
        m = self.m
        out: list[MappedBlock] = []
        a_iri = article_iri(rec, m)
        a = iri(a_iri)
        art: Pairs = [(V.TYPE, V.JOURNAL_ARTICLE)]
        out.append(MappedBlock(a, art, False))

        art.extend((V.DC_TITLE, literal(t, lang)) for t, lang in rec.titles)
        if rec.shown_title:
            art.append((V.ALTERNATE_TITLE, literal(rec.shown_title[0], rec.shown_title[1])))
        art.extend((V.HAS_SUBTITLE, literal(t, lang)) for t, lang in rec.subtitles)
        art.extend((V.DC_ABSTRACT, literal(t, lang)) for t, lang in rec.abstracts)
        art.extend((V.KEYWORD, literal(t, lang)) for t, lang in rec.keywords)
        if rec.language:
            art.append((V.DC_LANGUAGE, language_iri(rec.language)))
        if rec.year is not None:
            art.append((V.PUBLICATION_YEAR, literal(f"{rec.year:04d}", datatype=XSD_GYEAR)))
        if rec.date:
            art.append((V.PUBLICATION_DATE, literal(rec.date, datatype=XSD_DATE)))
        if rec.doi:
            art.append((V.DOI, literal(rec.doi)))
            art.append((V.HAS_IDENTIFIER, self._identifier(out, "doi", rec.doi)))
        if rec.url:
            art.append((V.HAS_URL, literal(rec.url, datatype=XSD_ANYURI)))

        container = self._container(rec, out)
        if container:
            art.append((V.PART_OF, container))
        if rec.first_page:
            art.append((V.STARTING_PAGE, literal(rec.first_page)))
        if rec.last_page:
            art.append((V.ENDING_PAGE, literal(rec.last_page)))
        if rec.page_range:
            art.append((V.PAGE_RANGE, literal(rec.page_range)))

        self._authors(rec, a_iri, art, out)
        for kind, statuses in _by_kind(rec.statuses).items():
            self._status(rec, kind, statuses, a_iri, art, out)
        for block in out:  # a repeated affiliation or date states nothing new
            if not block.shared:
                block.pairs = _unique(block.pairs)
        return out

    def _identifier(self, out: list[MappedBlock], scheme: str, value: str) -> str:
        node = iri(self.m.identifier(scheme, value))
        out.append(
            MappedBlock(
                node,
                [
                    (V.TYPE, V.IDENTIFIER),
                    (V.USES_SCHEME, V.SCHEME[scheme]),
                    (V.LITERAL_VALUE, literal(value)),
                ],
                True,
            )
        )
        return node

    def _container(self, rec: Record, out: list[MappedBlock]) -> str | None:
        j = rec.journal
        if j is None:
            if rec.volume or rec.issue:
                rec.issues.append(Issue("volume", "volume and issue are left out: no journal"))
            return None
        j_iri, jn = self._journal(j, out)
        container = jn
        path = j_iri
        if rec.volume:
            path = f"{j_iri}/volume/{segment(rec.volume)}"
            vol = iri(path)
            out.append(
                MappedBlock(
                    vol,
                    [
                        (V.TYPE, V.JOURNAL_VOLUME),
                        (V.VOLUME, literal(rec.volume)),
                        (V.PART_OF, container),
                    ],
                    True,
                )
            )
            container = vol
        if rec.issue:
            iss = iri(f"{path}/issue/{segment(rec.issue)}")
            out.append(
                MappedBlock(
                    iss,
                    [
                        (V.TYPE, V.JOURNAL_ISSUE),
                        (V.ISSUE_IDENTIFIER, literal(rec.issue)),
                        (V.PART_OF, container),
                    ],
                    True,
                )
            )
            container = iss
        return container

    def _authors(self, rec: Record, a_iri: str, art: Pairs, out: list[MappedBlock]) -> None:
        roles: list[tuple[str, Pairs]] = []
        persons: list[str] = []
        for n, author in enumerate(rec.authors, start=1):
            if author.orcid:
                person = iri(self.m.person_orcid(author.orcid))
            else:
                person = iri(self.m.person_key(a_iri, str(n)))
            pp: Pairs = [(V.TYPE, V.PERSON), (V.NAME, literal(author.name))]
            if author.family:
                pp.append((V.FAMILY_NAME, literal(author.family)))
            if author.given:
                pp.append((V.GIVEN_NAME, literal(author.given)))
            if author.orcid:
                pp.append((V.HAS_IDENTIFIER, self._identifier(out, "orcid", author.orcid)))
            out.append(MappedBlock(person, pp, author.orcid is not None))
            role = iri(f"{a_iri}/author/{n}")
            rp: Pairs = [
                (V.TYPE, V.ROLE_IN_TIME),
                (V.WITH_ROLE, V.AUTHOR_ROLE),
                (V.IS_HELD_BY, person),
            ]
            for org in author.affiliations:
                rp.append((V.RELATES_TO_ORGANIZATION, self._org(org, out)))
            roles.append((role, rp))
            persons.append(person)
        for i, (role, rp) in enumerate(roles):
            if i + 1 < len(roles):
                rp.append((V.HAS_NEXT, roles[i + 1][0]))
            out.append(MappedBlock(role, rp, False))
        seen: set[str] = set()
        for person in persons:
            if person not in seen:  # one person may hold two author roles
                seen.add(person)
                art.append((V.DC_CREATOR, person))
        art.extend((V.DOCUMENT_CONTEXT_FOR, role) for role, _ in roles)

    def _journal(self, j: Journal, out: list[MappedBlock]) -> tuple[str, str]:
        pub = j.publisher
        key = (
            tuple(j.titles),
            j.issn_print,
            j.issn_online,
            j.issn_l,
            _org_key(pub) if pub else None,
        )
        cached = self._journals.get(key)
        if cached is None:
            blocks: list[MappedBlock] = []
            j_iri = journal_iri(j, self.m)
            jp: Pairs = [(V.TYPE, V.JOURNAL)]
            jp.extend((V.DC_TITLE, literal(t, lang)) for t, lang in j.titles)
            if j.issn_print:
                jp.append((V.ISSN, literal(j.issn_print)))
            if j.issn_online:
                jp.append((V.EISSN, literal(j.issn_online)))
            if j.issn_l:
                jp.append((V.HAS_ISSN_L, literal(j.issn_l)))
            if pub:
                jp.append((V.DC_PUBLISHER, self._org(pub, blocks)))
            blocks.append(MappedBlock(iri(j_iri), _unique(jp), True))
            cached = (j_iri, iri(j_iri), blocks)
            if len(self._journals) < self.CACHE_SIZE:
                self._journals[key] = cached
        out.extend(cached[2])
        return cached[0], cached[1]

    def _org(self, org: Organization, out: list[MappedBlock]) -> str:
        key = _org_key(org)
        cached = self._orgs.get(key)
        if cached is None:
            blocks: list[MappedBlock] = []
            cached = (self._map_org(org, blocks), blocks)
            if len(self._orgs) < self.CACHE_SIZE:
                self._orgs[key] = cached
        out.extend(cached[1])
        return cached[0]

    def _map_org(self, org: Organization, out: list[MappedBlock]) -> str:
        o_iri = org_iri(org, self.m)
        node = iri(o_iri)
        op: Pairs = [(V.TYPE, V.ORGANIZATION)]
        op.extend((V.NAME, literal(t, lang)) for t, lang in org.names)
        if org.ror:
            op.append((V.HAS_IDENTIFIER, self._identifier(out, "ror", org.ror)))
        if org.wikidata:
            op.append((V.HAS_IDENTIFIER, self._identifier(out, "wikidata", org.wikidata)))
        addr = org.address
        if addr is not None:
            fields = (addr.street, addr.postal_code, addr.locality, addr.region, addr.country)
            site_iri = f"{o_iri}/site/{digest(*(f or '' for f in fields))}"
            site, adr = iri(site_iri), iri(f"{site_iri}/address")
            op.append((V.HAS_PRIMARY_SITE, site))
            out.append(MappedBlock(site, [(V.TYPE, V.SITE), (V.SITE_ADDRESS, adr)], True))
            ap: Pairs = [(V.TYPE, V.ADDRESS)]
            for prop, value in zip(
                (V.STREET_ADDRESS, V.POSTAL_CODE, V.LOCALITY, V.REGION, V.COUNTRY_NAME),
                fields,
                strict=True,
            ):
                if value:
                    ap.append((prop, literal(value)))
            out.append(MappedBlock(adr, ap, True))
        out.append(MappedBlock(node, _unique(op), True))
        return node

    def _status(
        self,
        rec: Record,
        kind: str,
        statuses: list[Status],
        a_iri: str,
        art: Pairs,
        out: list[MappedBlock],
    ) -> None:
        """One status node per kind; several statuses of one kind (from several
        sources, say) add their dates, reasons, sources and notices to it."""
        node = iri(f"{a_iri}/status/{kind}")
        sp: Pairs = [(V.TYPE, V.STATUS_IN_TIME), (V.WITH_STATUS, V.STATUS[kind])]
        art.append((V.HOLDS_STATUS, node))
        date_prop = _STATUS_DATE.get(kind)
        for status in statuses:
            if status.date:
                sp.append((V.DC_DATE, _date_literal(status.date)))
                if date_prop:
                    art.append((date_prop, _date_literal(status.date)))
            sp.extend((V.DC_DESCRIPTION, literal(r)) for r in status.reasons)
            for source in status.sources:
                sp.append((V.WAS_DERIVED_FROM, self._source(source, out)))
            notice = status.notice
            if notice and (notice.doi or notice.url):
                if kind in _NOTICE_CLASS:
                    self._notice(kind, notice, a_iri, art, out)
                else:
                    rec.issues.append(
                        Issue(
                            "status",
                            f"the notice of the {kind} status is left out: FaBiO has "
                            "no class for it (the status itself is kept)",
                        )
                    )
        out.append(MappedBlock(node, sp, False))

    def _notice(
        self, kind: str, notice: Notice, a_iri: str, art: Pairs, out: list[MappedBlock]
    ) -> None:
        n_node = iri(self.m.doi(notice.doi) if notice.doi else f"{a_iri}/notice/{kind}")
        forward, backward = _NOTICE_LINK[kind]
        np_: Pairs = [(V.TYPE, _NOTICE_CLASS[kind])]
        if notice.doi:
            np_.append((V.DOI, literal(notice.doi)))
            np_.append((V.HAS_IDENTIFIER, self._identifier(out, "doi", notice.doi)))
        if notice.url:
            np_.append((V.HAS_URL, literal(notice.url, datatype=XSD_ANYURI)))
        np_.append((forward, iri(a_iri)))
        out.append(MappedBlock(n_node, np_, True))
        art.append((backward, n_node))

    def _source(self, source: Source, out: list[MappedBlock]) -> str:
        if source.url:
            node = iri(source.url)
            out.append(MappedBlock(node, [(V.TYPE, V.PROV_ENTITY)], True))
            return node
        name = source.name or "unknown"
        node = iri(self.m.source(name, source.record_id))
        sp: Pairs = [(V.TYPE, V.PROV_ENTITY), (V.DC_TITLE, literal(name))]
        if source.record_id:
            sp.append((V.DC_IDENTIFIER, literal(source.record_id)))
        out.append(MappedBlock(node, sp, True))
        return node
