"""Benchmark: pushing 100,000 signals over real HTTP vs raw SQLite, and latency under 20 devices.

    .venv/bin/python bench/push_signals.py [--signals 100000] [--batch 100] [--devices 20]

- push: one `gebiedsradar serve` process (uvicorn, one worker) on a fresh
  database; one client pushes `create` mutations in batches of 100 over a
  keep-alive HTTP connection, waiting for each answer (as a phone does).
  Counted from the first request to the last answer; every answer is checked.
- raw SQLite: the same rows (with their derived columns precomputed) inserted
  with `executemany` in ONE transaction into a fresh database with the same
  schema and pragmas (WAL, synchronous=FULL): the floor of what storing costs.
- latency: 20 devices push at once, each 20 batches of 100 new signals;
  p50 / p99 / max of the request latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from server.bootstrap import open_database  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.users.store import add_user  # noqa: E402

from live import start_server  # noqa: E402


def make_mutations(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    lats, lons = rng.uniform(52.63, 52.80, n), rng.uniform(5.65, 5.95, n)
    return [{"id": str(uuid.uuid4()), "seq": i + 1, "op": "create", "signal_id": str(uuid.uuid4()),
             "base_version": None, "client_time": "2026-11-28T10:15:00+01:00",
             "data": {"category": "jeugd", "subcategory": "jeugdoverlast", "source": "inwoner",
                      "description": "Jongeren bij het dorpshuis, buren klagen over lawaai.",
                      "urgency": "normaal",
                      "location": {"lat": float(lats[i]), "lon": float(lons[i]), "accuracy_m": 12.0,
                                   "method": "gps"},
                      "observed_at": "2026-11-28T10:15:00+01:00"}} for i in range(n)]


def serve(tmp: Path):
    db_path = tmp / "push.db"
    db = open_database(Settings(db_path=db_path)).db
    add_user(db, "bench", "bench-wachtwoord", "gebiedsregisseur")
    db.close()
    proc, base = start_server(db_path)
    token = httpx.post(base + "/api/v1/auth/token",
                       json={"username": "bench", "password": "bench-wachtwoord"}).json()["access_token"]
    return proc, base, {"Authorization": f"Bearer {token}"}


def push_all(base: str, headers: dict, mutations: list[dict], batch: int,
             latencies: list[float] | None = None) -> None:
    device = str(uuid.uuid4())
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for start in range(0, len(mutations), batch):
            body = {"device_id": device, "mutations": mutations[start:start + batch]}
            t = time.perf_counter()
            r = client.post("/api/v1/sync/push", content=json.dumps(body),
                            headers={"Content-Type": "application/json"})
            if latencies is not None:
                latencies.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            assert all(x["status"] == "applied" for x in r.json()["results"])


def raw_sqlite(tmp: Path, mutations: list[dict]) -> float:
    from server.areas.store import AreaCatalog

    db = open_database(Settings(db_path=tmp / "raw.db")).db
    catalog = AreaCatalog(db)
    lats = [m["data"]["location"]["lat"] for m in mutations]
    lons = [m["data"]["location"]["lon"] for m in mutations]
    kern = catalog.index.locate_many(lats, lons)["kern"]  # derived columns: not timed
    now = "2026-11-28T09:15:00+00:00"
    rows = [(m["signal_id"], "jeugd", "jeugdoverlast", m["data"]["description"], "normaal", "inwoner",
             lats[i], lons[i], 12.0, "gps", m["data"]["observed_at"], "2026-11-28T09:15:00.000000Z",
             "nieuw", kern[i].code if kern[i] else None, 1, "bench", now, now)
            for i, m in enumerate(mutations)]
    conn = db.conn
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO signals (id, category, subcategory, description, urgency, source, lat, lon,"
        " accuracy_m, location_method, observed_at, observed_utc, status, kern_code, version,"
        " created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t
    db.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--device-batches", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gr-push-"))
    mutations = make_mutations(args.signals, 1)

    proc, base, headers = serve(tmp)
    try:
        t = time.perf_counter()
        push_all(base, headers, mutations, args.batch)
        push_seconds = time.perf_counter() - t

        latencies: list[float] = []
        threads = [threading.Thread(target=push_all, args=(
            base, headers, make_mutations(args.device_batches * args.batch, 100 + d), args.batch,
            latencies)) for d in range(args.devices)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        concurrent_seconds = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    raw_seconds = raw_sqlite(tmp, mutations)

    n = args.signals
    print(f"{n:,} signals, batches of {args.batch}\n")
    print("| path | seconds | signals/s | vs raw |\n|---|---|---|---|")
    print(f"| push over HTTP (sync protocol, 1 server process) | {push_seconds:.2f} | {n / push_seconds:,.0f} |"
          f" {raw_seconds / push_seconds:.1%} |")
    print(f"| raw SQLite executemany, one transaction | {raw_seconds:.2f} | {n / raw_seconds:,.0f} | 100% |")
    lat = sorted(latencies)
    total = args.devices * args.device_batches * args.batch
    print(f"\n{args.devices} devices at once, {args.device_batches} pushes of {args.batch} each"
          f" ({total:,} signals in {concurrent_seconds:.1f} s, {total / concurrent_seconds:,.0f}/s):")
    print(f"push latency p50 {statistics.median(lat) * 1000:.0f} ms,"
          f" p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
