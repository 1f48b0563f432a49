"""Markdown tables of the benchmark's results (bench/out/run-N.json), for the docs.

python bench/table.py 10000 100000 1000000
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    runs = {n: json.loads((OUT / f"run-{n}.json").read_text()) for n in sizes}
    stages: list[str] = []
    for run in runs.values():
        for row in run["stages"]:
            if row["stage"] not in stages:
                stages.append(row["stage"])
    head = " | ".join(f"{n:,} records: s / triples/s / MB" for n in sizes)
    print(f"| stage | {head} |")
    print("|---|" + "---:|" * len(sizes))
    for stage in stages:
        cells = []
        for n in sizes:
            row = next((r for r in runs[n]["stages"] if r["stage"] == stage), None)
            if row is None:
                cells.append("-")
            elif str(row.get("note", "")).startswith("skipped"):
                cells.append("skipped")
            else:
                cells.append(
                    f"{row['seconds']:,.1f} / {row['triples_per_s']:,} / {row['peak_rss_mb']:,}"
                )
        print(f"| {stage.strip()} | " + " | ".join(cells) + " |")
    notes = [
        f"- {row['stage']}, {n:,} records: {row['note']}"
        for n, run in runs.items()
        for row in run["stages"]
        if row.get("note")
    ]
    if notes:  # the load rows' ratios, the peers' triples against kg's, what was skipped
        print()
        print("\n".join(notes))
    print()
    print("| query | " + " | ".join(f"{n:,} records (s)" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    names = [q["query"] for q in next(iter(runs.values()))["queries"]]
    for name in names:
        cells = []
        for n in sizes:
            q = next((q for q in runs[n]["queries"] if q["query"] == name), None)
            cells.append("-" if q is None else f"{q['seconds']:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for n, run in runs.items():
        print(f"\n{n:,} records: {run['triples']:,} triples; {run['machine']}")


if __name__ == "__main__":
    main()
