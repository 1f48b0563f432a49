"""Measure `kg build` on N generated records: time, records/s, triples/s and peak memory.

    python bench/build_bench.py 100000            # N-Triples and Turtle, without validation
    python bench/build_bench.py 10000 --validate  # ... and with SHACL validation too
    python bench/build_bench.py 100000 --crossref # from Crossref works instead of kg records

A "read" row times the reader alone (records parsed, nothing mapped or written).

Records come from bench/generate.py (written once to bench/out/). Each run is
a separate `kg build` process; its peak resident memory is read from the
kernel when it exits (os.wait4). Prints a table and writes bench/out/build-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


READ_ONLY = """
import sys
from pathlib import Path
from kg.readers.registry import find_sources, read_source
for source in find_sources([Path(sys.argv[1])]):
    for _ in read_source(source):
        pass
"""


def measure(args: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in bytes, exit code) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    assert proc.stderr is not None
    proc.stderr.close()
    return seconds, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("n", type=int, nargs="?", default=100_000, help="number of records")
    ap.add_argument("--validate", action="store_true", help="also measure builds with validation")
    ap.add_argument("--crossref", action="store_true", help="records as Crossref works")
    args = ap.parse_args()

    OUT.mkdir(exist_ok=True)
    kind = "crossref" if args.crossref else "records"
    records = OUT / f"{kind}-{args.n}.jsonl"
    if not records.exists():
        generate = [sys.executable, str(HERE / "generate.py"), str(args.n), "-o", str(records)]
        subprocess.run(generate + (["--crossref"] if args.crossref else []), check=True)
    kg = [sys.executable, "-m", "kg", "-q", "build", str(records)]
    rows = []
    seconds, rss, code = measure([sys.executable, "-c", READ_ONLY, str(records)])
    rows.append(
        {
            "output": "read",
            "validate": False,
            "resolve": False,
            "seconds": round(seconds, 2),
            "records_per_s": round(args.n / seconds),
            "triples_per_s": 0,
            "peak_rss_mb": round(rss / 2**20),
            "exit_code": code,
        }
    )
    # (format, validate, resolve entities): resolution (the default) reads twice
    runs = [("nt", False, False), ("nt", False, True), ("ttl", False, True)]
    if args.validate:
        runs += [("nt", True, True), ("ttl", True, True)]
    triples = 0
    for fmt, validate, resolve in runs:
        target = OUT / f"build-{args.n}.{fmt}"
        extra = ([] if validate else ["--no-validate"]) + ([] if resolve else ["--no-resolve"])
        seconds, rss, code = measure([*kg, "-o", str(target), *extra])
        if fmt == "nt" and not resolve:
            triples = count_lines(target)
        rows.append(
            {
                "output": fmt,
                "validate": validate,
                "resolve": resolve,
                "seconds": round(seconds, 2),
                "records_per_s": round(args.n / seconds),
                "triples_per_s": round(triples / seconds),
                "peak_rss_mb": round(rss / 2**20),
                "exit_code": code,
            }
        )
        target.unlink()
    result = {
        "records": args.n,
        "input": kind,
        "triples": triples,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "command": " ".join(
            ["python", "bench/build_bench.py", str(args.n)]
            + (["--validate"] if args.validate else [])
            + (["--crossref"] if args.crossref else [])
        ),
        "runs": rows,
    }
    (OUT / f"build-{kind}-{args.n}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.n} records, {triples} triples; {result['machine']}")
    print(
        f"{'output':8} {'validate':9} {'resolve':8} {'seconds':>8} {'records/s':>10} "
        f"{'triples/s':>10} {'peak MB':>8} {'exit':>5}"
    )
    for r in rows:
        print(
            f"{r['output']:8} {str(r['validate']):9} {str(r['resolve']):8} {r['seconds']:8.1f} "
            f"{r['records_per_s']:10,} {r['triples_per_s']:10,} {r['peak_rss_mb']:8,} "
            f"{r['exit_code']:5}"
        )


if __name__ == "__main__":
    main()
