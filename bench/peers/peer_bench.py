"""The peers' rows of bench/run.py: other tools that map the same records to N-Triples.

Each peer runs in its own virtual environment under bench/out/ (Morph-KGC needs an
older rdflib than pySHACL; maplib brings a web server's worth of packages), made
on demand with pip the first time; a peer that cannot be installed gets a row that
says why. Both read the same generated works flattened to CSV files
(flatten.py, made once per size in bench/out/csv-N/, not timed: it is their input
preparation, like generating the works):

- Morph-KGC, an RML engine, with morph-kgc/mapping.yml (YARRRML), in 2 processes
  (kg's --workers 2; its default is twice the cores);
- maplib, OTTR templates over polars data frames, with maplib/map.py and
  maplib/templates.stottr (multi-threaded in Rust).

Each is timed in its own process with its peak memory (bench/build_bench.py
``measure``); the triples are the lines of its N-Triples output. They map the
core of what kg writes for a journal article (type, title, abstract, language,
dates, DOI and its identifier node, journal with ISSNs, volume, issue, pages,
subjects, licence, authors in order with names, ORCID iDs and affiliations,
organisations with their ROR ids): not the publisher, nor what kg does besides
(retraction notices' links, checks of identifiers, normalisation, validation,
shared nodes written once by kg's own bookkeeping).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PEERS = Path(__file__).resolve().parent
BENCH = PEERS.parent
sys.path.insert(0, str(BENCH))

from build_bench import count_lines, measure  # noqa: E402

Row = dict[str, object]
MakeRow = Callable[[str, int, float, int, int], Row]

# label, pip requirement, module to import
PEER_TOOLS = {
    "morph-kgc": ("peer: Morph-KGC to N-Triples (from CSV, 2 processes)", "morph-kgc", "morph_kgc"),
    "maplib": ("peer: maplib to N-Triples (from CSV)", "maplib", "maplib"),
}
# the most records a peer is given unless --peers-max says otherwise, and why: maplib
# holds every triple in memory (1.9 GB at 100k records here, so about 19 GB at 1M)
PEER_MAX = {"maplib": (300_000, "maplib holds every triple in memory (1.9 GB at 100k records)")}

MORPH_CONFIG = """[CONFIGURATION]
output_file = {output}
output_format = N-TRIPLES
safe_percent_encoding = :/
number_of_processes = 2
logging_level = WARNING

[DataSource1]
mappings = {mapping}
"""

# Morph-KGC reads the CSV files named in the mapping from the folder it runs in
RUN_IN = """
import os, runpy, sys
os.chdir(sys.argv[1])
sys.argv = [sys.argv[2], *sys.argv[3:]]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def peer_python(out: Path, name: str) -> tuple[Path | None, str]:
    """The Python of ``name``'s virtual environment (bench/out/venv-NAME), made and
    installed with pip when it is not there; (None, why) when that fails."""
    _, requirement, module = PEER_TOOLS[name]
    venv = out / f"venv-{name}"
    python = venv / "bin" / "python"
    if python.exists() and _imports(python, module):
        return python, ""
    print(f"installing {requirement} into {venv} ...", file=sys.stderr)
    shutil.rmtree(venv, ignore_errors=True)
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        return None, f"cannot make a virtual environment: {_last_line(made.stderr)}"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = subprocess.run([*pip, requirement], capture_output=True, text=True)
    if installed.returncode != 0 or not _imports(python, module):
        return None, f"pip install {requirement} failed: {_last_line(installed.stderr)}"
    return python, ""


def _imports(python: Path, module: str) -> bool:
    return (
        subprocess.run([str(python), "-c", f"import {module}"], capture_output=True).returncode == 0
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no message)"


def flattened(records: Path, out: Path, n: int) -> Path:
    """bench/out/csv-N/: the works flattened to CSV files (flatten.py), made once."""
    folder = out / f"csv-{n}"
    if not (folder / "articles.csv").exists():
        partial = out / f"csv-{n}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        flatten = [sys.executable, str(PEERS / "flatten.py"), str(records), "-o", str(partial)]
        subprocess.run(flatten, check=True, stdout=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    return folder


def peer_rows(
    records: Path,
    n: int,
    out: Path,
    work: Path,
    make_row: MakeRow,
    wanted: Callable[[str], bool] = lambda label: True,
    kg_triples: int = 0,
    kg_rates: dict[str, int] | None = None,
    most: int | None = None,
) -> list[Row]:
    """A row for each peer that ``wanted`` lets through, mapping ``records`` (``n`` works);
    each notes its triples against kg's (``kg_triples``) and its triples/s against each of
    ``kg_rates`` (triples/s of kg's builds by name) when given. A peer is not run above
    ``most`` records (0: no limit), by default above its PEER_MAX."""
    names = [name for name, (label, _, _) in PEER_TOOLS.items() if wanted(label)]
    if not names:
        return []
    csv = flattened(records, out, n)
    rows = []
    for name in names:
        label = PEER_TOOLS[name][0]
        limit, why = PEER_MAX.get(name, (0, ""))
        if most is not None:
            limit, why = most, ""
        if limit and n > limit:
            row = make_row(label, 0, 0.0, 0, 127)
            because = f"{why}; " if why else ""
            row["note"] = f"skipped: {because}not run above {limit:,} records (--peers-max N)"
            rows.append(row)
            continue
        python, why = peer_python(out, name)
        if python is None:
            row = make_row(label, 0, 0.0, 0, 127)
            row["note"] = f"skipped: {why}"
            rows.append(row)
            continue
        target = work / f"{name}.nt"
        if name == "morph-kgc":
            config = work / "morph-kgc.ini"
            mapping = PEERS / "morph-kgc" / "mapping.yml"
            config.write_text(MORPH_CONFIG.format(output=target, mapping=mapping))
            command = [str(python), "-c", RUN_IN, str(csv), "morph_kgc", str(config)]
        else:
            command = [str(python), str(PEERS / "maplib" / "map.py"), str(csv), "-o", str(target)]
        seconds, rss, code = measure(command)
        triples = count_lines(target) if target.exists() else 0
        row = make_row(label, triples, seconds, rss, code)
        notes = []
        if kg_triples and triples:
            notes.append(f"{triples:,} triples, {triples / kg_triples:.0%} of kg's {kg_triples:,}")
        if code == 0:
            rate = float(str(row["triples_per_s"]))
            notes += [f"{rate / r:.2f}x kg's {k}" for k, r in (kg_rates or {}).items() if r]
        if notes:
            row["note"] = "; ".join(notes)
        rows.append(row)
        target.unlink(missing_ok=True)
    return rows
