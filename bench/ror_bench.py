"""Measure the local ROR index: its build (time, size, peak memory) and matching speed.

    python bench/ror_bench.py                      # the sample records (tests/data/ror/)
    python bench/ror_bench.py --dump ror-data.zip  # a real ROR data dump
    python bench/ror_bench.py --synthetic 110000   # a dump the size of ROR's, made here

``--synthetic N`` writes bench/out/ror-synthetic-N.json: the sample's 107 real records
copied until there are N, each copy with its own id and its names numbered (so every
name is distinct, as in the real dump), one JSON record a line in one array.

Each step runs in a fresh process and reports its peak resident memory (``getrusage``):

- ``build``: :func:`kg.mapping.ror.build_index`, records per second, the index's size;
- ``match``: the index opened (its lookups in memory), then affiliation strings
  matched on one core: the answer key's 87 strings, each made distinct N times over
  (``Department <i>, `` before it, so that no decision is cached: the parts after
  the first recur, as in real data, and their normalised forms are cached), and the
  same strings again (every decision cached). Also the precision and recall on the
  answer key. And cold: each of the answer key's strings with every cache emptied
  before it (every part normalised and looked up).

Prints one JSON object a step; writes bench/out/ror.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DATA = ROOT / "tests" / "data" / "ror"
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n: int) -> Path:
    """bench/out/ror-synthetic-N.json, made from the sample when missing."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"ror-synthetic-{n}.json"
    if path.exists():
        return path
    records = json.loads((DATA / "ror_records.json").read_text("utf-8"))
    with path.open("w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            record = json.loads(json.dumps(records[i % len(records)]))
            if i >= len(records):
                digits = "".join(_CROCKFORD[(i >> (5 * k)) & 31] for k in range(6))
                record["id"] = f"https://ror.org/0{digits}00"
                for name in record["names"]:
                    name["value"] = f"{name['value']} {i}"
            f.write(("," if i else "") + json.dumps(record, ensure_ascii=False) + "\n")
        f.write("]\n")
    return path


def answer_key() -> dict[str, set[str]]:
    from kg.mapping.ror.evaluate import read_answer_key

    return read_answer_key(DATA / "answer_key.csv")


def child_build(dump: Path, out: Path) -> dict[str, object]:
    from kg.mapping.ror import build_index

    start = time.perf_counter()
    stats = build_index(dump, out)
    seconds = time.perf_counter() - start
    return {
        "step": "build",
        "dump": dump.name,
        "dump_mb": round(dump.stat().st_size / 1e6, 1),
        "records": stats.records,
        "names": stats.names,
        "seconds": round(seconds, 2),
        "records_per_s": round(stats.records / seconds),
        "index_mb": round(stats.size / 1e6, 2),
        "peak_mb": round(peak_mb()),
    }


def child_match(index_path: Path, copies: int) -> dict[str, object]:
    from kg.mapping.ror import Matcher, RorIndex

    start = time.perf_counter()
    matcher = Matcher(RorIndex.open(index_path))
    opened = time.perf_counter() - start
    open_mb = peak_mb()
    key = answer_key()
    from kg.mapping.ror.evaluate import score

    measured = score(matcher, key)
    texts = [f"Department {i}, {t}" for i in range(copies) for t in key]
    start = time.perf_counter()
    for text in texts:
        matcher.decide(text)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts[-len(key) * 100 :]:
        matcher.decide(text)
    again = time.perf_counter() - start
    cached_n = min(len(texts), len(key) * 100)
    from kg.mapping.resolve.names import org_key

    cold = list(key) * 20
    start = time.perf_counter()
    for text in cold:  # nothing cached: every part normalised and looked up
        matcher._parts.clear()
        org_key.cache_clear()
        matcher._decide(text)
    cold_s = time.perf_counter() - start
    return {
        "step": "match",
        "organisations": len(matcher.index.organisations),
        "open_s": round(opened, 2),
        "open_peak_mb": round(open_mb),
        "precision": round(measured.precision, 3),
        "recall": round(measured.recall, 3),
        "strings": len(texts),
        "strings_per_s": round(len(texts) / fresh),
        "cached_strings_per_s": round(cached_n / again),
        "cold_strings_per_s": round(len(cold) / cold_s),
        "peak_mb": round(peak_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="a ROR data dump (zip or JSON)")
    parser.add_argument("--synthetic", type=int, help="make a dump of N records")
    parser.add_argument("--copies", type=int, default=500, help="distinct copies of each string")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        step, path = args.child
        result = (
            child_build(Path(path), OUT / f"ror-bench-{Path(path).stem}.sqlite")
            if step == "build"
            else child_match(Path(path), args.copies)
        )
        print(json.dumps(result))
        return
    dump = args.dump or (synthetic(args.synthetic) if args.synthetic else DATA / "ror_records.json")
    OUT.mkdir(exist_ok=True)
    results = []
    index = OUT / f"ror-bench-{dump.stem}.sqlite"
    for step, path in (("build", dump), ("match", index)):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", step, str(path), "--copies", str(args.copies)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(proc.stdout))
        print(proc.stdout.strip())
    (OUT / "ror.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
