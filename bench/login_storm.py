"""Does a storm of bogus log-ins slow down everyone else? GET /signals with and without it.

    .venv/bin/python bench/login_storm.py [--seconds 10] [--storm 10]
                                          [--source DIR --label NAME ...]

For each source tree (default: this checkout; pass an earlier commit's `git worktree`
to compare) the script starts `gebiedsradar serve --demo` on a fresh database and
measures, for `--seconds` each:

1. quiet: one signed-in reader sends GET /api/v1/signals?limit=50 back to back;
2. storm: the same reader while `--storm` clients each keep one log-in with a made-up
   username and password in flight at all times (a new one as soon as the answer
   arrives, ignoring Retry-After: the worst case). The log-ins come from 200 loopback
   addresses (127.0.1.1 …) in turn, like a botnet, so per-address throttling does not
   simply switch them off and what is measured is the cost of the password hashing.

It prints p50/p95 of the reader's requests in both phases and what the log-ins got.
The client is load.py's minimal asyncio HTTP/1.1 client, so it costs little CPU on the
same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import Conn, free_port

REPO = Path(__file__).resolve().parents[1]
ADDRESSES = [f"127.0.1.{i}" for i in range(1, 201)]


def start(source: Path, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "GEBIEDSRADAR_DB": str(workdir / "storm.db"), "PYTHONPATH": str(source),
           "GEBIEDSRADAR_DETECT": "0"}
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    proc = subprocess.Popen([sys.executable, "-c", "from server.cli import main; main()",
                             "serve", "--demo", "--port", str(port)],
                            env=env, cwd=source, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


async def reader(port: int, token: str, seconds: float) -> list[float]:
    conn, took = Conn("127.0.0.1", port), []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        t = time.perf_counter()
        status, _ = await conn.request("GET", "/api/v1/signals?limit=50", token)
        took.append(time.perf_counter() - t)
        assert status == 200, status
    await conn.close()
    return took


async def storm_client(port: int, n: int, stop: float, answers: dict[int, int],
                       took: list[float]) -> None:
    i = n
    while time.monotonic() < stop:
        conn = Conn("127.0.0.1", port, ADDRESSES[i % len(ADDRESSES)])
        i += 7
        body = json.dumps({"username": f"bedacht{secrets.token_hex(4)}",
                           "password": secrets.token_urlsafe(12)}).encode()
        t = time.perf_counter()
        status, _ = await conn.request("POST", "/api/v1/auth/token", body=body)
        took.append(time.perf_counter() - t)
        answers[status] = answers.get(status, 0) + 1
        await conn.close()


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 \
        else values[0] * 1000


async def measure(port: int, seconds: float, storm: int) -> dict:
    conn = Conn("127.0.0.1", port)
    _, body = await conn.request("POST", "/api/v1/auth/token", body=json.dumps(
        {"username": "teamleider", "password": "teamleider-demo"}).encode())
    await conn.close()
    token = json.loads(body)["access_token"]
    await reader(port, token, 1.0)  # warm up
    quiet = await reader(port, token, seconds)
    answers: dict[int, int] = {}
    login_took: list[float] = []
    stop = time.monotonic() + seconds + 1
    storm_tasks = [asyncio.create_task(storm_client(port, n, stop, answers, login_took))
                   for n in range(storm)]
    await asyncio.sleep(1.0)  # let the storm build up
    stormy = await reader(port, token, seconds)
    await asyncio.gather(*storm_tasks)
    return {"quiet": quiet, "storm": stormy, "answers": answers, "login": login_took}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--storm", type=int, default=10)
    ap.add_argument("--source", type=Path, action="append")
    ap.add_argument("--label", action="append")
    args = ap.parse_args()
    sources = args.source or [REPO]
    labels = args.label or [s.name for s in sources]
    rows = []
    for source, label in zip(sources, labels, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            proc, port = start(source.resolve(), Path(tmp))
            try:
                r = asyncio.run(measure(port, args.seconds, args.storm))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
        rows.append((label, r))
    print(f"GET /signals?limit=50, one reader, {args.seconds:g} s per phase;"
          f" storm: {args.storm} bogus log-ins in flight from {len(ADDRESSES)} addresses\n")
    print("| tree | reads quiet | p50 ms | p95 ms | reads in storm | p50 ms | p95 ms |"
          " log-in answers in storm | log-in p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in rows:
        answers = ", ".join(f"{n}× {s}" for s, n in sorted(r["answers"].items()))
        print(f"| {label} | {len(r['quiet'])} | {pct(r['quiet'], 50):.1f} | {pct(r['quiet'], 95):.1f}"
              f" | {len(r['storm'])} | {pct(r['storm'], 50):.1f} | {pct(r['storm'], 95):.1f}"
              f" | {answers} | {pct(r['login'], 50):.1f} |")


if __name__ == "__main__":
    main()
