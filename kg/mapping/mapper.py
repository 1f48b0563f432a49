"""Records to RDF: the model of docs/model.md, as blocks of N-Triples terms.

:meth:`Mapper.map_record` returns the blocks (subject + predicate/object pairs)
that describe one record: the work and everything it links to. The build
(kg/build/) streams them out. Two flags on a block guide it:

- ``tracked``: the block's node may come again (a journal, an organisation, a
  person with an ORCID iD, the work itself when a second source has it), so the
  build writes it once and, later, only what is new about it;
- ``merge``: the block adds to the work what any source may add (statuses,
  notices, subjects, identifiers), as opposed to its description (titles,
  authors, journal, pages), which the first source to describe a work gives.
"""

from __future__ import annotations

from dataclasses import replace

from kg import vocab as V
from kg.iris import IriMinter, digest, name_key, segment
from kg.mapping.blocks import MappedBlock, MappedRecord, Pairs, partial_date
from kg.mapping.citations import map_references, named_work
from kg.mapping.resolve import Resolver, org_key
from kg.rdf.writers import iri, literal
from kg.records import (
    Container,
    Isbns,
    Issue,
    Journal,
    Notice,
    Organization,
    Record,
    Source,
    Status,
)
from kg.vocab import (
    LOC_ISO639_1,
    LOC_ISO639_2,
    XSD_ANYURI,
    XSD_DATE,
    XSD_DATETIME,
    XSD_GYEAR,
)

KIND_CLASS = {
    "journal-article": V.JOURNAL_ARTICLE,
    "retraction-notice": V.RETRACTION_NOTICE,
    "correction": V.CORRECTION,
    "book-chapter": V.BOOK_CHAPTER,
    "proceedings-article": V.PROCEEDINGS_PAPER,
    "book": V.BOOK,
    "preprint": V.PREPRINT,
    "report": V.REPORT,
    "thesis": V.THESIS,
    "dataset": V.DATASET,
    "reference-entry": V.REFERENCE_ENTRY,
}
# the kind of notice that announces a status, and how notice and work link
_NOTICE_KIND = {"retracted": "retraction-notice", "corrected": "correction"}
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


def _literals(*fields: tuple[str, str | None]) -> Pairs:
    """(predicate, literal) pairs of the fields that have a value, in order."""
    return [(predicate, literal(value)) for predicate, value in fields if value]


def _part(out: list[MappedBlock], path: str, kind: str, label: str, value: str, of: str) -> str:
    """A journal's volume or an issue (``kind``) at ``path``, named ``value`` by ``label``, part
    of ``of``: its block goes to ``out``; its IRI in N-Triples form."""
    node = iri(path)
    out.append(MappedBlock(node, [(V.TYPE, kind), (label, literal(value)), (V.PART_OF, of)], True))
    return node


def language_iri(code: str) -> str:
    """The Library of Congress IRI of an ISO 639-1 (or 639-2) language code."""
    ns = LOC_ISO639_1 if len(code) == 2 else LOC_ISO639_2
    return iri(ns + code)


def journal_iri(journal: Journal, minter: IriMinter, resolver: Resolver | None = None) -> str:
    """Journals are named by ISSN-L, else print ISSN, else online ISSN, else title; with a
    resolver, by the ISSN that names the group of journals that share ISSNs."""
    canonical = resolver.journal_issn(journal) if resolver is not None else None
    if canonical is not None:
        return minter.journal_issn(canonical)
    issns = journal.issns()
    if issns:
        return minter.journal_issn(issns[0])
    return minter.journal_key("title", name_key(journal.titles[0][0]))


def series_iri(series: Journal, minter: IriMinter) -> str:
    """A book or report series by its first ISSN, else its title: under ``series/``, apart
    from the journals, so that a source calling a serial a journal and another calling it
    a series give two nodes of one class each, not one node of two."""
    issns = series.issns()
    if issns:
        return minter.series_issn(issns[0])
    return minter.series_key("title", name_key(series.titles[0][0]) if series.titles else "")


def book_iri(isbns: Isbns | None, titles: list[tuple[str, str]], minter: IriMinter) -> str:
    """A book (or proceedings volume) by its smallest ISBN, so that the book's own record
    and its chapters' records, which list the same ISBNs, meet; else by title."""
    found = isbns.all() if isbns is not None else []
    if found:
        return minter.book_isbn(min(found))
    return minter.book_key("title", name_key(titles[0][0]) if titles else "")


