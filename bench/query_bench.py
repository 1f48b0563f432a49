"""Time every library query over an embedded store.

    python bench/query_bench.py STORE_FOLDER [--repeat 3]

Parameters come from the store itself (an ISSN, a ROR id, an ORCID iD and a
DOI found in it; for work-citations the DOI of a work that cites and is cited),
so the queries find something. Prints a table and writes
bench/out/queries.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyoxigraph as ox

from kg.query.fast import run_store
from kg.query.library import bind, library

HERE = Path(__file__).resolve().parent

PICK = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
PREFIX cito: <http://purl.org/spar/cito/>
SELECT ?v WHERE { %s } LIMIT 1
"""


def pick(store: ox.Store, pattern: str, *others: str) -> str:
    """A value for ``?v`` in the first of the patterns that finds one."""
    for p in (pattern, *others):
        for row in store.query(PICK % p, use_default_graph_as_union=True):  # type: ignore[union-attr]
            return str(row[0].value)  # type: ignore[index]
    raise SystemExit(f"nothing in the store for {pattern}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("store", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="runs per query; the median is kept")
    ap.add_argument(
        "--queries",
        type=Path,
        help="run the .rq files of this folder instead of the library (e.g. "
        "tests/query/reference, the queries as they were before issue 20), as files: "
        "never from side data",
    )
    ap.add_argument("--only", help="only the queries whose name contains this")
    ap.add_argument("-o", "--output", type=Path, default=HERE / "out" / "queries.json")
    args = ap.parse_args()
    store = ox.Store.read_only(str(args.store))
    ror = pick(store, "?i datacite:usesIdentifierScheme datacite:ror ; literal:hasLiteralValue ?v")
    orcid = pick(
        store, "?i datacite:usesIdentifierScheme datacite:orcid ; literal:hasLiteralValue ?v"
    )
    params = {
        "retractions-by-institution": {"ror": ror},
        "articles-by-issn": {"issn": pick(store, "?j prism:issn ?v")},
        "retractions-by-institution-name": {
            "name": pick(
                store,
                "?o a foaf:Organization ; foaf:name ?v",
            )
        },
        "author-works": {"orcid": orcid},
        "author-works-by-name": {"text": pick(store, "?p foaf:name ?v")},
        "article-description": {"doi": pick(store, "?a prism:doi ?v")},
        "describe": {"iri": f"https://example.org/kg/org/ror/{ror}"},
        "institutions-by-output": {"min_works": "1"},
        # a work that cites and is cited, when the store has citations
        "work-citations": {
            "doi": pick(
                store,
                "?a cito:cites ?b ; prism:doi ?v . ?c cito:cites ?a",
                "?a cito:cites ?b ; prism:doi ?v",
                "?a prism:doi ?v",
            )
        },
    }
    rows = []
    queries = library(args.queries) if args.queries else library()
    for name, q in queries.items():
        if args.only and args.only not in name:
            continue
        if args.queries:
            q.source = str(args.queries / f"{name}.rq")
            q.name = f"{name} (file)"  # not the library's: run as it is
        terms = bind(q, params.get(name, {}))
        times = []
        size = 0
        for _ in range(args.repeat):
            if times and times[0] > 5:
                break  # a slow query's one run is figure enough
            start = time.perf_counter()
            result = run_store(args.store, q, terms, store=store)
            times.append(time.perf_counter() - start)
            size = len(result.rows) or len(result.triples)
        times.sort()
        rows.append(
            {
                "query": name,
                "seconds": round(times[len(times) // 2], 3),
                "results": size,
                "params": params.get(name, {}),
            }
        )
        print(f"{name:32} {rows[-1]['seconds']:8.3f} s  {size:8} result(s)", flush=True)
    out = args.output
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"store": args.store.name, "queries": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
