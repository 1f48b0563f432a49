"""Flatten generated Crossref works (bench/generate.py --crossref) into CSV files for the peers.

    python bench/peers/flatten.py bench/out/crossref-10000.jsonl -o bench/out/csv-10000

The peers (Morph-KGC, maplib) map tables, not JSON: this is their input
preparation, like generating the records, and is not timed. One file per kind
of row, each with a header:

- ``articles.csv``: doi, title, abstract (its text, markup removed), language,
  year, date (the online date, YYYY-MM-DD), issued (the print date, YYYY-MM),
  container (the IRI path of the issue, volume or journal it is part of), first_page,
  last_page, pages, license;
- ``journals.csv``: issn (the print ISSN, else the first), title, issn_print,
  issn_electronic (one row a journal);
- ``volumes.csv``: issn, volume; ``issues.csv``: issn, volume, issue (one row each);
- ``authorships.csv``: doi, position (1, 2, ...), next (the next position, empty for
  the last), person (the IRI path of the person: ``orcid/ID`` with an ORCID iD,
  else a hash of the DOI and the position), name, family, given, orcid;
- ``affiliations.csv``: doi, position, ror; ``organisations.csv``: ror, name (one row each);
- ``subjects.csv``: doi, keyword (a subject).

An empty field is a value the work does not have. Works other than journal
articles are left out, as are what the peers do not map (update-to notices,
references, the publisher).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from pathlib import Path
from typing import Any

import orjson

TAGS = re.compile(r"<[^>]+>")

COLUMNS = {
    "articles": [
        "doi",
        "title",
        "abstract",
        "language",
        "year",
        "date",
        "issued",
        "container",
        "first_page",
        "last_page",
        "pages",
        "license",
    ],
    "journals": ["issn", "title", "issn_print", "issn_electronic"],
    "volumes": ["issn", "volume"],
    "issues": ["issn", "volume", "issue"],
    "authorships": ["doi", "position", "next", "person", "name", "family", "given", "orcid"],
    "affiliations": ["doi", "position", "ror"],
    "organisations": ["ror", "name"],
    "subjects": ["doi", "keyword"],
}


def _date(work: dict[str, Any], key: str) -> list[int]:
    parts = (work.get(key) or {}).get("date-parts") or [[]]
    return [int(p) for p in parts[0] if p is not None]


def _iso(parts: list[int]) -> str:
    return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts))


def flatten(records: Path, out: Path) -> dict[str, int]:
    """Write the CSV files into ``out``; the rows written, by file."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        name: (out / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in COLUMNS
    }
    writers = {name: csv.writer(f) for name, f in files.items()}
    counts = dict.fromkeys(COLUMNS, 0)

    def write(name: str, row: list[object]) -> None:
        writers[name].writerow(row)
        counts[name] += 1

    for name, columns in COLUMNS.items():
        writers[name].writerow(columns)
    journals: set[str] = set()
    volumes: set[tuple[str, str]] = set()
    issues: set[tuple[str, str, str]] = set()
    organisations: set[str] = set()
    try:
        with records.open("rb") as f:
            for line in f:
                w = orjson.loads(line)
                if w.get("type") != "journal-article":
                    continue
                doi = w["DOI"].lower()
                issns = {i["type"]: i["value"] for i in w.get("issn-type", [])}
                container = ""
                if issns:
                    issn = issns.get("print") or next(iter(issns.values()))
                    container = f"journal/issn/{issn}"
                    if issn not in journals:
                        journals.add(issn)
                        title = (w.get("container-title") or [""])[0]
                        write(
                            "journals",
                            [issn, title, issns.get("print", ""), issns.get("electronic", "")],
                        )
                    volume, issue = w.get("volume", ""), w.get("issue", "")
                    if volume:
                        container += f"/volume/{volume}"
                        if (issn, volume) not in volumes:
                            volumes.add((issn, volume))
                            write("volumes", [issn, volume])
                        if issue:
                            container += f"/issue/{issue}"
                            if (issn, volume, issue) not in issues:
                                issues.add((issn, volume, issue))
                                write("issues", [issn, volume, issue])
                page = w.get("page", "")
                first, _, last = page.partition("-")
                online = _date(w, "published-online") or _date(w, "issued")
                printed = _date(w, "published-print")
                abstract = TAGS.sub("", w.get("abstract", "")).strip()
                write(
                    "articles",
                    [
                        doi,
                        (w.get("title") or [""])[0],
                        abstract,
                        w.get("language", ""),
                        online[0] if online else "",
                        _iso(online) if len(online) == 3 else "",
                        _iso(printed) if len(printed) == 2 else "",
                        container,
                        first,
                        last,
                        page,
                        (w.get("license") or [{}])[0].get("URL", ""),
                    ],
                )
                for subject in w.get("subject", []):
                    write("subjects", [doi, subject])
                authors = w.get("author", [])
                for n, au in enumerate(authors, start=1):
                    orcid = au.get("ORCID", "").rsplit("/", 1)[-1]
                    key = hashlib.blake2b(f"{doi} {n}".encode(), digest_size=8).hexdigest()
                    name = f"{au.get('given', '')} {au.get('family', '')}".strip()
                    write(
                        "authorships",
                        [
                            doi,
                            n,
                            n + 1 if n < len(authors) else "",
                            f"orcid/{orcid}" if orcid else key,
                            name,
                            au.get("family", ""),
                            au.get("given", ""),
                            orcid,
                        ],
                    )
                    for aff in au.get("affiliation", []):
                        ids = [i["id"].rsplit("/", 1)[-1] for i in aff.get("id", [])]
                        if not ids:
                            continue
                        write("affiliations", [doi, n, ids[0]])
                        if ids[0] not in organisations:
                            organisations.add(ids[0])
                            write("organisations", [ids[0], aff.get("name", "")])
    finally:
        for table in files.values():
            table.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("records", type=Path, help="Crossref works, JSON Lines")
    ap.add_argument("-o", "--output", type=Path, required=True, help="folder for the CSV files")
    args = ap.parse_args()
    counts = flatten(args.records, args.output)
    print(", ".join(f"{name}: {n:,}" for name, n in counts.items()))


if __name__ == "__main__":
    main()
