"""Loading N-Triples: kg load against Oxigraph's own loaders, on the same file.

    python bench/load_bench.py bench/out/kg.nt     # prints the rows

Four rows, each in its own process with its peak memory (bench/build_bench.py
``measure``), each into a fresh store:

- ``kg load FILE --store DIR``: kg's embedded store (it reads the file once to count
  its distinct triples, bulk-loads it into the file's named graph, then counts the graph);
- pyoxigraph's bulk loader alone, ``Store(DIR).bulk_load(path=FILE, to_graph=...)``,
  into the same kind of named graph: what kg load costs over the library it uses;
- ``kg load FILE --endpoint http://127.0.0.1:PORT/query --store-type oxigraph`` into an
  ``oxigraph serve --location DIR`` server started for it (Graph Store Protocol,
  POSTs of --batch-size triples); the row's peak memory is kg's, the server's is in
  its note;
- ``oxigraph load --location DIR --file FILE --graph ...``: Oxigraph's own command
  line on the same file, the yardstick for the server row.

bench/run.py calls :func:`load_rows` for each size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_bench import count_lines, measure  # noqa: E402

GRAPH = "https://example.org/kg/graph/"

PYOXIGRAPH_LOAD = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3]))
store.flush()
"""

Row = dict[str, object]
MakeRow = Callable[[str, int, float, int, int], Row]

LABELS = {
    "kg": "kg load (embedded store)",
    "pyoxigraph": "pyoxigraph bulk_load (no kg)",
    "server": "kg load --endpoint (oxigraph serve, Graph Store Protocol)",
    "oxigraph": "oxigraph load (its command line)",
}


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command line (the PyPI package ``oxigraph``): beside this Python first."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve stopped with exit {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"oxigraph serve did not answer at {url} within {seconds:.0f} s")


def server_load(
    kg: list[str], oxigraph: str, path: Path, location: Path
) -> tuple[float, int, int, int]:
    """(seconds, kg's peak RSS, exit code, the server's peak RSS) of kg load into a fresh
    ``oxigraph serve`` at ``location``, which is started before and stopped after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"{base}/query?query=ASK%7B%7D", server)
        load = [*kg, "load", str(path), "--endpoint", f"{base}/query", "--store-type", "oxigraph"]
        seconds, rss, code = measure(load)
    finally:
        server.terminate()
        _, _, usage = os.wait4(server.pid, 0)
        server.returncode = 0  # reaped here: Popen must not wait for it again
    return seconds, rss, code, usage.ru_maxrss * 1024


def load_rows(
    kg: list[str],
    path: Path,
    work: Path,
    make_row: MakeRow,
    wanted: Callable[[str], bool] = lambda label: True,
    suffix: str = "",
    embedded_store: Path | None = None,
) -> list[Row]:
    """The load rows for ``path`` that ``wanted`` lets through, each into a
    fresh store under ``work``; kg's embedded store is ``embedded_store`` when given (and
    kept, for the queries)."""
    triples = count_lines(path)
    graph = GRAPH + path.name
    rows: dict[str, Row] = {}
    oxigraph = oxigraph_command()

    def want(key: str) -> bool:
        return wanted(LABELS[key] + suffix)

    def fresh(name: str) -> Path:
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def timed(key: str, seconds: float, rss: int, code: int) -> Row:
        row = make_row(LABELS[key] + suffix, triples, seconds, rss, code)
        rows[key] = row
        return row

    if want("kg"):
        store = embedded_store or fresh("kg-store")
        timed("kg", *measure([*kg, "load", str(path), "--store", str(store)]))
        if embedded_store is None:
            shutil.rmtree(store, ignore_errors=True)
    if want("pyoxigraph"):
        store = fresh("pyoxigraph-store")
        load = [sys.executable, "-c", PYOXIGRAPH_LOAD, str(path), str(store), graph]
        timed("pyoxigraph", *measure(load))
        shutil.rmtree(store, ignore_errors=True)
    for key in ("server", "oxigraph"):
        if want(key) and oxigraph is None:
            rows[key] = make_row(LABELS[key] + suffix, triples, 0.0, 0, 127)
            rows[key]["note"] = "skipped: no oxigraph command (pip install oxigraph)"
    if oxigraph is not None and want("server"):
        location = fresh("server-store")
        try:
            seconds, rss, code, server_rss = server_load(kg, oxigraph, path, location)
            timed("server", seconds, rss, code)["note"] = (
                f"the server's peak memory: {server_rss / 2**20:,.0f} MB"
            )
        except RuntimeError as e:
            rows["server"] = make_row(LABELS["server"] + suffix, triples, 0.0, 0, 1)
            rows["server"]["note"] = f"skipped: {e}"
        shutil.rmtree(location, ignore_errors=True)
    if oxigraph is not None and want("oxigraph"):
        location = fresh("oxigraph-store")
        load = [oxigraph, "load", "--location", str(location), "--file", str(path)]
        timed("oxigraph", *measure([*load, "--graph", graph]))
        shutil.rmtree(location, ignore_errors=True)
    _compare(rows, "kg", "pyoxigraph", "pyoxigraph's bulk loader")
    _compare(rows, "server", "oxigraph", "oxigraph load")
    order = ("kg", "pyoxigraph", "server", "oxigraph")
    return [rows[key] for key in order if key in rows]


def _compare(rows: dict[str, Row], ours: str, theirs: str, name: str) -> None:
    """Note on ``ours`` its triples/s as a share of ``theirs``'s (the same file)."""
    a, b = rows.get(ours), rows.get(theirs)
    if a is None or b is None or a["exit_code"] != 0 or b["exit_code"] != 0:
        return
    ratio = float(b["seconds"]) / float(a["seconds"])  # type: ignore[arg-type]
    note = f"{ratio:.2f}x the triples/s of {name} on the same file"
    a["note"] = f"{a['note']}; {note}" if "note" in a else note


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("file", type=Path, help="an N-Triples file (kg build's output)")
    args = ap.parse_args()
    kg = [sys.executable, "-m", "kg", "-q"]

    def make_row(label: str, triples: int, seconds: float, rss: int, code: int) -> Row:
        return {
            "stage": label,
            "seconds": round(seconds, 2),
            "triples_per_s": round(triples / seconds) if seconds else 0,
            "peak_rss_mb": round(rss / 2**20),
            "exit_code": code,
        }

    with tempfile.TemporaryDirectory() as tmp:
        for row in load_rows(kg, args.file, Path(tmp), make_row):
            print(
                f"{row['stage']:52} {row['seconds']:8.1f} s {row['triples_per_s']:>10,} t/s "
                f"{row['peak_rss_mb']:>6,} MB  exit {row['exit_code']}"
            )
            if "note" in row:
                print(f"    {row['note']}")


if __name__ == "__main__":
    main()
