"""A real Virtuoso 7 for the store tests, where Debian's virtuoso-opensource-7-bin is
installed (.ci/run installs it); the tests that need it are skipped elsewhere."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from servers import VirtuosoServer


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Virtuoso on 127.0.0.1 and free ports, with a new database in a temporary folder."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip(
            "virtuoso-t is not installed: apt-get install virtuoso-opensource-7-bin "
            "virtuoso-opensource-7-common (not the metapackage, which starts a service)"
        )
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()
