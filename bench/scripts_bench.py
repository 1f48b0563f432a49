"""Names across scripts (issue 16): what the keys across scripts change in entity resolution.

    python bench/scripts_bench.py 20000 --people 2000

Records come from bench/generate.py with ``--people`` (authors who recur, their
names written in several ways; written once to bench/out/people-N-P.jsonl). Two
runs of the resolver over them, in this process:

- ``latin``: the records as generated (Latin names only);
- ``mixed``: every third record as a Russian page would give it, its authors'
  names in Cyrillic (the generator's names written in Cyrillic by a fixed table,
  organisations unchanged).

For each it prints the person merges and near-misses, the merges across scripts,
how many Cyrillic authorships were found to be one person with a Latin one, and
the merges that join authorships whose generated (Latin) family names differ:
names that collide after folding (false merges).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))

from kg.iris import IriMinter  # noqa: E402
from kg.mapping.resolve import default_tables, load_variants, resolve_sources  # noqa: E402
from kg.readers import SourceFile, read_source  # noqa: E402
from kg.records import Record  # noqa: E402

# the generator's family names, suffixes and given names, in Cyrillic
FAMILY = {
    "Ivanov": "Иванов",
    "Petrova": "Петрова",
    "Smith": "Смит",
    "Garcia": "Гарсия",
    "Müller": "Мюллер",
    "Rossi": "Росси",
    "Kartashova": "Карташова",
    "Nguyen": "Нгуен",
    "Kim": "Ким",
    "Wang": "Ван",
    "Silva": "Силва",
    "Cohen": "Коэн",
    "Novak": "Новак",
    "Haddad": "Хаддад",
    "Okafor": "Окафор",
    "Larsen": "Ларсен",
    "Dubois": "Дюбуа",
    "Moreau": "Моро",
    "Kowalski": "Ковальски",
    "Tanaka": "Танака",
}
SUFFIX = {"": "", "a": "а", "ov": "ов", "enko": "енко", "i": "и"}
GIVEN = {
    "Anna": "Анна",
    "Boris": "Борис",
    "Chen": "Чен",
    "Maria": "Мария",
    "Olga": "Ольга",
    "Ivan": "Иван",
    "Sofia": "София",
    "Ahmed": "Ахмед",
    "Luca": "Лука",
    "A.": "А.",
    "B.": "Б.",
    "K.": "К.",
    "L.": "Л.",
    "J.-P.": "Ж.-П.",
}


def cyrillic_family(family: str) -> str | None:
    for latin, cyr in FAMILY.items():
        if family.startswith(latin) and family[len(latin) :] in SUFFIX:
            return cyr + SUFFIX[family[len(latin) :]]
    return None


def cyrillic_given(given: str) -> str:
    return " ".join(GIVEN.get(w, w) for w in given.split())


def to_cyrillic(author: dict) -> dict:
    """The author as a Russian page names them: family and given names in Cyrillic."""
    name = author["name"]
    family = author.get("family")
    given = author.get("given")
    if family is None:  # "Kartashova, Anna A." or "A. A. Kartashova" or "Kartashova A. A."
        if "," in name:
            family, given = (s.strip() for s in name.split(",", 1))
        else:
            words = name.split()
            if words[0].endswith("."):
                family, given = words[-1], " ".join(words[:-1])
            else:
                family, given = words[0], " ".join(words[1:])
    cyr = cyrillic_family(family)
    if cyr is None:
        return author
    cgiven = cyrillic_given(given or "")
    return {**author, "name": f"{cyr} {cgiven}".strip(), "family": cyr, "given": cgiven or None}


def records_file(n: int, people: int) -> Path:
    path = OUT / f"people-{n}-{people}.jsonl"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(n), "--people", str(people)]
            + ["-o", str(path)],
            check=True,
        )
    return path


def run(path: Path, mixed: bool) -> dict[str, int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    source = OUT / f"{path.stem}-{'mixed' if mixed else 'latin'}.jsonl"
    latin_family: dict[tuple[int, int], str] = {}  # (record, author) -> generated family
    cyrillic: set[tuple[int, int]] = set()
    with source.open("w", encoding="utf-8") as f:
        for i, line in enumerate(lines):
            rec = json.loads(line)
            for n, author in enumerate(rec.get("authors", []), start=1):
                latin_family[(i, n)] = author.get("family") or author["name"]
                if mixed and i % 3 == 0:
                    new = to_cyrillic(author)
                    if new is not author:
                        cyrillic.add((i, n))
                    rec["authors"][n - 1] = new
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    records = [r for r in read_source(SourceFile(source, source.name, "native"))]
    records = [r for r in records if isinstance(r, Record)]
    resolver = resolve_sources(
        records, IriMinter("https://example.org/kg/"), load_variants(default_tables())
    )
    try:
        person: dict[tuple[int, int], str] = {}
        resolver.start_at(0)
        for i, rec in enumerate(records):
            resolver.next_record()
            for n in range(1, len(rec.authors) + 1):
                iri = resolver.person(n)
                if iri is not None:
                    person[(i, n)] = iri
        members: dict[str, list[tuple[int, int]]] = {}
        for at, iri in person.items():
            members.setdefault(iri, []).append(at)
        families = {iri: {latin_family[at] for at in ats} for iri, ats in members.items()}
        merges = [m for m in resolver.merges if m.kind == "person"]
        near = [m for m in resolver.near_misses if m.kind == "person"]
        return {
            "records": len(records),
            "Cyrillic authorships": len(cyrillic),
            "person merges": len(merges),
            "person near-misses": len(near),
            "merges across scripts": sum("across scripts" in m.evidence for m in merges),
            "near-misses across scripts": sum("across scripts" in m.evidence for m in near),
            "Cyrillic authorships one person with a Latin one": sum(
                1
                for at in cyrillic
                if at in person and any(o not in cyrillic for o in members[person[at]])
            ),
            "persons of two generated family names": sum(
                1 for f in families.values() if len(f) > 1
            ),
        }
    finally:
        resolver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    path = records_file(args.n, args.people)
    for mixed in (False, True):
        figures = run(path, mixed)
        print("mixed" if mixed else "latin", json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
