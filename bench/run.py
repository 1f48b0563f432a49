"""kg's benchmark: every stage on N generated records, against a bare baseline, loaders and peers.

    python bench/run.py 10000 100000 1000000    # sizes to run (1M takes about three hours)
    python bench/run.py 10000 --validate        # also time kg validate (slow)
    python bench/run.py 10000 --skip-queries
    python bench/run.py 1000000 --only N-Triples --only default --skip-load
    python bench/run.py 2000 --references 20 --only references
    python bench/run.py 100000 --only load --skip-peers --skip-queries   # the loaders
    python bench/run.py 100000 --only peer --only "N-Triples, --no-resolve" --skip-load

For each size it generates Crossref works (bench/generate.py, kept in
bench/out/), then times, each in its own process with its peak memory read
from the kernel (os.wait4):

- the baseline (bench/baseline.py: the same fields to N-Triples with string
  formatting and no checks, one core);
- ``kg build`` to N-Triples in one process and with ``--workers 2``, without
  and with entity resolution (no validation), to N-Quads and to Turtle;
- the default build (entity resolution and validation on), ``--workers 2``;
- with references: the same works, each with a reference list of ``--references``
  entries (default 20; bench/generate.py ``--references``), to N-Triples,
  ``--no-resolve``, ``--workers 2`` (``--references 0`` leaves it out);
- with ``--validate``: the validated build without resolution (``--workers 2``),
  and ``kg validate`` of the N-Triples file whole (up to 10k records: it holds
  the file in memory);
- ``--resolve-max N`` leaves out the builds with entity resolution above N
  records;
- ``kg load`` of the N-Triples into a fresh embedded store: of the build with
  references when there is one, so that the citation queries find citations;
  beside it, on the same file (bench/load_bench.py): pyoxigraph's bulk loader
  alone, ``kg load --endpoint ... --store-type oxigraph`` into an ``oxigraph
  serve`` started for it (Graph Store Protocol), and ``oxigraph load`` (each
  noted with kg's share of the other's triples/s);
- the peers (bench/peers/): Morph-KGC and maplib, each in its own virtual
  environment under bench/out/ (made with pip the first time), from the same
  works flattened to CSV (not timed), each noted with its triples against kg's
  (they map fewer fields and check nothing: compare triples/s); ``--skip-peers``
  leaves them out, ``--peers-max N`` runs them only up to N records (by default
  maplib, which holds every triple in memory, only up to 300,000);
- every library query over that store (bench/query_bench.py).

``--only TEXT`` keeps the rows whose name holds TEXT: ``--only load``, ``--only
peer``, ``--only pyoxigraph``... (the kg load row also runs when the build it
loads ran; a load row whose file was not built builds it first, untimed).

Prints a table per size and writes bench/out/run-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# kg validate FILE holds the file in one in-memory store: past this size the
# validated build (batches of records, --workers) is the way, and is timed instead
WHOLE_VALIDATE_MAX = 10_000
OUT = HERE / "out"
ONE = "kg build to N-Triples, --no-resolve"  # the peers' yardsticks
W2 = "kg build to N-Triples, --no-resolve, --workers 2"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "peers"))

from build_bench import count_lines, measure  # noqa: E402
from load_bench import LABELS, load_rows  # noqa: E402
from peer_bench import peer_rows  # noqa: E402


def generated(n: int, references: int = 0) -> Path:
    """bench/out/crossref-N.jsonl (with reference lists: crossref-N-refsR.jsonl), made once."""
    OUT.mkdir(exist_ok=True)
    name = f"crossref-{n}-refs{references}.jsonl" if references else f"crossref-{n}.jsonl"
    records = OUT / name
    if not records.exists():
        generate = [sys.executable, str(HERE / "generate.py"), str(n), "--crossref"]
        extra = ["--references", str(references)] if references else []
        subprocess.run([*generate, *extra, "-o", str(records)], check=True)
    return records


def run_size(
    n: int,
    validate: bool,
    queries: bool,
    resolve_max: int | None,
    only: list[str] | None = None,
    load: bool = True,
    references: int = 20,
    peers: bool = True,
    peers_max: int | None = None,
) -> dict[str, object]:
    records = generated(n)
    kg = [sys.executable, "-m", "kg", "-q"]
    rows: list[dict[str, object]] = []

    def row(stage: str, triples: int, seconds: float, rss: int, code: int) -> dict[str, object]:
        return _row(stage, n, triples, seconds, rss, code)

    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        work = Path(tmp)
        base_nt = work / "baseline.nt"
        seconds, rss, code = measure(
            [sys.executable, str(HERE / "baseline.py"), str(records), "-o", str(base_nt)]
        )
        base_triples = count_lines(base_nt)
        rows.append(_row("baseline to N-Triples", n, base_triples, seconds, rss, code))
        base_nt.unlink()
        nt = work / "kg.nt"
        triples = 0
        two = ["--workers", "2"]
        refs = work / "references.nt"
        stages: list[tuple[str, Path, list[str]]] = [
            (ONE, nt, ["--no-resolve", "--no-validate"]),
            (
                W2,
                work / "w2.nt",
                ["--no-resolve", "--no-validate", *two],
            ),
            (
                "kg build to N-Triples, resolving",
                work / "resolved1.nt",
                ["--no-validate"],
            ),
            (
                "kg build to N-Triples, resolving, --workers 2",
                work / "resolved.nt",
                ["--no-validate", *two],
            ),
            (
                "kg build, the default (resolving, validating), --workers 2",
                work / "default.nt",
                two,
            ),
            (
                "kg build to N-Quads, --no-resolve, --workers 2",
                work / "kg.nq",
                ["--no-resolve", "--no-validate", *two],
            ),
            (
                "kg build to Turtle, --no-resolve, --workers 2",
                work / "kg.ttl",
                ["--no-resolve", "--no-validate", *two],
            ),
        ]
        if references:
            stages.append(
                (
                    f"kg build to N-Triples, with references ({references} a work), "
                    "--no-resolve, --workers 2",
                    refs,
                    ["--no-resolve", "--no-validate", *two],
                )
            )
        if resolve_max is not None and n > resolve_max:
            stages = [s for s in stages if "--no-resolve" in s[2]]

        def wanted(label: str) -> bool:
            return not only or any(word in label for word in only)

        stages = [s for s in stages if wanted(s[0])]
        if validate:
            stages.append(
                (
                    "kg build to N-Triples, validated, --no-resolve, --workers 2",
                    work / "valid.nt",
                    ["--no-resolve", *two],
                )
            )
        for label, target, extra in stages:
            report = work / "report.json"
            source = generated(n, references) if target == refs else records
            build = [*kg, "build", str(source), "-o", str(target), "--report", str(report)]
            seconds, rss, code = measure([*build, *extra])
            if target.suffix in (".nt", ".nq"):
                counted = count_lines(target)
                if target != refs:  # the works' own triples, without their references
                    triples = triples or counted
            else:
                counted = triples
            rows.append(_row(label, n, counted, seconds, rss, code))
            if report.exists():  # what validation checked again at the end, and found
                built = json.loads(report.read_text(encoding="utf-8"))
                validation = built.get("validation") or {}
                rows[-1] |= {"settled": built.get("settled"), "counts": validation.get("counts")}
                report.unlink()
            if target not in (nt, refs):
                target.unlink()
        if validate and n <= WHOLE_VALIDATE_MAX:
            seconds, rss, code = measure([*kg, "validate", str(nt)])
            rows.append(_row("kg validate (N-Triples, whole)", n, triples, seconds, rss, code))
        store = work / "store"
        code = 1
        with_refs = refs.exists() or (references and not nt.exists())
        loaded, label = (refs, ", with references") if with_refs else (nt, "")
        had_input = loaded.exists()
        if load and not had_input and any(wanted(s + label) for s in LABELS.values()):
            source = generated(n, references) if loaded == refs else records
            build = [*kg, "build", str(source), "-o", str(loaded), "--no-resolve", "--no-validate"]
            subprocess.run([*build, *two], check=True)  # the input of the load rows: not timed
            if loaded == nt:
                triples = count_lines(nt)
        if load and loaded.exists():
            rows += load_rows(
                kg,
                loaded,
                work,
                row,
                lambda stage: wanted(stage) or (had_input and stage == LABELS["kg"] + label),
                label,
                store,
            )
            kg_loaded = [r for r in rows if r["stage"] == LABELS["kg"] + label]
            code = 0 if kg_loaded and kg_loaded[0]["exit_code"] == 0 else 1
        if peers:
            kg_rates = {  # kg's N-Triples builds without resolution: the peers resolve nothing
                name: int(str(r["triples_per_s"]))
                for name, stage in (("one process", ONE), ("--workers 2", W2))
                for r in rows
                if r["stage"] == stage and r["exit_code"] == 0
            }
            rows += peer_rows(
                records,
                n,
                OUT,
                work,
                row,
                wanted,
                triples,
                kg_rates,
                peers_max,
            )
        query_rows: list[dict[str, object]] = []
        if load and queries and code == 0:
            subprocess.run(
                [sys.executable, str(HERE / "query_bench.py"), str(store)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            query_rows = json.loads((OUT / "queries.json").read_text())["queries"]
        shutil.rmtree(store, ignore_errors=True)
    return {
        "records": n,
        "triples": triples,
        "baseline_triples": base_triples,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "stages": rows,
        "queries": query_rows,
    }


def _row(
    stage: str, n: int, triples: int, seconds: float, rss: int, code: int
) -> dict[str, object]:
    return {
        "stage": stage,
        "seconds": round(seconds, 2),
        "records_per_s": round(n / seconds) if seconds else 0,
        "triples_per_s": round(triples / seconds) if seconds else 0,
        "peak_rss_mb": round(rss / 2**20),
        "exit_code": code,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--validate", action="store_true", help="also time kg validate")
    ap.add_argument("--skip-queries", action="store_true", help="do not time the queries")
    ap.add_argument(
        "--resolve-max",
        type=int,
        default=None,
        help="time the builds with entity resolution (the default build) only up to this "
        "many records",
    )
    ap.add_argument(
        "--only",
        action="append",
        help="run only the build stages whose name holds this text (repeatable)",
    )
    ap.add_argument("--skip-load", action="store_true", help="do not time kg load (nor queries)")
    ap.add_argument(
        "--skip-peers", action="store_true", help="do not run the peers (Morph-KGC, maplib)"
    )
    ap.add_argument(
        "--peers-max",
        type=int,
        default=None,
        metavar="N",
        help="run the peers only up to N records (0: at every size; default: maplib, which "
        "holds every triple in memory, up to 300,000)",
    )
    ap.add_argument(
        "--references",
        type=int,
        default=20,
        metavar="R",
        help="also build the works with reference lists of R entries (0: not)",
    )
    args = ap.parse_args()
    for n in args.sizes:
        result = run_size(
            n,
            args.validate,
            not args.skip_queries,
            args.resolve_max,
            args.only,
            not args.skip_load,
            args.references,
            not args.skip_peers,
            args.peers_max,
        )
        (OUT / f"run-{n}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"\n{n:,} records, {result['triples']:,} triples; {result['machine']}")
        width = max([48, *(len(str(r["stage"])) for r in result["stages"])])  # type: ignore[attr-defined]
        print(
            f"{'stage':{width}} {'seconds':>8} {'records/s':>10} {'triples/s':>10} {'peak MB':>8}"
        )
        for r in result["stages"]:  # type: ignore[attr-defined]
            if str(r.get("note", "")).startswith("skipped"):
                print(f"{r['stage']:{width}} {r['note']}")
                continue
            print(
                f"{r['stage']:{width}} {r['seconds']:8.1f} {r['records_per_s']:10,} "
                f"{r['triples_per_s']:10,} {r['peak_rss_mb']:8,}"
                + ("" if r["exit_code"] in (0, 1) else f"  (exit {r['exit_code']})")
            )
            if "note" in r:
                print(f"    {r['note']}")
        peers_run = [r for r in result["stages"] if str(r["stage"]).startswith("peer:")]  # type: ignore[attr-defined]
        if any(not str(r.get("note", "")).startswith("skipped") for r in peers_run):
            print(
                "    (the peers map the core fields from CSV and check nothing: compare "
                "triples/s, not triples)"
            )
        for q in result["queries"]:  # type: ignore[attr-defined]
            print(f"  query {q['query']:34} {q['seconds']:8.3f} s  {q['results']:>8} result(s)")


if __name__ == "__main__":
    main()
