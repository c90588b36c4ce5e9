"""Real server processes for tests that need several (uvicorn on loopback, one database),
and a small standard-library HTTP client to talk to them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """``uvicorn seci.asgi:app`` as a process of its own; ``restart`` keeps its port."""

    database_url: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    # Code run in the server process before the app is imported (a test's knob).
    prelude: str = ""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = os.environ | {"SECI_DATABASE_URL": self.database_url,
                            "SECI_DATA_DIR": str(self.data_dir), **self.env}
        launch = (f"{self.prelude}\nimport uvicorn\nuvicorn.run('seci.asgi:app', "
                  f"host='127.0.0.1', port={self.port}, log_level='warning')")
        self.process = subprocess.Popen([sys.executable, "-c", launch], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(self.process, self.base)
        return self

    def kill(self) -> None:
        """A crash: no shutdown, no goodbye."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()


def call(method: str, url: str, headers: dict[str, str] | None = None,
         body: dict[str, Any] | None = None, params: dict[str, str] | None = None
         ) -> tuple[int, Any]:
    """One HTTP request with the standard library; (status, parsed JSON body or text)."""
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **(headers or {}), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
        try:
            if call("GET", base + "/login")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {base} did not start")
