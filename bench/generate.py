"""Generate realistic synthetic article records as JSON Lines: kg's native format or Crossref works.

Deterministic for a given --seed. Each record has 1-30 authors (mean about
4.5), affiliations from a pool of organisations (with ROR ids and addresses),
a journal from a pool with print and online ISSNs, an abstract of about 1 kB,
keywords, a DOI; 1% are retracted (with date, notice, reasons and source),
and about 0.2% carry a bad identifier (a wrong ISSN or ORCID check digit).

    python bench/generate.py 100000 -o bench/out/records-100k.jsonl
    python bench/generate.py 100000 --crossref -o bench/out/crossref-100k.jsonl

With --crossref each record is written as a Crossref REST API work (the shape
of the public data file's items), with update-to notices for the retracted ones.

With --people N about half of the authors come from a pool of N people who
write several works: half of them have an ORCID iD, each has a home
institution, and their names are written in several ways ("Kartashova A. A.",
"A. A. Kartashova", "Kartashova, Anna A."), so that entity resolution merges
authorships and one person is described by many records. Without it (the
default) every author is drawn afresh, and the output is what it always was.

With --references N (Crossref works only) each work gets a ``reference`` list of N
entries, drawn from a random stream of their own (the works are the same as
without): about 75% name an earlier generated work by its DOI (one in ten of
those a retracted one when there is one, so that retracted works are cited
before and after their retraction), 15% a DOI outside the generated works (a pool
of N/10 per record, so that most are cited more than once), and 10% have no DOI,
only their ``unstructured`` text. Entries with a DOI give either the text or its
parts (author, year, article title, journal), as Crossref's do.

    python bench/generate.py 2000 --crossref --references 20 -o bench/out/crossref-refs.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.ids import issn_check_digit  # noqa: E402

WORDS = (
    "analysis model data regional cluster integration science education production "
    "policy network citation metadata retraction journal quality method evidence study "
    "innovation development system learning structure process theory effect impact "
    "approach framework performance review survey university research open"
).split()
FAMILY = (
    "Ivanov Petrova Smith Garcia Müller Rossi Kartashova Nguyen Kim Wang Silva Cohen "
    "Novak Haddad Okafor Larsen Dubois Moreau Kowalski Tanaka"
).split()
GIVEN = "A. A.|B.|Chen|Maria|J.-P.|Olga|Ahmed|Sofia|K. L.|Ivan|Anna|Luca".split("|")
COUNTRIES = ["Russia", "Italy", "Germany", "United Kingdom", "France", "Japan", "Brazil"]
REASONS = [
    "+Paper Mill",
    "+Fake Peer Review",
    "+Duplication of Article",
    "+Concerns/Issues About Data",
    "+Plagiarism of Text",
]
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def issn(rng: random.Random, good: bool = True) -> str:
    body = "".join(str(rng.randrange(10)) for _ in range(7))
    check = issn_check_digit(body)
    if not good:
        check = "0" if check != "0" else "1"
    return f"{body[:4]}-{body[4:]}{check}"


def orcid(rng: random.Random, good: bool = True) -> str:
    digits = "0000" + "".join(str(rng.randrange(10)) for _ in range(11))
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    c = (12 - total % 11) % 11
    check = "X" if c == 10 else str(c)
    if not good:
        check = "0" if check != "0" else "1"
    s = digits + check
    return "-".join(s[i : i + 4] for i in range(0, 16, 4))


def ror(rng: random.Random) -> str:
    number = rng.randrange(32**6)
    chars = ""
    n = number
    for _ in range(6):
        chars = CROCKFORD[n % 32] + chars
        n //= 32
    return f"0{chars}{98 - (number * 100) % 97:02d}"


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def pools(rng: random.Random) -> tuple[list[dict], list[dict]]:
    orgs = [
        {
            "name": {"en": f"University of {sentence(rng, 2).title()} {i}"},
            "ror": ror(rng),
            "address": {
                "street": f"{rng.randrange(1, 200)} {rng.choice(WORDS).title()} St.",
                "postal_code": str(rng.randrange(10000, 99999)),
                "locality": rng.choice(WORDS).title(),
                "country": rng.choice(COUNTRIES),
            },
        }
        for i in range(2000)
    ]
    journals = [
        {
            "title": {"en": f"Journal of {sentence(rng, 2).title()} {i}"},
            "issn_print": issn(rng),
            "issn_online": issn(rng),
            "publisher": f"{rng.choice(WORDS).title()} Press",
        }
        for i in range(1000)
    ]
    return orgs, journals


def people_pool(rng: random.Random, n: int, orgs: list[dict]) -> list[dict]:
    """People who write several works (--people): name parts, an ORCID iD for half of them,
    a home institution."""
    pool = []
    for _ in range(n):
        person = {
            "family": rng.choice(FAMILY) + rng.choice(("", "a", "ov", "enko", "i")),
            "first": rng.choice(("Anna", "Boris", "Chen", "Maria", "Olga", "Ivan", "Sofia")),
            "second": rng.choice(("A.", "B.", "K.", "")),
            "org": rng.choice(orgs),
        }
        if rng.random() < 0.5:
            person["orcid"] = orcid(rng)
        pool.append(person)
    return pool


def pooled_author(rng: random.Random, person: dict) -> dict:
    """One authorship of a pooled person, with one of the ways their name is written."""
    first, second, family = person["first"], person["second"], person["family"]
    initials = f"{first[0]}. {second}".strip()
    given = rng.choice((initials, f"{first} {second}".strip()))
    name = rng.choice((f"{family} {given}", f"{given} {family}", f"{family}, {given}"))
    author: dict = {"name": name, "family": family, "given": given}
    author["affiliations"] = [person["org"]]
    if "orcid" in person and rng.random() < 0.8:
        author["orcid"] = person["orcid"]
    return author


def record(
    rng: random.Random,
    i: int,
    orgs: list[dict],
    journals: list[dict],
    people: list[dict] | None = None,
) -> dict:
    journal = dict(rng.choice(journals))
    n_authors = min(30, max(1, int(rng.expovariate(1 / 4.5)) + 1))
    bad = rng.random() < 0.002
    if bad and rng.random() < 0.5:
        journal["issn_online"] = issn(rng, good=False)
    authors = []
    for n in range(n_authors):
        if people and rng.random() < 0.5:
            authors.append(pooled_author(rng, rng.choice(people)))
            continue
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        author: dict = {
            "name": f"{family} {given}",
            "family": family,
            "given": given,
            "affiliations": [rng.choice(orgs) for _ in range(rng.choice((1, 1, 1, 2)))],
        }
        if rng.random() < 0.4:
            author["orcid"] = orcid(rng, good=not (bad and n == 0))
        authors.append(author)
    year = rng.randrange(1990, 2025)
    first = rng.randrange(1, 900)
    rec: dict = {
        "id": f"synthetic-{i}",
        "title": {"en": sentence(rng, rng.randrange(6, 16)).capitalize()},
        "abstract": {"en": (sentence(rng, 150) + ".")[:1000]},
        "keywords": {"en": [sentence(rng, 2) for _ in range(rng.randrange(3, 8))]},
        "language": "en",
        "date": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        "doi": f"10.{rng.randrange(1000, 99999)}/synthetic.{i}",
        "journal": journal,
        "volume": str(year - 1980),
        "issue": str(rng.randrange(1, 13)),
        "pages": f"{first}-{first + rng.randrange(5, 30)}",
        "authors": authors,
    }
    if rng.random() < 0.01:
        rec["status"] = [
            {
                "type": "retracted",
                "date": f"{min(2025, year + 2)}-06-28",
                "notice_doi": f"10.{rng.randrange(1000, 99999)}/retraction.{i}",
                "reasons": rng.sample(REASONS, 2),
                "source": "Retraction Watch",
                "record_id": str(10000 + i),
            }
        ]
    return rec


def _date_parts(iso: str) -> dict:
    return {"date-parts": [[int(p) for p in iso.split("-")]]}


def to_crossref(rec: dict) -> list[dict]:
    """The record as a Crossref work, plus its retraction notice when it has one."""
    j = rec["journal"]
    work = {
        "DOI": rec["doi"],
        "type": "journal-article",
        "title": [rec["title"]["en"]],
        "abstract": f"<jats:p>{rec['abstract']['en']}</jats:p>",
        "language": "en",
        "container-title": [j["title"]["en"]],
        "publisher": j["publisher"],
        "ISSN": [j["issn_print"], j["issn_online"]],
        "issn-type": [
            {"value": j["issn_print"], "type": "print"},
            {"value": j["issn_online"], "type": "electronic"},
        ],
        "volume": rec["volume"],
        "issue": rec["issue"],
        "page": rec["pages"],
        "issued": _date_parts(rec["date"]),
        "published-print": _date_parts(rec["date"][:7]),
        "published-online": _date_parts(rec["date"]),
        "subject": rec["keywords"]["en"][:2],
        "license": [{"URL": "http://creativecommons.org/licenses/by/4.0/"}],
        "author": [],
    }
    for n, a in enumerate(rec["authors"]):
        author = {
            "given": a["given"],
            "family": a["family"],
            "sequence": "first" if n == 0 else "additional",
            "affiliation": [
                {
                    "name": o["name"]["en"],
                    "id": [{"id": f"https://ror.org/{o['ror']}", "id-type": "ROR"}],
                }
                for o in a["affiliations"]
            ],
        }
        if "orcid" in a:
            author["ORCID"] = f"https://orcid.org/{a['orcid']}"
        work["author"].append(author)
    works = [work]
    for status in rec.get("status", []):
        works.append(
            {
                "DOI": status["notice_doi"],
                "type": "journal-article",
                "title": [f"Retracted: {rec['title']['en']}"],
                "language": "en",
                "container-title": work["container-title"],
                "issn-type": work["issn-type"],
                "publisher": j["publisher"],
                "issued": _date_parts(status["date"]),
                "update-to": [
                    {
                        "DOI": rec["doi"],
                        "type": "retraction",
                        "source": "publisher",
                        "updated": _date_parts(status["date"]),
                    },
                    {
                        "DOI": rec["doi"],
                        "type": "retraction",
                        "source": "retraction-watch",
                        "record-id": status["record_id"],
                        "updated": _date_parts(status["date"]),
                    },
                ],
            }
        )
    return works


def references(
    rng: random.Random, rec: dict, n: int, earlier: list[dict], retracted: list[dict], total: int
) -> list[dict]:
    """``n`` Crossref reference entries for ``rec``: DOIs of ``earlier`` works (some of
    the ``retracted`` ones), DOIs outside the generated works, and text only."""
    entries = []
    for k in range(n):
        entry: dict = {"key": f"{rec['doi']}-ref{k + 1}"}
        roll = rng.random()
        if roll < 0.75 and earlier:
            pool = retracted if retracted and rng.random() < 0.1 else earlier
            cited = rng.choice(pool)
            doi, title, year = cited["doi"], cited["title"]["en"], cited["date"][:4]
            journal = cited["journal"]["title"]["en"]
            author = cited["authors"][0]["family"]
        elif roll < 0.9 or not earlier:
            doi = f"10.5555/outside.{rng.randrange(max(1, n * total // 10))}"
            title, year = sentence(rng, 6).capitalize(), str(rng.randrange(1950, 2025))
            journal, author = f"Journal of {sentence(rng, 2).title()}", rng.choice(FAMILY)
        else:
            doi = None
            title, year = sentence(rng, 6).capitalize(), str(rng.randrange(1950, 2025))
            journal, author = f"Journal of {sentence(rng, 2).title()}", rng.choice(FAMILY)
        text = f"{author} {rng.choice(GIVEN)} ({year}). {title}. {journal}."
        if doi is None:
            entry["unstructured"] = text
        else:
            entry["DOI"] = doi
            entry["doi-asserted-by"] = rng.choice(("publisher", "crossref"))
            if rng.random() < 0.5:
                entry["unstructured"] = text
            else:
                entry |= {
                    "author": author,
                    "year": year,
                    "article-title": title,
                    "journal-title": journal,
                }
        entries.append(entry)
    return entries


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("n", type=int, help="number of records")
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--crossref", action="store_true", help="write Crossref works")
    ap.add_argument(
        "--people", type=int, default=0, help="a pool of this many people who write many works"
    )
    ap.add_argument(
        "--references",
        type=int,
        default=0,
        metavar="N",
        help="give each Crossref work a reference list of N entries (with --crossref)",
    )
    args = ap.parse_args()
    if args.references and not args.crossref:
        ap.error("--references needs --crossref (kg's own records have no reference lists)")
    cite = random.Random(args.seed + 2)  # its own stream: the works stay the same
    earlier: list[dict] = []
    retracted: list[dict] = []
    rng = random.Random(args.seed)
    orgs, journals = pools(rng)
    people = people_pool(random.Random(args.seed + 1), args.people, orgs) if args.people else None
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as f:
        for i in range(args.n):
            rec = record(rng, i, orgs, journals, people)
            works = to_crossref(rec) if args.crossref else [rec]
            if args.references:
                works[0]["reference"] = references(
                    cite, rec, args.references, earlier, retracted, args.n
                )
                earlier.append(rec)
                if "status" in rec:
                    retracted.append(rec)
            for out in works:
                f.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
