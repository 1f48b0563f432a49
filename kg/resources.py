"""Where kg's shipped files are: shapes/, ontology/ and queries/.

In a wheel they live in ``kg/_resources/`` (pyproject.toml force-includes
them); in a source checkout or an editable install they are the top-level
folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder of a shipped resource kind: ``shapes``, ``ontology`` or ``queries``."""
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg's {name}/ folder is missing from this installation")


def shapes_dir() -> Path:
    return resource_dir("shapes")


def ontology_dir() -> Path:
    return resource_dir("ontology")


def queries_dir() -> Path:
    return resource_dir("queries")