def article_iri(rec: Record, minter: IriMinter, resolver: Resolver | None = None) -> str:
    """A book with an ISBN by ISBN (:func:`book_iri`); else by DOI; else by PubMed id;
    else by journal, volume, issue and first page; else by title, year and journal."""
    if rec.kind == "book" and rec.isbns is not None and rec.isbns.all():
        return book_iri(rec.isbns, rec.titles, minter)
    if rec.doi:
        return minter.doi(rec.doi)
    if rec.pmid:  # PubMed's id names a work as surely as a DOI (PubMed XML and MEDLINE meet)
        return minter.pmid(rec.pmid)
    j = journal_iri(rec.journal, minter, resolver) if rec.journal else ""
    if j and rec.volume and rec.first_page:
        return minter.article_key("page", j, rec.volume, rec.issue or "", rec.first_page)
    if not rec.titles:  # a work known only by an identifier (readers reject the others)
        return minter.article_key("id", rec.pmid or rec.url or "", j)
    return minter.article_key("title", name_key(rec.titles[0][0]), str(rec.year or ""), j)


def org_iri(org: Organization, minter: IriMinter) -> str:
    if org.ror:
        return minter.org_ror(org.ror)
    return minter.org_key("name", org_key(org.names[0][0]))


class Mapper:
    """Maps records to blocks under one base IRI."""

    CACHE_SIZE = 50_000

    def __init__(self, minter: IriMinter, resolver: Resolver | None = None) -> None:
        self.m = minter
        self.resolver = resolver
        # Organisations and journals recur in many records; their blocks are
        # made once and reused (profiled: mapping organisations was the largest
        # single cost of a build).
        self._orgs: dict[tuple[object, ...], tuple[str, list[MappedBlock]]] = {}
        self._making: set[str] = set()  # ROR ids whose parents are being mapped
        self._journals: dict[tuple[object, ...], tuple[str, str, list[MappedBlock]]] = {}
        # works the current record names by DOI or PubMed id: (IRI, scheme, value)
        self._mentions: list[tuple[str, str, str]] = []

    def map_record(self, rec: Record) -> MappedRecord:
        """The blocks describing one record, the work first, in a fixed order."""
        m = self.m
        out: list[MappedBlock] = []
        self._mentions = []
        if self.resolver is not None:
            self.resolver.next_record()
        w_iri = article_iri(rec, m, self.resolver)
        w = iri(w_iri)
        if not rec.describes:  # a citation index's row: the work is only named
            scheme, value = ("doi", rec.doi) if rec.doi else ("pmid", rec.pmid or "")
            self._mentions.append((w, scheme, value))
            cites: Pairs = []
            map_references(rec, w_iri, [], cites, out, m, self._mentions)
            out.insert(0, MappedBlock(w, _unique(cites), True, merge=True, key=f"{w} merge"))
            return MappedRecord(w, out, self._mentions, describes=False)
        main: Pairs = [(V.TYPE, KIND_CLASS[rec.kind])]
        # A work is described once (the build, kg/build/, keeps its first description);
        # only a notice can meet its own node again, in another record's status.
        out.append(MappedBlock(w, main, rec.kind in _NOTICE_KIND.values()))
        more: Pairs = []  # what any source may add to the work: the merge block
        out.append(MappedBlock(w, more, True, merge=True, key=f"{w} merge"))

        main.extend((V.DC_TITLE, literal(t, lang)) for t, lang in rec.titles)
        if rec.shown_title:
            main.append((V.ALTERNATE_TITLE, literal(rec.shown_title[0], rec.shown_title[1])))
        main.extend((V.HAS_SUBTITLE, literal(t, lang)) for t, lang in rec.subtitles)
        main.extend((V.DC_ABSTRACT, literal(t, lang)) for t, lang in rec.abstracts)
        if rec.language:
            main.append((V.DC_LANGUAGE, language_iri(rec.language)))
        if rec.year is not None:
            main.append((V.PUBLICATION_YEAR, literal(f"{rec.year:04d}", datatype=XSD_GYEAR)))
        if rec.date:
            main.append((V.PUBLICATION_DATE, literal(rec.date, datatype=XSD_DATE)))
        if rec.printed:
            main.append((V.DC_ISSUED, partial_date(rec.printed)))
        if rec.online:
            main.append((V.DC_AVAILABLE, partial_date(rec.online)))
        if rec.doi:
            main.append((V.DOI, literal(rec.doi)))
            main.append((V.HAS_IDENTIFIER, self._identifier(out, "doi", rec.doi)))
        if rec.url:
            main.append((V.HAS_URL, literal(rec.url, datatype=XSD_ANYURI)))
        main.extend(self._book_parts(w, rec.isbns, out))  # a book's own ISBNs
        if rec.publisher is not None:
            main.append((V.DC_PUBLISHER, self._org(rec.publisher, out)))

        container = self._container(rec, out)
        if container:
            main.append((V.PART_OF, container))
        main.extend(
            _literals(
                (V.STARTING_PAGE, rec.first_page),
                (V.ENDING_PAGE, rec.last_page),
                (V.PAGE_RANGE, rec.page_range),
            )
        )
        self._authors(rec, w_iri, main, out)

        more.extend((V.KEYWORD, literal(t, lang)) for t, lang in rec.keywords)
        more.extend((V.DC_SUBJECT, literal(s)) for s in rec.subjects)
        more.extend((V.DC_LICENSE, iri(url)) for url in rec.licenses)
        if rec.pmid:
            more.append((V.PUBMED_ID, literal(rec.pmid)))
            more.append((V.HAS_IDENTIFIER, self._identifier(out, "pmid", rec.pmid, merge=True)))
        for org in rec.affiliations:
            more.append((V.AFFILIATION, self._org(org, out, merge=True)))
        more.extend((V.AFFILIATION_COUNTRY, literal(c)) for c in rec.countries)
        for kind, statuses in _by_kind(rec.statuses).items():
            self._status(rec, kind, statuses, w_iri, main, more, out)
        map_references(rec, w_iri, main, more, out, m, self._mentions)

        mapped = MappedRecord(w, out, self._mentions)
        targets: dict[str, Pairs] = {}
        for update in rec.updates:
            t_iri = m.doi(update.target_doi)
            if t_iri not in targets:
                targets[t_iri] = []
                self._mentions.append((iri(t_iri), "doi", update.target_doi))
                t = iri(t_iri)
                out.append(MappedBlock(t, targets[t_iri], True, merge=True, key=f"{t} merge"))
            self._status(rec, update.status.kind, [update.status], t_iri, main, targets[t_iri], out)
        for block in out:  # a repeated affiliation or date states nothing new
            if block.merge or not block.tracked or block.subject == w:
                block.pairs = _unique(block.pairs)
        return mapped

    def named_only(self, scheme: str, value: str) -> list[MappedBlock]:
        """What kg knows of a work it only saw named (cited, a status's target or source)."""
        out: list[MappedBlock] = []
        named_work(
            iri(self.m.doi(value) if scheme == "doi" else self.m.pmid(value)),
            scheme,
            value,
            out,
            self._identifier,
        )
        return out

    def _identifier(
        self, out: list[MappedBlock], scheme: str, value: str, merge: bool = False
    ) -> str:
        node = iri(self.m.identifier(scheme, value))
        pairs = [
            (V.TYPE, V.IDENTIFIER),
            (V.USES_SCHEME, V.SCHEME[scheme]),
            (V.LITERAL_VALUE, literal(value)),
        ]
        out.append(MappedBlock(node, pairs, True, merge=merge))
        return node

    def _container(self, rec: Record, out: list[MappedBlock]) -> str | None:
        if rec.container is not None and not rec.container.is_empty():
            if rec.volume or rec.issue:
                rec.issues.append(Issue("volume", "volume and issue are left out: a book has none"))
            return self._book(rec.container, out)
        if rec.series is not None and rec.journal is None:
            cls = V.SERIES if rec.kind == "report" else V.BOOK_SERIES
            return self._journal(rec.series, out, cls)[1]
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
            container = _part(out, path, V.JOURNAL_VOLUME, V.VOLUME, rec.volume, container)
        if rec.issue:
            issue = f"{path}/issue/{segment(rec.issue)}"
            container = _part(out, issue, V.JOURNAL_ISSUE, V.ISSUE_IDENTIFIER, rec.issue, container)
        return container

    def _authors(self, rec: Record, a_iri: str, art: Pairs, out: list[MappedBlock]) -> None:
        roles: list[tuple[str, Pairs]] = []
        persons: list[str] = []
        for n, author in enumerate(rec.authors, start=1):
            merged = self.resolver.person(n) if self.resolver is not None else None
            if author.orcid:
                person = iri(self.m.person_orcid(author.orcid))
            elif merged is not None:
                person = iri(merged)
            else:
                person = iri(self.m.person_key(a_iri, str(n)))
            pp: Pairs = [(V.TYPE, V.PERSON)]
            if author.scripts:  # a name in each script, tagged with it (ru, ru-Latn)
                pp.extend((V.NAME, literal(s.name, s.lang)) for s in author.scripts)
                pp.extend(
                    (V.FAMILY_NAME, literal(s.family, s.lang)) for s in author.scripts if s.family
                )
                pp.extend(
                    (V.GIVEN_NAME, literal(s.given, s.lang)) for s in author.scripts if s.given
                )
            else:
                pp.append((V.NAME, literal(author.name)))
                if author.family:
                    pp.append((V.FAMILY_NAME, literal(author.family)))
                if author.given:
                    pp.append((V.GIVEN_NAME, literal(author.given)))
            if author.orcid:
                pp.append((V.HAS_IDENTIFIER, self._identifier(out, "orcid", author.orcid)))
            # a person met in several records is written once
            out.append(MappedBlock(person, pp, author.orcid is not None or merged is not None))
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

    def _book(self, c: Container, out: list[MappedBlock]) -> str:
        """The book or proceedings volume ``c``: its block (and its series'); its IRI in
        N-Triples form."""
        node = iri(book_iri(c.isbns, c.titles, self.m))
        cls = V.ACADEMIC_PROCEEDINGS if c.kind == "proceedings" else V.BOOK
        bp: Pairs = [(V.TYPE, cls)]
        bp.extend((V.DC_TITLE, literal(t, lang)) for t, lang in c.titles)
        bp.extend(self._book_parts(node, c.isbns, out))
        if c.publisher is not None:
            bp.append((V.DC_PUBLISHER, self._org(c.publisher, out)))
        if c.series is not None:
            bp.append((V.PART_OF, self._journal(c.series, out, V.BOOK_SERIES)[1]))
        out.append(MappedBlock(node, _unique(bp), True))
        return node

    def _book_parts(self, node: str, isbns: Isbns | None, out: list[MappedBlock]) -> Pairs:
        """A book's ISBNs: an identifier for each, and the print and electronic
        manifestations (``frbr:embodiment``) with their own ``prism:isbn`` (a functional
        property: one per manifestation); the book's own pairs are returned."""
        pairs: Pairs = []
        if isbns is None:
            return pairs
        every = isbns.all()
        if len(every) == 1:
            pairs.append((V.ISBN, literal(every[0])))
        for medium, cls, isbn in (
            ("print", V.PRINT_OBJECT, isbns.print),
            ("electronic", V.DIGITAL_MANIFESTATION, isbns.electronic),
        ):
            if isbn:
                m_node = iri(f"{node[1:-1]}/{medium}")
                out.append(MappedBlock(m_node, [(V.TYPE, cls), (V.ISBN, literal(isbn))], True))
                pairs.append((V.EMBODIMENT, m_node))
        pairs.extend((V.HAS_IDENTIFIER, self._identifier(out, "isbn", i)) for i in every)
        return pairs

    def _journal(self, j: Journal, out: list[MappedBlock], cls: str = V.JOURNAL) -> tuple[str, str]:
        pub = j.publisher
        key = (
            cls,
            tuple(j.titles),
            j.issn_print,
            j.issn_online,
            j.issn_l,
            tuple(j.issns_unknown),
            _org_key(pub) if pub else None,
        )
        cached = self._journals.get(key)
        if cached is None:
            blocks: list[MappedBlock] = []
            j_iri = (
                journal_iri(j, self.m, self.resolver) if cls == V.JOURNAL else series_iri(j, self.m)
            )
            jp: Pairs = [(V.TYPE, cls)]
            jp.extend((V.DC_TITLE, literal(t, lang)) for t, lang in j.titles)
            jp.extend(
                _literals(
                    (V.ISSN, j.issn_print), (V.EISSN, j.issn_online), (V.HAS_ISSN_L, j.issn_l)
                )
            )
            known = (j.issn_print, j.issn_online, j.issn_l)
            for issn in j.issns_unknown:  # print or online: the source does not say
                if issn not in known:
                    jp.append((V.HAS_IDENTIFIER, self._identifier(blocks, "issn", issn)))
            if pub:
                jp.append((V.DC_PUBLISHER, self._org(pub, blocks)))
            blocks.append(MappedBlock(iri(j_iri), _unique(jp), True))
            cached = (j_iri, iri(j_iri), blocks)
            if len(self._journals) < self.CACHE_SIZE:
                self._journals[key] = cached
        out.extend(cached[2])
        return cached[0], cached[1]

    def _org(self, org: Organization, out: list[MappedBlock], merge: bool = False) -> str:
        unit = None
        if self.resolver is not None:
            org = self.resolver.org(org)
            unit = self.resolver.unit(org) if org.ror else None
        key = (_org_key(org), unit)
        cached = self._orgs.get(key)
        if cached is None:
            blocks: list[MappedBlock] = []
            node = self._map_org(org, blocks)
            if unit is not None:  # a department named before a matched ROR organisation
                name, lang = unit
                u = iri(f"{node[1:-1]}/unit/{digest(org_key(name))}")
                up = [(V.TYPE, V.ORGANIZATION), (V.NAME, literal(name, lang))]
                blocks.append(MappedBlock(u, [*up, (V.SUB_ORGANIZATION_OF, node)], True))
                node = u
            cached = (node, blocks)
            if len(self._orgs) < self.CACHE_SIZE:
                self._orgs[key] = cached
        if merge:
            out.extend(replace(b, merge=True, memo=None) for b in cached[1])
        else:
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
        if org.ror and self.resolver is not None and org.ror not in self._making:
            self._making.add(org.ror)  # (ROR's parent links have no cycles; in case)
            for parent in self.resolver.parents(org.ror):
                op.append((V.SUB_ORGANIZATION_OF, self._org(parent, out)))
            self._making.discard(org.ror)
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
        w_iri: str,
        main: Pairs,
        more: Pairs,
        out: list[MappedBlock],
    ) -> None:
        """One status node per work and kind; statuses of one kind (from several
        sources, say) add their dates, reasons, sources and notices to it.

        ``w_iri`` is the work that holds the status (this record's work, or a
        work it updates); ``more`` collects the links from that work, and
        ``main`` is this record's own description (for a notice: its
        ``cito:retracts`` link).
        """
        node = iri(f"{w_iri}/status/{kind}")
        sp: Pairs = [(V.TYPE, V.STATUS_IN_TIME), (V.WITH_STATUS, V.STATUS[kind])]
        more.append((V.HOLDS_STATUS, node))
        date_prop = _STATUS_DATE.get(kind)
        for status in statuses:
            if status.date:
                sp.append((V.DC_DATE, _date_literal(status.date)))
                if date_prop:
                    more.append((date_prop, _date_literal(status.date)))
            sp.extend((V.DC_DESCRIPTION, literal(r)) for r in status.reasons)
            for source in status.sources:
                sp.append((V.WAS_DERIVED_FROM, self._source(source, out)))
            notice = status.notice
            if notice is None or not (notice.doi or notice.url):
                continue
            if kind not in _NOTICE_CLASS:
                rec.issues.append(
                    Issue(
                        "status",
                        f"the notice of the {kind} status is left out: FaBiO has "
                        "no class for it (the status itself is kept)",
                    )
                )
            elif notice.doi is not None and notice.doi == rec.doi:
                # this record is the notice itself
                forward, backward = _NOTICE_LINK[kind]
                main.append((forward, iri(w_iri)))
                more.append((backward, iri(self.m.doi(notice.doi))))
                if rec.kind != _NOTICE_KIND[kind]:
                    rec.issues.append(Issue("type", f"a {kind} notice typed as {rec.kind}"))
            else:
                self._notice(kind, notice, w_iri, more, out)
        out.append(MappedBlock(node, sp, True, merge=True))

    def _notice(
        self, kind: str, notice: Notice, w_iri: str, more: Pairs, out: list[MappedBlock]
    ) -> None:
        n_node = iri(self.m.doi(notice.doi) if notice.doi else f"{w_iri}/notice/{kind}")
        forward, backward = _NOTICE_LINK[kind]
        np_: Pairs = [(V.TYPE, _NOTICE_CLASS[kind])]
        if notice.doi:
            np_.append((V.DOI, literal(notice.doi)))
            np_.append((V.HAS_IDENTIFIER, self._identifier(out, "doi", notice.doi, merge=True)))
        if notice.url:
            np_.append((V.HAS_URL, literal(notice.url, datatype=XSD_ANYURI)))
        np_.append((forward, iri(w_iri)))
        out.append(MappedBlock(n_node, np_, True, merge=True))
        more.append((backward, n_node))

    def _source(self, source: Source, out: list[MappedBlock]) -> str:
        if source.doi:  # a document, e.g. the publisher's notice: described on its own
            node = iri(self.m.doi(source.doi))
            self._mentions.append((node, "doi", source.doi))
            return node
        if source.url:
            node = iri(source.url)
            out.append(MappedBlock(node, [(V.TYPE, V.PROV_ENTITY)], True, merge=True))
            return node
        name = source.name or "unknown"
        node = iri(self.m.source(name, source.record_id))
        sp: Pairs = [(V.TYPE, V.PROV_ENTITY), (V.DC_TITLE, literal(name))]
        if source.record_id:
            sp.append((V.DC_IDENTIFIER, literal(source.record_id)))
        out.append(MappedBlock(node, sp, True, merge=True))
        return node
