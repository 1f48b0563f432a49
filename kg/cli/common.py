"""What the commands share: the state of a run, the options several commands take
(a file, the embedded store, a remote store, the SHACL engine and shapes), progress."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.config import Config, load_config
from kg.rdf.files import OUTPUT_FORMATS

if TYPE_CHECKING:
    from kg.stores.endpoints import Auth, Endpoints

Decorator = Callable[[Any], Any]


class State:
    """The group's options, and the config file read on first use."""

    def __init__(self, config_path: Path | None, quiet: bool) -> None:
        self.config_path = config_path
        self.quiet = quiet
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self, option: Path | None) -> Path:
        """The embedded store's folder: --store, else $KG_STORE, kg.toml or .kg/store."""
        from kg.stores.embedded import store_path

        return store_path(option, self.config.store)


pass_state = click.make_pass_decorator(State)


def file_option(*decls: str, help: str, exists: bool = False, **kw: Any) -> Decorator:
    """An option naming a file (not a folder)."""
    kind = click.Path(dir_okay=False, exists=exists, path_type=Path)
    return click.option(*decls, type=kind, help=help, **kw)


def input_files(required: bool) -> Decorator:
    """The FILES argument: existing files."""
    kind = click.Path(exists=True, dir_okay=False, path_type=Path)
    return click.argument("files", nargs=-1, required=required, type=kind)


store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="The embedded store's folder (default: $KG_STORE, kg.toml, or .kg/store).",
)

output_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    help="Output format, when the extension does not say it.",
)

shapes_option = click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of SHACL shapes to use instead of kg's own.",
)

engine_option = click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "turbo"]),
    default="auto",
    show_default=True,
    help="SHACL engine: turbo (pyshacl-turbo, fast; auto picks it when installed) or pyshacl.",
)


@dataclass(frozen=True)
class Remote:
    """The options that reach a remote SPARQL 1.1 store (``endpoint`` None: none given)."""

    endpoint: str | None
    update: str | None
    gsp: str | None
    store_type: str
    auth_kind: str | None
    user: str | None
    password: str | None
    token: str | None
    timeout: float

    def auth(self) -> Auth:
        from kg.stores.endpoints import Auth

        return Auth.from_options(
            self.auth_kind, self.user, self.password, self.token, self.endpoint
        )

    def endpoints(self) -> Endpoints:
        from kg.stores.endpoints import derive_endpoints

        assert self.endpoint is not None
        return derive_endpoints(
            self.endpoint, store_type=self.store_type, update=self.update, gsp=self.gsp
        )

    def store_args(self) -> dict[str, Any]:
        """The keyword arguments of kg.stores.load's ``load`` and ``drop`` for the store."""
        return {
            "endpoint": self.endpoint,
            "update": self.update,
            "gsp": self.gsp,
            "store_type": self.store_type,
            "auth": self.auth() if self.endpoint else None,
            "timeout": self.timeout,
        }


def _positive(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not value > 0:  # 0 would mean no timeout at all to some clients
        raise click.BadParameter("must be more than 0 seconds", ctx=ctx, param=param)
    return value


_REMOTE_OPTIONS = [
    click.option(
        "--endpoint",
        envvar="KG_ENDPOINT",
        help="A SPARQL 1.1 store's query endpoint (instead of the embedded store).",
    ),
    click.option("--update", "update_url", help="Its update endpoint (default: derived)."),
    click.option("--gsp", "gsp_url", help="Its Graph Store endpoint (default: derived)."),
    click.option(
        "--store-type",
        default="auto",
        show_default=True,
        type=click.Choice(
            ["auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "qlever", "generic"]
        ),
        help="What kind of store it is, to derive its endpoints.",
    ),
    click.option(
        "--auth",
        "auth_kind",
        type=click.Choice(["basic", "digest", "bearer"]),
        help="Authentication (default: basic with --user, bearer with --token).",
    ),
    click.option("--user", help="User name (or $KG_USER)."),
    click.option("--password", help="Password (or $KG_PASSWORD; never printed)."),
    click.option("--token", help="Bearer token (or $KG_TOKEN; never printed)."),
    click.option(
        "--timeout",
        default=60.0,
        show_default=True,
        type=float,
        callback=_positive,
        help="Seconds to wait for each request.",
    ),
]
_REMOTE_NAMES = {
    "endpoint": "endpoint",
    "update_url": "update",
    "gsp_url": "gsp",
    "store_type": "store_type",
    "auth_kind": "auth_kind",
    "user": "user",
    "password": "password",
    "token": "token",
    "timeout": "timeout",
}


def remote_options(f: Any) -> Any:
    """The options that reach a remote SPARQL 1.1 store, given to ``f`` as ``remote``."""

    @functools.wraps(f)
    def with_remote(*args: Any, **kwargs: Any) -> Any:
        given = {field: kwargs.pop(name) for name, field in _REMOTE_NAMES.items()}
        return f(*args, remote=Remote(**given), **kwargs)

    for option in reversed(_REMOTE_OPTIONS):
        with_remote = option(with_remote)
    return with_remote


def progress_bar(quiet: bool, unit: str) -> Any:
    """A tqdm progress bar on a terminal; nothing when piped or --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=f" {unit}", file=sys.stderr, mininterval=0.5, leave=False)
