"""Real servers for tests: the Oxigraph server from PyPI, Virtuoso 7 from Debian, and a
fault-injecting, authenticating proxy in front of Oxigraph (for the faults a real network
has)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


def tool(name: str) -> str | None:
    """A command installed beside this Python (the test extras), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1 and a free port, with its data in ``location``."""

    def __init__(self, location: Path) -> None:
        exe = tool("oxigraph")
        if exe is None:
            raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read() if self.proc.stderr else b""
                    raise RuntimeError(f"oxigraph serve exited: {err!r}") from None
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not start within 20 s")

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()


VIRTUOSO_INI = """\
; the least Virtuoso needs: its files in one folder, both ports on 127.0.0.1;
; everything else (memory, the SPARQL limits) is Virtuoso's own default
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
"""


class VirtuosoServer:
    """Virtuoso 7 (Debian's virtuoso-opensource-7-bin: ``virtuoso-t``) started in the
    foreground from a minimal virtuoso.ini, its database in ``folder``, its SQL and HTTP
    ports on 127.0.0.1 and free ports. A new database has the user dba, password dba,
    who may read and write through the Digest-authenticated ``/sparql-auth``."""

    USER = "dba"
    PASSWORD = "dba"

    def __init__(self, folder: Path) -> None:
        exe = shutil.which("virtuoso-t")
        if exe is None:
            raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin)")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(dir=folder, sql_port=self.sql_port, http_port=self.http_port),
            encoding="utf-8",
        )
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.proc = subprocess.Popen(
            [exe, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited ({self.proc.returncode}): {log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=2)
                conn.request("GET", "/sparql?query=ASK%7B%7D")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("virtuoso-t did not answer within 60 s")

    @property
    def query(self) -> str:
        """The Digest-authenticated SPARQL endpoint (updates go there too)."""
        return f"{self.url}/sparql-auth"

    def stop(self) -> None:
        self.proc.terminate()  # Virtuoso checkpoints and exits
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Faults:
    """What the proxy does to write requests (PUT, POST to /store or /update, DELETE)."""

    status: int | None = None  # answer every write with this status
    fail_write: int | None = None  # answer the n-th write (1-based) with 500
    cut_write: int | None = None  # close the connection on the n-th write
    max_body: int | None = None  # answer too_large to writes with a larger body
    too_large: tuple[int, str] = (413, "too large")  # the status and text of that answer
    lose_write: int | None = None  # answer the n-th write 204 without passing it on
    auth: str | None = None  # require "basic", "digest" or "bearer"
    user: str = "kg"
    password: str = "s3cret"
    token: str = "t0ken"
    writes: int = 0
    refused: int = 0  # writes answered too_large
    seen_auth: list[str] = field(default_factory=list)


class FaultProxy:
    """A proxy to ``upstream`` that injects :class:`Faults` and checks authentication."""

    def __init__(self, upstream: str) -> None:
        self.faults = Faults()
        target = urlsplit(upstream)
        faults = self.faults
        realm, nonce = "kg-test", "bm9uY2U"

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _authorized(self) -> bool:
                header = self.headers.get("Authorization", "")
                if faults.auth is None:
                    return True
                faults.seen_auth.append(header.split(" ", 1)[0])
                if faults.auth == "bearer":
                    return header == f"Bearer {faults.token}"
                if faults.auth == "basic":
                    secret = base64.b64encode(f"{faults.user}:{faults.password}".encode()).decode()
                    return header == f"Basic {secret}"
                if not header.startswith("Digest "):
                    return False
                parts = dict(p.strip().split("=", 1) for p in header[7:].split(","))
                parts = {k: v.strip('"') for k, v in parts.items()}
                md5: Callable[[str], str] = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
                ha1 = md5(f"{faults.user}:{realm}:{faults.password}")
                ha2 = md5(f"{self.command}:{parts.get('uri')}")
                expected = md5(f"{ha1}:{nonce}:{parts.get('nc')}:{parts.get('cnonce')}:auth:{ha2}")
                return parts.get("username") == faults.user and parts.get("response") == expected

            def _challenge(self) -> None:
                self.send_response(401)
                if faults.auth == "digest":
                    self.send_header(
                        "WWW-Authenticate", f'Digest realm="{realm}", nonce="{nonce}", qop="auth"'
                    )
                elif faults.auth == "basic":
                    self.send_header("WWW-Authenticate", f'Basic realm="{realm}"')
                else:
                    self.send_header("WWW-Authenticate", "Bearer")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _reply(self, status: int, text: str = "") -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if not self._authorized():
                    self._challenge()
                    return
                write = self.command in ("PUT", "DELETE") or (
                    self.command == "POST" and not self.path.startswith("/query")
                )
                if write:
                    faults.writes += 1
                    if faults.status is not None:
                        self._reply(faults.status, "injected")
                        return
                    if faults.max_body is not None and len(body) > faults.max_body:
                        faults.refused += 1
                        self._reply(*faults.too_large)
                        return
                    if faults.lose_write == faults.writes:
                        self._reply(204)
                        return
                    if faults.fail_write == faults.writes:
                        self._reply(500, "injected server error")
                        return
                    if faults.cut_write == faults.writes:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "authorization", "content-length")
                }
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    def reset(self) -> None:
        self.faults.__init__()  # type: ignore[misc]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """A socket on 127.0.0.1 that accepts connections and never answers (a hung store)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.accepted.append(conn)  # held open, never read from or answered

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    def stop(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
