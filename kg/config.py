"""Project configuration: ``kg.toml`` here, or the file given by --config or KG_CONFIG.

Example::

    [kg]
    base = "https://data.example.org/kg/"   # base IRI of every node kg mints
    shapes = "my-shapes/"                    # SHACL shapes to use instead of kg's own
    store = "graph-store/"                   # the embedded store (default: .kg/store)
    ror = "ror.sqlite"                       # a local ROR index for kg build (kg ror index)

Options on the command line override the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kg.errors import UsageError
from kg.iris import DEFAULT_BASE, check_base

CONFIG_NAME = "kg.toml"
KNOWN_KEYS = {"base", "shapes", "store", "ror"}


@dataclass(frozen=True)
class Config:
    base: str = DEFAULT_BASE
    shapes: Path | None = None
    store: Path | None = None
    path: Path | None = None  # the file it was read from
    ror: Path | None = None  # a local ROR index (kg build --ror)


def load_config(path: Path | None = None) -> Config:
    """Read the project config; with no file, the defaults.

    :raises UsageError: if the file does not parse or has an unknown key or a bad value.
    """
    if path is None:
        env = os.environ.get("KG_CONFIG")
        path = Path(env) if env else Path(CONFIG_NAME)
        if not path.exists():
            if env:
                raise UsageError(f"{path}: config file named by KG_CONFIG does not exist")
            return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"{path}: cannot read the config file: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from None
    section = data.get("kg", {})
    if not isinstance(section, dict):
        raise UsageError(f"{path}: [kg] must be a table")
    unknown = sorted(set(section) - KNOWN_KEYS)
    if unknown:
        raise UsageError(
            f"{path}: unknown key '{unknown[0]}' in [kg] (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    base = section.get("base", DEFAULT_BASE)
    if not isinstance(base, str):
        raise UsageError(f"{path}: base must be a string")
    shapes = section.get("shapes")
    shapes_path = (path.parent / shapes) if isinstance(shapes, str) else None
    store = section.get("store")
    store_path = (path.parent / store) if isinstance(store, str) else None
    ror = section.get("ror")
    if ror is not None and not isinstance(ror, str):
        raise UsageError(f"{path}: ror must be a string (the ROR index file)")
    ror_path = (path.parent / ror) if isinstance(ror, str) else None
    return Config(
        base=check_base(base), shapes=shapes_path, store=store_path, path=path, ror=ror_path
    )
