"""Load test: many phones and team leads against one `gebiedsradar serve`, side by side.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--seed-signals 2000]
                                   [--source DIR ...] [--label NAME ...]

For each source tree (default: this checkout; pass the tree of an earlier commit,
e.g. a `git worktree`, to compare) the script makes a fresh database the way the
product does (`gebiedsradar init --demo`), seeds `--seed-signals` signals through
the sync API, starts `gebiedsradar serve` on it and runs `--clients` clients for
`--seconds` seconds. Each client is closed-loop (sends its next request when the
answer to the previous one arrived, no think time) on its own keep-alive
connection (or a new one per request with `--fresh-connections`), with this mix:

    35 % GET /signals?limit=50          15 % GET /signals/{id}
    15 % GET /sync/pull from its cursor 15 % POST /signals (a new signal)
    10 % POST /sync/push (3 mutations)   9 % GET /stats/areas (team lead)
     1 % POST /auth/token (a phone signing in again: a password hash on the server)

30 % of the signals are marked as holding personal data (`--personal`), so reads
of them are audited as in use. Clients sign in once (three demo accounts, before the clock starts). An error is
any 5xx, any unexpected 4xx, a timeout (30 s) or a dropped connection (reset,
closed mid-answer, refused). The HTTP client is a minimal asyncio HTTP/1.1 client
so that the load generator costs as little CPU as possible on a shared machine.
Prints one table per run and a side-by-side summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEMO = {"regisseur": "regisseur-demo", "teamleider": "teamleider-demo", "beheerder": "beheerder-demo"}
# Emmeloord and the villages, so creates land in several areas.
PLACES = [(52.7107, 5.7480), (52.6461, 5.8636), (52.7433, 5.6297), (52.6600, 5.6150),
          (52.7800, 5.8200), (52.7072, 5.6911), (52.6935, 5.8936)]
MIX = [("list", 35), ("get", 15), ("pull", 15), ("create", 15), ("push", 10), ("stats", 9), ("login", 1)]
TIMEOUT = 30.0
PERSONAL = 0.3  # share of signals marked "bevat persoonsgegevens" (each read of one is audited)
FRESH = False  # a new connection for every request (set by --fresh-connections)


class Dropped(Exception):
    """The connection broke or timed out."""


class Conn:
    """One keep-alive HTTP/1.1 connection, from local address `local` if given; reconnects
    after a drop."""

    def __init__(self, host: str, port: int, local: str | None = None):
        self.host, self.port, self.local = host, port, local
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, token: str | None = None,
                      body: bytes | None = None) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._request(method, path, token, body), TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await self.close()
            raise Dropped(type(exc).__name__) from exc

    async def _request(self, method, path, token, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, local_addr=(self.local, 0) if self.local else None)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while (size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            data = b"".join(parts)
        else:
            data = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if FRESH or headers.get("connection", "").lower() == "close":
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


def new_signal(rng: random.Random, sid: str | None = None) -> dict:
    lat, lon = rng.choice(PLACES)
    return {"id": sid or str(uuid.uuid4()), "category": "overlast", "description": "Belasting test: geluid 's nachts.",
            "urgency": "normaal", "source": "inwoner",
            "location": {"lat": lat + rng.uniform(-0.004, 0.004), "lon": lon + rng.uniform(-0.006, 0.006),
                         "accuracy_m": 10, "method": "gps"},
            "observed_at": "2026-11-28T10:15:00+01:00", "contains_personal_data": rng.random() < PERSONAL}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k, _ in MIX})
    errors: dict[str, int] = field(default_factory=dict)
    dropped: int = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def client(n: int, base: tuple[str, int], tokens: dict[str, str], ids: list[str],
                 stop: float, tally: Tally) -> None:
    rng = random.Random(n)
    conn = Conn(*base)
    device, seq, cursor = str(uuid.uuid4()), 0, ""
    kinds = [k for k, w in MIX for _ in range(w)]
    me = "regisseur" if n % 2 else "teamleider"
    while time.monotonic() < stop:
        kind = rng.choice(kinds)
        token = tokens["teamleider" if kind == "stats" else me]
        body = None
        if kind == "list":
            method, path = "GET", "/api/v1/signals?limit=50"
        elif kind == "get":
            method, path = "GET", f"/api/v1/signals/{rng.choice(ids)}"
        elif kind == "pull":
            method, path = "GET", f"/api/v1/sync/pull?limit=500&cursor={cursor}"
        elif kind == "create":
            method, path = "POST", "/api/v1/signals"
            body = json.dumps(new_signal(rng)).encode()
        elif kind == "push":
            muts = []
            for _ in range(3):
                seq += 1
                muts.append({"id": str(uuid.uuid4()), "seq": seq, "op": "create", "signal_id": str(uuid.uuid4()),
                             "base_version": None, "data": new_signal(rng), "client_time": "2026-11-28T10:16:00+01:00"})
            method, path = "POST", "/api/v1/sync/push"
            body = json.dumps({"device_id": device, "mutations": muts}).encode()
        elif kind == "login":
            method, path, token = "POST", "/api/v1/auth/token", None
            body = json.dumps({"username": me, "password": DEMO[me]}).encode()
        else:
            method, path = "GET", "/api/v1/stats/areas?level=wijk"
        started = time.perf_counter()
        try:
            status, data = await conn.request(method, path, token, body)
        except Dropped as exc:
            tally.dropped += 1
            tally.error(f"{kind}: {exc}")
            continue
        elapsed = time.perf_counter() - started
        if status >= 400 and not (kind == "get" and status == 404):
            tally.error(f"{kind}: {status}")
            continue
        tally.latencies[kind].append(elapsed)
        if kind == "pull":
            answer = json.loads(data)
            cursor = "" if not answer["has_more"] and rng.random() < 0.2 else answer["cursor"]
    await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(source: Path, workdir: Path, seed_signals: int) -> tuple[subprocess.Popen, int]:
    db = workdir / "load.db"
    env = {**os.environ, "GEBIEDSRADAR_DB": str(db), "PYTHONPATH": str(source)}
    launcher = [PYTHON, "-c", "import sys; from server.cli import main; main(sys.argv[1:])"]
    subprocess.run([*launcher, "init", "--demo"], env=env, check=True, cwd=source, capture_output=True)

    port = free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    proc = subprocess.Popen([*launcher, "serve", "--port", str(port)], env=env, cwd=source,
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, port


async def prepare(port: int, seed_signals: int) -> tuple[dict[str, str], list[str]]:
    conn = Conn("127.0.0.1", port)
    deadline = time.monotonic() + 30
    while True:
        try:
            status, _ = await conn.request("GET", "/api/v1/health")
            if status == 200:
                break
        except Dropped:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        await asyncio.sleep(0.2)
    tokens = {}
    for user, password in DEMO.items():
        status, data = await conn.request("POST", "/api/v1/auth/token", None,
                                          json.dumps({"username": user, "password": password}).encode())
        if status != 200:
            raise RuntimeError(f"log-in {user}: {status} {data[:200]!r}")
        tokens[user] = json.loads(data)["access_token"]
    rng = random.Random(0)
    ids = []
    for start in range(0, seed_signals, 100):
        muts = []
        for i in range(start, min(seed_signals, start + 100)):
            sid = str(uuid.uuid4())
            ids.append(sid)
            muts.append({"id": str(uuid.uuid4()), "seq": i + 1, "op": "create", "signal_id": sid, "base_version": None,
                         "data": new_signal(rng, sid), "client_time": "2026-11-28T10:16:00+01:00"})
        status, data = await conn.request("POST", "/api/v1/sync/push", tokens["teamleider"],
                                          json.dumps({"device_id": str(uuid.uuid4()), "mutations": muts}).encode())
        if status != 200:
            raise RuntimeError(f"seeding: {status} {data[:200]!r}")
    await conn.close()
    return tokens, ids


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


async def measure(port: int, clients: int, seconds: float, seed_signals: int) -> tuple[Tally, float]:
    tokens, ids = await prepare(port, seed_signals)
    tally = Tally()
    started = time.monotonic()
    stop = started + seconds
    await asyncio.gather(*(client(n, ("127.0.0.1", port), tokens, ids, stop, tally) for n in range(clients)))
    return tally, time.monotonic() - started


def report(label: str, tally: Tally, wall: float) -> dict:
    everything = [x for v in tally.latencies.values() for x in v]
    print(f"\n{label}: {len(everything)} answered in {wall:.1f} s, {sum(tally.errors.values())} errors,"
          f" {tally.dropped} dropped connections")
    print("| request | n | per s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|")
    for kind, values in [*tally.latencies.items(), ("all", everything)]:
        print(f"| {kind} | {len(values)} | {len(values) / wall:.1f} | {pct(values, 50):.0f} | {pct(values, 95):.0f}"
              f" | {pct(values, 99):.0f} |")
    if tally.errors:
        print("errors:", ", ".join(f"{k} ×{v}" for k, v in sorted(tally.errors.items())))
    return {"label": label, "rps": len(everything) / wall, "p50": pct(everything, 50), "p95": pct(everything, 95),
            "p99": pct(everything, 99), "errors": sum(tally.errors.values()), "dropped": tally.dropped,
            "mean": statistics.fmean(everything) * 1000 if everything else float("nan")}


def main() -> None:
    global PERSONAL, FRESH
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed-signals", type=int, default=2000)
    parser.add_argument("--source", type=Path, action="append", help="source tree(s) to serve; default this one")
    parser.add_argument("--label", action="append", help="a name per --source")
    parser.add_argument("--personal", type=float, default=PERSONAL, help="share of signals with personal data")
    parser.add_argument("--fresh-connections", action="store_true", help="no keep-alive: connect for every request")
    args = parser.parse_args()
    PERSONAL, FRESH = args.personal, args.fresh_connections
    sources = args.source or [REPO]
    labels = args.label or [str(s) for s in sources]
    rows = []
    for source, label in zip(sources, labels, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            proc, port = run_server(source.resolve(), Path(tmp), args.seed_signals)
            try:
                tally, wall = asyncio.run(measure(port, args.clients, args.seconds, args.seed_signals))
            finally:
                proc.terminate()
                proc.wait(10)
            rows.append(report(label, tally, wall))
    print(f"\n{args.clients} clients, {args.seconds:.0f} s each, {args.seed_signals} seeded signals,"
          f" {args.personal:.0%} with personal data, {'fresh' if FRESH else 'keep-alive'} connections")
    print("| server | requests/s | p50 ms | p95 ms | p99 ms | errors | dropped |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['errors']}"
              f" | {r['dropped']} |")


if __name__ == "__main__":
    main()
