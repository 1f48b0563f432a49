"""``kg serve`` started for real, for the tests of tests/serve/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:8000/"


class KgServer:
    """``python -m kg serve ARGS --port 0``, its URL read from what it prints."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r" at (http://\S+/)$", line.strip())
            if m:
                self.url = m.group(1)
                return
        self.stop()
        raise RuntimeError(f"kg serve did not start: {''.join(lines)}")

    def stop(self) -> str:
        """Stop it (SIGTERM, as Ctrl-C would) and return the rest of what it printed."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        rest = self.proc.stderr.read() if self.proc.stderr else ""
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return rest
