"""The vocabulary kg emits: namespaces, prefixes and every term, in one place.

Terms are kept as N-Triples IRI references (``"<http://...>"``) because the
mapping writes N-Triples text directly (see kg/rdf/writers.py for why). Every term
here must be defined in a file under ontology/; tests/test_ontology.py checks it.
"""

from __future__ import annotations

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
FABIO = "http://purl.org/spar/fabio/"
FRBR = "http://purl.org/vocab/frbr/core#"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PRO = "http://purl.org/spar/pro/"
PSO = "http://purl.org/spar/pso/"
CITO = "http://purl.org/spar/cito/"
BIRO = "http://purl.org/spar/biro/"
C4O = "http://purl.org/spar/c4o/"
DATACITE = "http://purl.org/spar/datacite/"
LITERAL = "http://www.essepuntato.it/2010/06/literalreification/"
OCO = "https://w3id.org/oc/ontology/"
ORG = "http://www.w3.org/ns/org#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"
KGO = "https://w3id.org/kg/ontology/"
LOC_ISO639_1 = "http://id.loc.gov/vocabulary/iso639-1/"
LOC_ISO639_2 = "http://id.loc.gov/vocabulary/iso639-2/"

# Prefixes written at the top of Turtle/TriG output, in this order.
PREFIXES: dict[str, str] = {
    "biro": BIRO,
    "c4o": C4O,
    "cito": CITO,
    "datacite": DATACITE,
    "dcterms": DCTERMS,
    "fabio": FABIO,
    "foaf": FOAF,
    "frbr": FRBR,
    "kgo": KGO,
    "literal": LITERAL,
    "oco": OCO,
    "org": ORG,
    "prism": PRISM,
    "pro": PRO,
    "prov": PROV,
    "pso": PSO,
    "rdf": RDF,
    "vcard": VCARD,
    "xsd": XSD,
}


def _t(ns: str, local: str) -> str:
    return f"<{ns}{local}>"


TYPE = _t(RDF, "type")

# classes
JOURNAL_ARTICLE = _t(FABIO, "JournalArticle")
JOURNAL = _t(FABIO, "Journal")
JOURNAL_VOLUME = _t(FABIO, "JournalVolume")
JOURNAL_ISSUE = _t(FABIO, "JournalIssue")
RETRACTION_NOTICE = _t(FABIO, "RetractionNotice")
CORRECTION = _t(FABIO, "Correction")
BOOK_CHAPTER = _t(FABIO, "BookChapter")
PROCEEDINGS_PAPER = _t(FABIO, "ProceedingsPaper")
BOOK = _t(FABIO, "Book")
PREPRINT = _t(FABIO, "Preprint")
REPORT = _t(FABIO, "ReportDocument")
THESIS = _t(FABIO, "Thesis")
DATASET = _t(FABIO, "Dataset")
REFERENCE_ENTRY = _t(FABIO, "ReferenceEntry")
ACADEMIC_PROCEEDINGS = _t(FABIO, "AcademicProceedings")
BOOK_SERIES = _t(FABIO, "BookSeries")
SERIES = _t(FABIO, "Series")
PRINT_OBJECT = _t(FABIO, "PrintObject")
DIGITAL_MANIFESTATION = _t(FABIO, "DigitalManifestation")
PERSON = _t(FOAF, "Person")
ORGANIZATION = _t(FOAF, "Organization")
ROLE_IN_TIME = _t(PRO, "RoleInTime")
STATUS_IN_TIME = _t(PSO, "StatusInTime")
IDENTIFIER = _t(DATACITE, "Identifier")
SITE = _t(ORG, "Site")
ADDRESS = _t(VCARD, "Address")
PROV_ENTITY = _t(PROV, "Entity")
PROV_ACTIVITY = _t(PROV, "Activity")

