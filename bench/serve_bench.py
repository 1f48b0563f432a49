"""How fast ``kg serve`` answers: pages, RDF, lookups and SPARQL over one kept-alive
connection, each request 50 times (5 when the second takes over a second): median, p95, max
in milliseconds.

    python bench/serve_bench.py 10000                      # generate, build, load, serve
    python bench/serve_bench.py 10000 --store STORE        # serve a store loaded before
    python bench/serve_bench.py 10000 --data graph.nq      # serve a file (held in memory)

Without --store or --data it generates N Crossref works with 20 references each
(``bench/generate.py N --crossref --references 20``), builds them to N-Quads
(``kg build --no-validate --no-resolve --base http://127.0.0.1:8000/``) and loads them
into an embedded store (``kg load``) under bench/out/serve-N/, then serves the store
(``kg serve --store``), as a big graph would be served. The nodes asked for (a
retracted article, the most cited article, a person, an institution, a journal) are
picked through the server's own /sparql. Prints a Markdown table; --json FILE writes
the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "http://127.0.0.1:8000/"

PREFIXES = """PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX datacite: <http://purl.org/spar/datacite/>
"""
RETRACTED = "<http://purl.org/spar/pso/retracted-from-publication>"


def run(cmd: list[str]) -> None:
    print("$", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT)


def prepare(n: int, folder: Path) -> Path:
    """Generate, build and load N records under ``folder`` (kept: a second run reuses
    them); the store's folder."""
    folder.mkdir(parents=True, exist_ok=True)
    records, graph, store = folder / "records.jsonl", folder / "graph.nq", folder / "store"
    py = sys.executable
    if not records.exists():
        gen = [py, str(HERE / "generate.py"), str(n), "--crossref", "--references", "20"]
        run([*gen, "-o", str(records)])
    if not graph.exists():
        build = [py, "-m", "kg", "build", str(records), "-o", str(graph)]
        run([*build, "--no-validate", "--no-resolve", "--base", BASE, "--workers", "2"])
    if not store.exists():
        run([py, "-m", "kg", "load", str(graph), "--store", str(store)])
    return store


