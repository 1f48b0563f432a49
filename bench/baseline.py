"""The speed to beat: Crossref JSON Lines to N-Triples with string formatting, no checks.

    python bench/baseline.py bench/out/crossref-100000.jsonl -o /tmp/baseline.nt

Maps the fields kg maps for a journal article (type, titles, abstract as given,
year, DOI and its identifier node, journal with ISSNs, volume, issue, pages,
authors in order with names, ORCID and affiliations, subjects, licence) to
N-Triples, on one core, with no normalisation, no validation of identifiers,
no escaping beyond what N-Triples needs and no bookkeeping of shared nodes
(a journal is written again for every article). It is what a careful user
could write in an afternoon, and the yardstick of issue 8: kg should reach
80% of its triples/s. Prints records, triples, seconds and the rates.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

BASE = "https://example.org/kg/"
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
DC = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PRO = "http://purl.org/spar/pro/"
DATACITE = "http://purl.org/spar/datacite/"
LIT = "http://www.essepuntato.it/2010/06/literalreification/"
FRBR = "http://purl.org/vocab/frbr/core#"
OCO = "https://w3id.org/oc/ontology/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
GYEAR = "<http://www.w3.org/2001/XMLSchema#gYear>"


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def work_triples(w: dict, out: list[str]) -> None:  # type: ignore[type-arg]
    doi = w["DOI"].lower()
    a = f"<{BASE}doi/{doi}>"
    add = out.append
    add(f"{a} {RDF_TYPE} <{FABIO}JournalArticle> .\n")
    for t in w.get("title", []):
        add(f"{a} <{DC}title> {lit(t)}@en .\n")
    if "abstract" in w:
        add(f"{a} <{DC}abstract> {lit(w['abstract'])}@en .\n")
    parts = w.get("issued", {}).get("date-parts", [[None]])[0]
    if parts and parts[0]:
        add(f'{a} <{FABIO}hasPublicationYear> "{parts[0]}"^^{GYEAR} .\n')
    ident = f"<{BASE}identifier/doi/{doi}>"
    add(f"{a} <{PRISM}doi> {lit(doi)} .\n")
    add(f"{a} <{DATACITE}hasIdentifier> {ident} .\n")
    add(f"{ident} {RDF_TYPE} <{DATACITE}Identifier> .\n")
    add(f"{ident} <{DATACITE}usesIdentifierScheme> <{DATACITE}doi> .\n")
    add(f"{ident} <{LIT}hasLiteralValue> {lit(doi)} .\n")
    issns = {i["type"]: i["value"] for i in w.get("issn-type", [])}
    if issns:
        j = f"<{BASE}journal/issn/{issns.get('print') or next(iter(issns.values()))}>"
        add(f"{j} {RDF_TYPE} <{FABIO}Journal> .\n")
        for t in w.get("container-title", []):
            add(f"{j} <{DC}title> {lit(t)}@en .\n")
        if "print" in issns:
            add(f"{j} <{PRISM}issn> {lit(issns['print'])} .\n")
        if "electronic" in issns:
            add(f"{j} <{PRISM}eIssn> {lit(issns['electronic'])} .\n")
        container = j
        if "volume" in w:
            v = f"<{j[1:-1]}/volume/{w['volume']}>"
            add(f"{v} {RDF_TYPE} <{FABIO}JournalVolume> .\n")
            add(f"{v} <{PRISM}volume> {lit(w['volume'])} .\n")
            add(f"{v} <{FRBR}partOf> {j} .\n")
            container = v
            if "issue" in w:
                i = f"<{v[1:-1]}/issue/{w['issue']}>"
                add(f"{i} {RDF_TYPE} <{FABIO}JournalIssue> .\n")
                add(f"{i} <{PRISM}issueIdentifier> {lit(w['issue'])} .\n")
                add(f"{i} <{FRBR}partOf> {v} .\n")
                container = i
        add(f"{a} <{FRBR}partOf> {container} .\n")
    if "page" in w:
        first, _, last = w["page"].partition("-")
        add(f"{a} <{PRISM}startingPage> {lit(first)} .\n")
        if last:
            add(f"{a} <{PRISM}endingPage> {lit(last)} .\n")
        add(f"{a} <{PRISM}pageRange> {lit(w['page'])} .\n")
    for s in w.get("subject", []):
        add(f"{a} <{DC}subject> {lit(s)} .\n")
    for lic in w.get("license", []):
        add(f"{a} <{DC}license> <{lic['URL']}> .\n")
    previous = None
    for n, au in enumerate(w.get("author", []), start=1):
        name = f"{au.get('given', '')} {au.get('family', '')}".strip()
        orcid = au.get("ORCID", "").rsplit("/", 1)[-1]
        p = f"<{BASE}person/orcid/{orcid}>" if orcid else f"<{BASE}person/{doi}/{n}>"
        role = f"<{a[1:-1]}/author/{n}>"
        add(f"{p} {RDF_TYPE} <{FOAF}Person> .\n")
        add(f"{p} <{FOAF}name> {lit(name)} .\n")
        if "family" in au:
            add(f"{p} <{FOAF}familyName> {lit(au['family'])} .\n")
        if "given" in au:
            add(f"{p} <{FOAF}givenName> {lit(au['given'])} .\n")
        add(f"{a} <{DC}creator> {p} .\n")
        add(f"{a} <{PRO}isDocumentContextFor> {role} .\n")
        add(f"{role} {RDF_TYPE} <{PRO}RoleInTime> .\n")
        add(f"{role} <{PRO}withRole> <{PRO}author> .\n")
        add(f"{role} <{PRO}isHeldBy> {p} .\n")
        for aff in au.get("affiliation", []):
            ror = next((i["id"].rsplit("/", 1)[-1] for i in aff.get("id", [])), None)
            o = f"<{BASE}org/ror/{ror}>" if ror else f"<{BASE}org/{abs(hash(aff['name']))}>"
            add(f"{o} {RDF_TYPE} <{FOAF}Organization> .\n")
            add(f"{o} <{FOAF}name> {lit(aff['name'])}@en .\n")
            add(f"{role} <{PRO}relatesToOrganization> {o} .\n")
        if previous is not None:
            add(f"{previous} <{OCO}hasNext> {role} .\n")
        previous = role


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("records", type=Path, help="Crossref works, JSON Lines")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    start = time.perf_counter()
    records = triples = 0
    with args.records.open("rb") as f, args.output.open("w", encoding="utf-8") as out:
        for line in f:
            w = orjson.loads(line)
            if w.get("type") != "journal-article":
                continue
            lines: list[str] = []
            work_triples(w, lines)
            out.writelines(lines)
            records += 1
            triples += len(lines)
    seconds = time.perf_counter() - start
    print(
        f"{records} records, {triples} triples in {seconds:.1f} s: "
        f"{records / seconds:,.0f} records/s, {triples / seconds:,.0f} triples/s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
