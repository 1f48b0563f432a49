"""The layout of kg/ holds (docs/architecture.md): imports flow one way, from the command
line down to the core, with no cycles, no private name used outside its module, and no
module too long to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parent.parent / "kg"
MAX_LINES = 600

# A module may import from its own package and from packages of a lower rank only.
RANKS = {
    "core": 0,  # errors, ids, iris, vocab, config, resources, digest, records, recent
    "rdf": 1,
    "readers": 2,
    "mapping": 2,
    "validation": 2,
    "stores": 2,
    "query": 3,
    "build": 4,
    "serve": 4,  # kg serve: the graph as linked data (kg/serve/)
    "cli": 5,
    "api": 6,  # kg/__init__.py and kg/__main__.py
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_name(p): p for p in sorted(KG.rglob("*.py"))}


def _package(module: str) -> str:
    parts = module.split(".")
    if module in ("kg", "kg.__main__"):
        return "api"
    if len(parts) == 2 and not (KG / parts[1]).is_dir():
        return "core"
    return parts[1]


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every kg import that runs; imports
    only for type checkers (``if TYPE_CHECKING:``) are left out."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kg" or node.module.startswith("kg."):
                names = []
                for a in node.names:
                    if f"{node.module}.{a.name}" in MODULES:  # from kg import vocab: a module
                        found.append((f"{node.module}.{a.name}", [], node.lineno))
                    else:
                        names.append(a.name)
                if names:
                    found.append((node.module, names, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("kg."):
                    found.append((a.name, [], node.lineno))
    return found


def test_no_module_is_longer_than_600_lines() -> None:
    long = {
        m: n
        for m, p in MODULES.items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_every_module_is_in_a_ranked_package() -> None:
    assert {_package(m) for m in MODULES} <= set(RANKS)


def test_no_private_name_is_imported_from_another_module() -> None:
    private = [
        f"{MODULES[m].relative_to(KG.parent)}:{line} imports {name} from {target}"
        for m in MODULES
        for target, names, line in _imports(m)
        for name in names
        if name.startswith("_") and target != m
    ]
    assert not private, "\n".join(private)


def test_imports_flow_down_from_the_command_line_to_the_core() -> None:
    upward = []
    for m in MODULES:
        here = _package(m)
        for target, _, line in _imports(m):
            there = _package(target)
            if there != here and RANKS[there] >= RANKS[here]:
                upward.append(f"{MODULES[m].relative_to(KG.parent)}:{line} ({here}) -> {target}")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    graph = {m: {t for t, _, _ in _imports(m) if t in MODULES and t != m} for m in MODULES}
    assert _cycles(graph) == []


@pytest.mark.parametrize("package", sorted(p for p in RANKS if (KG / p).is_dir()))
def test_each_package_says_what_it_is_for(package: str) -> None:
    doc = ast.get_docstring(ast.parse((KG / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 40, f"kg/{package}/__init__.py has no docstring"


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by their file name (tests/ has no packages), so two
    test files with one name in two folders stop the whole run at collection."""
    names: dict[str, list[str]] = {}
    for path in sorted((KG.parent / "tests").rglob("test_*.py")):
        names.setdefault(path.name, []).append(str(path.relative_to(KG.parent)))
    assert not {n: p for n, p in names.items() if len(p) > 1}
