"""Real servers for tests: the Oxigraph server from PyPI, and a fault-injecting,
authenticating proxy in front of it (for the faults a real network has)."""

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


@dataclass
class Faults:
    """What the proxy does to write requests (PUT, POST to /store or /update, DELETE)."""

    status: int | None = None  # answer every write with this status
    fail_write: int | None = None  # answer the n-th write (1-based) with 500
    cut_write: int | None = None  # close the connection on the n-th write
    max_body: int | None = None  # answer 413 to writes with a larger body
    auth: str | None = None  # require "basic", "digest" or "bearer"
    user: str = "kg"
    password: str = "s3cret"
    token: str = "t0ken"
    writes: int = 0
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
                        self._reply(413, "too large")
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
