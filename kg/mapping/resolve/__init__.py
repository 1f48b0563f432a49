"""Entity resolution: one journal, organisation or person, one IRI, across records and sources.

A build reads its sources twice. The first pass (:meth:`Resolver.observe`, or
:func:`observation` in a worker process and :meth:`Resolver.add` in the main
one) collects only what identifies things; :meth:`Resolver.finish` decides, and
the mapping then asks the resolver for each thing's IRI. The rules are
conservative, and every merge is reported with its evidence
(:attr:`Resolver.merges`); candidates that were not merged, with the reason,
are reported as near-misses (:attr:`Resolver.near_misses`).

- **Journals** are one journal whenever they share any ISSN (print, online,
  ISSN-L or of unknown medium). Two ISSN groups with the same normalised title
  and the same publisher are one journal too when one has only a print ISSN and
  the other only an online ISSN; other such pairs are reported as near-misses.
  The IRI comes from the group's ISSN-L, else its smallest print ISSN, else
  online, else of unknown medium. A journal known only by name (Retraction Watch,
  a RIS export without ``SN``) joins a journal with ISSNs when a record of each
  gives the same article (DOI); else when a notice in one retracts or corrects a
  work in the other and their normalised titles are equal; else when their
  normalised title and publisher are equal. Never on the title alone, and not when
  the evidence points to two journals: those are near-misses.
- **Organisations** are one by ROR id, and two different ROR ids are never
  merged. Without a ROR id, by a normalised name (:func:`org_key`: case,
  accents, punctuation, ``Univ.``/``University``, a leading ``The``, Cyrillic
  transliterated); a name found in the name-variants table
  (``data/organisations.tsv`` and ``--organisations FILE``) or given, in some
  record, to exactly one organisation with a ROR id, is that organisation.
- **People** are one by ORCID iD, never across two different ORCID iDs.
  Without one, two authorships are one person only on strong evidence: the same
  normalised family name, compatible given names (``A. A.`` and ``Anna A.``;
  two full given names must be equal) and a shared organisation or a shared
  co-author (a shared organisation needs a full given name or two initials on
  both sides: ``Wang Y.`` needs a co-author), unless more than
  ``MAX_NAMESAKES`` works have an author of that family name and initial with
  that organisation or co-author (a common name at a large institution: too
  common to tell apart). A group never holds two
  different full given names, so ``A.`` cannot join ``Anna`` and ``Alexei``
  into one person. Known failure cases are
  in docs/model.md.
- **Names across scripts.** A Cyrillic name and its Latin forms meet by a key that
  the transliteration schemes of Russian records share (:func:`match_key`,
  :func:`match_words`: GOST 7.79-2000 A and B, ISO 9, BGN/PCGN, ALA-LC, ICAO Doc 9303
  and MVD 310, ...: ``Карташова``, ``Kartashova``, ``Kartašova`` are ``kartasova``), on
  the same evidence as two Latin forms (an organisation counted here as the ROR id its
  name resolves to, so ``Томский политехнический университет`` is ``Tomsk
  Polytechnic University``). These buckets come after all others and only when a
  Cyrillic name was seen; they merge into a Cyrillic member only, so two Latin
  spellings with one key (``Khan``, ``Han``) never meet by it: Latin-only decisions
  are what they were. The key is for matching only: the graph keeps the names as
  the sources gave them (docs/names-across-scripts.md).

Memory does not grow with the number of records. What grows with them goes to
an SQLite database in a temporary directory (``workdir``), written in batches in
one transaction, without a journal, indexed only after the first pass:

- one row per authorship that has a family name and a given name (family key,
  given names, ORCID iD, name, work key, record and author position), and one
  row per evidence bucket it is in (family name + initial + a shared
  organisation or co-author). :meth:`Resolver.finish` finds the buckets with two
  or more members in SQL and runs the union-find only over the authorships of
  the buckets that may merge (at most ``MAX_NAMESAKES`` works), in ``array``
  arrays indexed by dense ids: memory grows with those merge candidates, not
  with the records. The decisions (record, author) -> person IRI go back to the
  database; the second pass reads them in record order, a few thousand records
  at a time.
- the organisation names seen with and without a ROR id. Affiliations are
  mostly whole addresses without a ROR id ("Department of X, University of Y,
  City, Country": so are all 24 in the Crossref and JATS samples under
  tests/data/samples, 13 distinct), nearly one distinct name per author: not
  small. Only the decisions (a name without a ROR id -> the ROR id it resolves
  to) stay in memory, for the second pass.

The DOIs of records with a journal (their own, and their notices' and targets')
go to the database too, with the journal's first ISSN or normalised title; the
name-only journals are decided from them in SQL. The journals' ISSN groups, and the
names of the journals known only by name, stay in memory: they are bounded by the
number of distinct ISSNs and titles, not of records (measured: 1.7 MB for the 1,000 journals, 2,010
ISSNs, of bench/generate.py's records). The merges and near-misses are kept, in
order, in a :class:`MergeLog` that spills to a temporary file beyond a few
thousand (a build of 200,000 generated records decides 250,000).

A resolver sent to a worker process (pickled) carries only the journal and
organisation decisions and the database's path, which the worker opens
read-only.

The modules: names.py (the normalised names), observe.py (the first pass's
:func:`observation`), journals.py, organisations.py (with the name-variants
tables) and people.py (the union-find in arrays) decide; merges.py keeps the
decisions (:class:`MergeLog`); resolver.py holds the :class:`Resolver` and its
SQLite database.
"""

from kg.mapping.resolve.merges import Merge, MergeLog
from kg.mapping.resolve.names import (
    compatible,
    family_key,
    given_parts,
    has_cyrillic,
    match_initial,
    match_key,
    match_words,
    org_key,
)
from kg.mapping.resolve.observe import (
    MAX_COAUTHOR_EVIDENCE,
    AuthorObservation,
    JournalObservation,
    Observation,
    observation,
)
from kg.mapping.resolve.organisations import default_tables, load_variants
from kg.mapping.resolve.people import MAX_NAMESAKES
from kg.mapping.resolve.resolver import Resolver, resolve_sources

__all__ = [
    "MAX_COAUTHOR_EVIDENCE",
    "MAX_NAMESAKES",
    "AuthorObservation",
    "JournalObservation",
    "Merge",
    "MergeLog",
    "Observation",
    "Resolver",
    "compatible",
    "default_tables",
    "family_key",
    "given_parts",
    "has_cyrillic",
    "load_variants",
    "match_initial",
    "match_key",
    "match_words",
    "observation",
    "org_key",
    "resolve_sources",
]