class Server:
    """``kg serve ARGS --port 0``; its URL read from what it prints."""

    def __init__(self, args: list[str]) -> None:
        cmd = [sys.executable, "-m", "kg", "serve", *args, "--base", BASE, "--port", "0"]
        cmd += ["--timeout", "120"]  # the library query at 100,000 records takes tens of s
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stderr is not None
        started = time.monotonic()
        while True:
            line = self.proc.stderr.readline()
            if not line:
                raise SystemExit("kg serve did not start")
            m = re.search(r" at (http://\S+/)$", line.strip())
            if m:
                self.url = m.group(1)
                break
        # the address is printed before the search index is built: ready is answering
        httpx.get(self.url + "sparql", params={"query": "ASK {}"}, timeout=600).raise_for_status()
        self.startup = time.monotonic() - started

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def select(client: httpx.Client, query: str) -> list[dict[str, str]]:
    r = client.post(
        "/sparql",
        content=PREFIXES + query,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def targets(client: httpx.Client) -> dict[str, tuple[str, str, dict[str, str]]]:
    """What to ask for: name -> (method, path, headers); paths picked through /sparql."""
    html = {"Accept": "text/html"}
    retracted = select(
        client,
        f"""SELECT ?w WHERE {{ ?w pso:holdsStatusInTime/pso:withStatus {RETRACTED} ;
            prism:doi ?d }} LIMIT 1""",
    )[0]["w"]
    cited = select(
        client,
        """SELECT ?w (COUNT(?c) AS ?n) WHERE { ?c cito:cites ?w . ?w prism:doi ?d }
           GROUP BY ?w ORDER BY DESC(?n) LIMIT 1""",
    )[0]
    person = select(
        client,
        """SELECT ?p WHERE { ?p a foaf:Person ; datacite:hasIdentifier ?i .
             ?i datacite:usesIdentifierScheme datacite:orcid } LIMIT 1""",
    )[0]["p"]
    org = select(
        client,
        """SELECT ?o WHERE { ?o a foaf:Organization ; datacite:hasIdentifier ?i .
             ?i datacite:usesIdentifierScheme datacite:ror } LIMIT 1""",
    )[0]["o"]
    journal = select(client, "SELECT ?j WHERE { ?j a fabio:Journal } LIMIT 1")[0]["j"]
    doi = select(client, f"SELECT ?d WHERE {{ <{cited['w']}> prism:doi ?d }}")[0]["d"]
    title = select(client, f"SELECT ?t WHERE {{ <{cited['w']}> dcterms:title ?t }} LIMIT 1")
    words = [w for w in re.findall(r"[A-Za-z]{5,}", title[0]["t"] if title else "")] or ["study"]
    from kg.query.library import bind, library, with_values

    q = library()["citing-retracted"]
    citing = with_values(q.text, bind(q, {}))
    titles = (
        PREFIXES + "SELECT ?w ?t WHERE { ?w a fabio:JournalArticle ; dcterms:title ?t } LIMIT 100"
    )
    count = PREFIXES + "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a fabio:JournalArticle }"
    json_results = {"Accept": "application/sparql-results+json"}
    return {
        "article page (retracted)": ("GET", path_of(retracted), html),
        f"article page (most cited: {cited['n']} citations)": ("GET", path_of(cited["w"]), html),
        "person page": ("GET", path_of(person), html),
        "institution page": ("GET", path_of(org), html),
        "journal page": ("GET", path_of(journal), html),
        "/retractions": ("GET", "/retractions", html),
        "/ (home)": ("GET", "/", html),
        f"/search?q={words[0]}": ("GET", f"/search?q={words[0]}", html),
        "an article's Turtle": ("GET", path_of(cited["w"]), {"Accept": "text/turtle"}),
        "DOI lookup (303; the DOI in upper case)": ("GET", f"/doi/{doi.upper()}", {}),
        "SPARQL: 100 titles": ("SPARQL", titles, json_results),
        "SPARQL: COUNT of articles": ("SPARQL", count, json_results),
        "SPARQL: citing-retracted (queries/)": ("SPARQL", citing, json_results),
    }


def measure(
    client: httpx.Client, method: str, target: str, headers: dict[str, str], repeat: int
) -> dict[str, Any]:
    """``repeat`` requests; 5 when the second takes over a second (a whole-graph query)."""
    times: list[float] = []
    size = 0
    status = 0
    while len(times) < repeat:
        start = time.perf_counter()
        if method == "SPARQL":
            ct = {"Content-Type": "application/sparql-query"}
            r = client.post("/sparql", content=target, headers={**headers, **ct})
        else:
            r = client.get(target, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        status, size = r.status_code, len(r.content)
        if status >= 400:  # kept in the table (a 503: past kg serve --timeout)
            print(f"{target[:80]}: {status} {r.text[:200]}", file=sys.stderr)
            break
        if len(times) == 2 and times[1] > 1000:  # the first may make what is then kept
            repeat = min(repeat, 5)
    times.sort()
    return {
        "requests": len(times),
        "status": status,
        "bytes": size,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="how many records (generated unless given)")
    ap.add_argument("--store", type=Path, help="serve this embedded store")
    ap.add_argument("--data", type=Path, help="serve this RDF file instead (in memory)")
    ap.add_argument("--repeat", type=int, default=50, help="requests each (default 50)")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args()
    if args.data:
        serve_args = ["--data", str(args.data)]
    else:
        store = args.store or prepare(args.n, HERE / "out" / f"serve-{args.n}")
        serve_args = ["--store", str(store)]
    server = Server(serve_args)
    rows = []
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for name, (method, target, headers) in targets(client).items():
                row = {"request": name, **measure(client, method, target, headers, args.repeat)}
                rows.append(row)
                print(name, row, file=sys.stderr)
    finally:
        server.stop()
    print(f"\n{args.n:,} records; {args.repeat} requests each; startup {server.startup:.1f} s\n")
    print("| request | status | bytes | requests | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['request']} | {r['status']} | {r['bytes']:,} | {r['requests']} "
            f"| {r['median_ms']:,} | {r['p95_ms']:,} | {r['max_ms']:,} |"
        )
    if args.json:
        machine = f"{platform.machine()}, Python {platform.python_version()}"
        result = {
            "records": args.n,
            "repeat": args.repeat,
            "startup_s": round(server.startup, 2),
            "machine": machine,
            "rows": rows,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