# properties
DC_TITLE = _t(DCTERMS, "title")
DC_ABSTRACT = _t(DCTERMS, "abstract")
DC_LANGUAGE = _t(DCTERMS, "language")
DC_CREATOR = _t(DCTERMS, "creator")
DC_PUBLISHER = _t(DCTERMS, "publisher")
DC_DESCRIPTION = _t(DCTERMS, "description")
DC_DATE = _t(DCTERMS, "date")
ALTERNATE_TITLE = _t(PRISM, "alternateTitle")
KEYWORD = _t(PRISM, "keyword")
DOI = _t(PRISM, "doi")
ISSN = _t(PRISM, "issn")
EISSN = _t(PRISM, "eIssn")
VOLUME = _t(PRISM, "volume")
ISSUE_IDENTIFIER = _t(PRISM, "issueIdentifier")
STARTING_PAGE = _t(PRISM, "startingPage")
ENDING_PAGE = _t(PRISM, "endingPage")
PAGE_RANGE = _t(PRISM, "pageRange")
PUBLICATION_DATE = _t(PRISM, "publicationDate")
PUBLICATION_YEAR = _t(FABIO, "hasPublicationYear")
HAS_URL = _t(FABIO, "hasURL")
HAS_SUBTITLE = _t(FABIO, "hasSubtitle")
HAS_ISSN_L = _t(FABIO, "hasIssnL")
DC_IDENTIFIER = _t(DCTERMS, "identifier")
DC_SUBJECT = _t(DCTERMS, "subject")
DC_LICENSE = _t(DCTERMS, "license")
DC_ISSUED = _t(DCTERMS, "issued")
DC_AVAILABLE = _t(DCTERMS, "available")
PUBMED_ID = _t(FABIO, "hasPubMedId")
AFFILIATION = _t(KGO, "affiliation")
AFFILIATION_COUNTRY = _t(KGO, "affiliationCountry")
RETRACTION_DATE = _t(FABIO, "hasRetractionDate")
CORRECTION_DATE = _t(FABIO, "hasCorrectionDate")
PART_OF = _t(FRBR, "partOf")
EMBODIMENT = _t(FRBR, "embodiment")
ISBN = _t(PRISM, "isbn")
NAME = _t(FOAF, "name")
FAMILY_NAME = _t(FOAF, "familyName")
GIVEN_NAME = _t(FOAF, "givenName")
DOCUMENT_CONTEXT_FOR = _t(PRO, "isDocumentContextFor")
WITH_ROLE = _t(PRO, "withRole")
IS_HELD_BY = _t(PRO, "isHeldBy")
RELATES_TO_ORGANIZATION = _t(PRO, "relatesToOrganization")
HAS_NEXT = _t(OCO, "hasNext")
HOLDS_STATUS = _t(PSO, "holdsStatusInTime")
WITH_STATUS = _t(PSO, "withStatus")
RETRACTS = _t(CITO, "retracts")
IS_RETRACTED_BY = _t(CITO, "isRetractedBy")
CORRECTS = _t(CITO, "corrects")
IS_CORRECTED_BY = _t(CITO, "isCorrectedBy")
# citations (kg/mapping/citations.py)
CITES = _t(CITO, "cites")
CITATION = _t(CITO, "Citation")
JOURNAL_SELF_CITATION = _t(CITO, "JournalSelfCitation")
AUTHOR_SELF_CITATION = _t(CITO, "AuthorSelfCitation")
HAS_CITING_ENTITY = _t(CITO, "hasCitingEntity")
HAS_CITED_ENTITY = _t(CITO, "hasCitedEntity")
CITATION_CREATION_DATE = _t(CITO, "hasCitationCreationDate")
CITATION_TIME_SPAN = _t(CITO, "hasCitationTimeSpan")
HAS_PART = _t(FRBR, "part")
BIBLIOGRAPHIC_REFERENCE = _t(BIRO, "BibliographicReference")
REFERENCES = _t(BIRO, "references")
HAS_CONTENT = _t(C4O, "hasContent")
HAS_IDENTIFIER = _t(DATACITE, "hasIdentifier")
USES_SCHEME = _t(DATACITE, "usesIdentifierScheme")
LITERAL_VALUE = _t(LITERAL, "hasLiteralValue")
HAS_PRIMARY_SITE = _t(ORG, "hasPrimarySite")
SUB_ORGANIZATION_OF = _t(ORG, "subOrganizationOf")
SITE_ADDRESS = _t(ORG, "siteAddress")
STREET_ADDRESS = _t(VCARD, "street-address")
POSTAL_CODE = _t(VCARD, "postal-code")
LOCALITY = _t(VCARD, "locality")
REGION = _t(VCARD, "region")
COUNTRY_NAME = _t(VCARD, "country-name")
WAS_DERIVED_FROM = _t(PROV, "wasDerivedFrom")
WAS_GENERATED_BY = _t(PROV, "wasGeneratedBy")
USED = _t(PROV, "used")

# individuals
AUTHOR_ROLE = _t(PRO, "author")
SCHEME = {
    "doi": _t(DATACITE, "doi"),
    "orcid": _t(DATACITE, "orcid"),
    "ror": _t(DATACITE, "ror"),
    "wikidata": _t(DATACITE, "wikidata"),
    "pmid": _t(DATACITE, "pmid"),
    "issn": _t(DATACITE, "issn"),
    "isbn": _t(DATACITE, "isbn"),
}

# Publication statuses a record can carry, and the PSO (or kg ontology)
# individual each becomes. PSO has no term for an expression of concern or a
# reinstatement, so kg's own ontology (ontology/kg.ttl) declares them as
# pso:PublicationStatus individuals.
STATUS = {
    "retracted": _t(PSO, "retracted-from-publication"),
    "corrected": _t(PSO, "corrected"),
    "expression-of-concern": _t(KGO, "expression-of-concern"),
    "reinstated": _t(KGO, "reinstated"),
}

# datatypes (IRIs without brackets, used inside literals)
XSD_STRING = XSD + "string"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
XSD_GYEAR = XSD + "gYear"
XSD_GYEARMONTH = XSD + "gYearMonth"
XSD_ANYURI = XSD + "anyURI"
XSD_DURATION = XSD + "duration"


def emitted_terms() -> set[str]:
    """Every vocabulary IRI (without brackets) this module defines."""
    terms: set[str] = set()
    for value in list(globals().values()) + list(SCHEME.values()) + list(STATUS.values()):
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            terms.add(value[1:-1])
    return terms
