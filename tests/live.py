"""A real `gebiedsradar serve` process on a free loopback port, for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

EXE = Path(sys.executable).with_name("gebiedsradar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, *args: str, env: dict[str, str] | None = None
                 ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "GEBIEDSRADAR_DB": str(db_path), **(env or {})}
    # A log file, not a pipe: nobody drains a pipe, and a full one would stall the server.
    log = open(db_path.with_suffix(".log"), "w")  # noqa: SIM115 (open while the server runs)
    proc = subprocess.Popen([str(EXE), "serve", "--port", str(port), *args], env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {db_path.with_suffix('.log').read_text()}")
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start in 30 s")
