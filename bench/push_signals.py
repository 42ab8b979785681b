"""Benchmark: ingest through the sync API against what SQLite itself allows, in one run.

    .venv/bin/python bench/push_signals.py [--signals 30000] [--batch 100] [--devices 20]
                                           [--device-batches 20] [--runs 3] [--ids v7|v4]

The same 30,000 new signals (batches of 100, ids made as the app makes them:
UUIDv7) are stored six ways, each on a fresh database created the way the
product creates it (its schema, WAL, synchronous=FULL, its cache size):

- A: raw `executemany` of the signals rows alone, one transaction (the physical limit).
- B (before): the five rows a create wrote before this design (signal, change, version
  snapshot, mutation record, audit entry; the schema before migration m006), one transaction.
- C (before): the same five rows, one commit per batch of 100: the like-for-like floor of
  the earlier design. B and C (now): the same with the three rows a create writes now.
- ours, in process: `SignalService.writing()` + `apply_batch` per batch, no HTTP.
- ours over HTTP: `gebiedsradar serve` (uvicorn, one process) with one device pushing
  batch after batch (waiting for each answer, as a phone does), then `--devices` devices
  at once (group commit), with the latency of each push.

Pages per signal: WAL frames written per signal, counted on a separate untimed run of
each floor and of the in-process path with automatic checkpoints off.
Early-warning detection is held off in the server (GEBIEDSRADAR_DETECT=0) unless
`--detect`: it runs after the commit, never inside a push, and its own cost is another
benchmark's (bench/early_warning.py). Figures: best of `--runs` for the single-device rows.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import msgspec
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from server.areas.store import AreaCatalog  # noqa: E402
from server.bootstrap import open_database  # noqa: E402
from server.db import Database  # noqa: E402
from server.migrations import MIGRATIONS  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.signals.rows import ALL_COLUMNS, CLIENT_COLUMNS  # noqa: E402
from server.signals.service import Mutation, SignalService  # noqa: E402
from server.users.models import User  # noqa: E402
from server.users.store import add_user  # noqa: E402

from live import start_server  # noqa: E402

USER = User(username="bench", role="gebiedsregisseur")
AT = "2026-11-28T09:15:00+00:00"


class Uuid7:
    """UUIDv7 as the app makes them (RFC 9562 method 1: a counter in rand_a)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ms = 0
        self.counter = 0

    def __call__(self) -> str:
        ms = max(int(time.time() * 1000), self.ms)
        if ms == self.ms:
            self.counter += 1
            if self.counter > 0xFFF:
                ms, self.counter = ms + 1, self.rng.getrandbits(11)
        else:
            self.counter = self.rng.getrandbits(11)
        self.ms = ms
        value = (ms << 80) | (0x7 << 76) | (self.counter << 64) | (0b10 << 62) | self.rng.getrandbits(62)
        return str(uuid.UUID(int=value))


def make_mutations(n: int, seed: int, ids: str) -> list[dict]:
    rng = np.random.default_rng(seed)
    new_id = Uuid7(seed) if ids == "v7" else (lambda: str(uuid.uuid4()))
    lats, lons = rng.uniform(52.63, 52.80, n), rng.uniform(5.65, 5.95, n)
    return [{"id": new_id(), "seq": i + 1, "op": "create", "signal_id": new_id(),
             "base_version": None, "client_time": "2026-11-28T10:15:00+01:00",
             "data": {"category": "jeugd", "subcategory": "jeugdoverlast", "source": "inwoner",
                      "description": "Jongeren bij het dorpshuis, buren klagen over lawaai.",
                      "urgency": "normaal",
                      "location": {"lat": float(lats[i]), "lon": float(lons[i]), "accuracy_m": 12.0,
                                   "method": "gps"},
                      "observed_at": "2026-11-28T10:15:00+01:00"}} for i in range(n)]


# --- the floors ---------------------------------------------------------------------------

def product_rows(tmp: Path, mutations: list[dict], device: str) -> list[dict]:
    """The signals rows the product writes for these creates: stored once through the
    service on a scratch database and read back."""
    opened = open_database(Settings(db_path=tmp / "rows.db"))
    service = SignalService(opened.db, AreaCatalog(opened.db))
    with service.writing() as w:
        w.apply_batch(USER, [Mutation("create", m["signal_id"], m["data"], id=m["id"],
                                      device=device, seq=m["seq"]) for m in mutations])
    order = {m["signal_id"]: i for i, m in enumerate(mutations)}
    rows = sorted((dict(r) for r in opened.db.query("SELECT * FROM signals")),
                  key=lambda r: order[r["id"]])
    for r in rows:
        r["created_at"] = r["updated_at"] = AT
    opened.db.close()
    return rows


def fresh_db(path: Path, before: bool) -> Database:
    """A database created as the product creates it; `before`: the schema before m006."""
    if not before:
        return open_database(Settings(db_path=path)).db
    db = Database(path)
    for _, fn in MIGRATIONS[:5]:
        with db.transaction() as conn:
            fn(conn)
    return db


LATER_COLUMNS = ("device_id", "assignee", "assignment_note", "related_to")


def statements(before: bool, rows: list[dict], mutations: list[dict], device: str,
               only_signals: bool = False) -> list[tuple[str, list[tuple]]]:
    """The INSERTs of a batch of creates, one executemany each."""
    # The schema before m006 has no device_id, nor the columns added since (m013: hand-over).
    cols = [c for c in ALL_COLUMNS if not (before and c in LATER_COLUMNS)]
    out = [(f"INSERT INTO signals ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in rows])]
    if only_signals:
        return out
    if before:
        out.append(("INSERT INTO changes (signal_id, version, op, changed_by, changed_at)"
                    " VALUES (?,1,'create',?,?)", [(r["id"], USER.username, AT) for r in rows]))
        out.append(("INSERT INTO signal_versions (signal_id, version, data) VALUES (?,1,?)",
                    [(r["id"], json.dumps({c: r[c] for c in CLIENT_COLUMNS if c not in LATER_COLUMNS}))
                     for r in rows]))
        out.append(("INSERT INTO audit_log (at, username, action, object) VALUES (?,?,'signal_create',?)",
                    [(AT, USER.username, r["id"]) for r in rows]))
    else:
        out.append(("INSERT INTO changes (signal_id, version, op, changed_by, device_id, changed_at)"
                    " VALUES (?,1,'create',?,?,?)", [(r["id"], USER.username, device, AT) for r in rows]))
    out.append(("INSERT INTO mutations (id, device_id, seq, username, signal_id, op, status, version,"
                " problem, received_at) VALUES (?,?,?,?,?,'create','applied',1,NULL,?)",
                [(m["id"], device, m["seq"], USER.username, m["signal_id"], AT) for m in mutations]))
    return out


def wal_frames(db: Database) -> int:
    wal = Path(str(db.path) + "-wal")
    page = db.query_one("PRAGMA page_size")[0]
    return max(0, (wal.stat().st_size - 32) // (page + 24)) if wal.exists() else 0


def floor(tmp: Path, name: str, rows, mutations, device, batch: int | None, before: bool,
          only_signals: bool = False, count_pages: bool = False) -> float:
    """Seconds to store all rows (batch None: one transaction), or pages per signal."""
    db = fresh_db(tmp / f"{name}-{time.perf_counter_ns()}.db", before)
    conn = db.conn
    if count_pages:
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    step = batch or len(rows)
    t = time.perf_counter()
    for start in range(0, len(rows), step):
        conn.execute("BEGIN IMMEDIATE")
        for sql, params in statements(before, rows[start:start + step], mutations[start:start + step],
                                      device, only_signals):
            conn.executemany(sql, params)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - t
    frames = wal_frames(db)
    db.close()
    return frames / len(rows) if count_pages else seconds


def in_process(tmp: Path, mutations: list[dict], device: str, batch: int,
               count_pages: bool = False, profile: bool = False) -> float:
    """The product's write path without HTTP: one transaction per batch, as the server commits."""
    db = open_database(Settings(db_path=tmp / f"inproc-{time.perf_counter_ns()}.db")).db
    service = SignalService(db, AreaCatalog(db))
    if count_pages:
        db.conn.execute("PRAGMA wal_autocheckpoint=0")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    batches = [[Mutation("create", m["signal_id"], m["data"], id=m["id"], device=device, seq=m["seq"])
                for m in mutations[s:s + batch]] for s in range(0, len(mutations), batch)]
    profiler = cProfile.Profile() if profile else None
    t = time.perf_counter()
    if profiler:
        profiler.enable()
    for group in batches:
        with service.writing() as w:
            outcomes = w.apply_batch(USER, group)
        assert all(o.status == "applied" for o in outcomes)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - t
    frames = wal_frames(db)
    db.close()
    if profiler:
        print("\nProfile of the in-process path (cumulative, top 25):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return frames / len(mutations) if count_pages else seconds


# --- over HTTP ----------------------------------------------------------------------------

def serve(tmp: Path, detect: bool = False):
    db_path = tmp / "push.db"
    db = open_database(Settings(db_path=db_path)).db
    add_user(db, "bench", "bench-wachtwoord", "gebiedsregisseur")
    db.close()
    proc, base = start_server(db_path, env={"GEBIEDSRADAR_DETECT": "1" if detect else "0"})
    token = httpx.post(base + "/api/v1/auth/token",
                       json={"username": "bench", "password": "bench-wachtwoord"}).json()["access_token"]
    return proc, base, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


class Result(msgspec.Struct):
    status: str


class Pushed(msgspec.Struct):
    results: list[Result]


def push_all(base: str, headers: dict, bodies: list[bytes], latencies: list[float] | None = None) -> None:
    decoder = msgspec.json.Decoder(Pushed)
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for body in bodies:
            t = time.perf_counter()
            r = client.post("/api/v1/sync/push", content=body)
            if latencies is not None:
                latencies.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            assert all(x.status == "applied" for x in decoder.decode(r.content).results), r.text[:300]


def bodies(mutations: list[dict], batch: int, device: str) -> list[bytes]:
    return [msgspec.json.encode({"device_id": device, "mutations": mutations[s:s + batch]})
            for s in range(0, len(mutations), batch)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=30_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--device-batches", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ids", choices=["v7", "v4"], default="v7",
                    help="how signal and mutation ids are made (the app: v7)")
    ap.add_argument("--profile", action="store_true", help="profile the in-process path")
    ap.add_argument("--detect", action="store_true",
                    help="run the server with early-warning detection after changes (production)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gr-push-"))
    n, batch = args.signals, args.batch
    device = str(uuid.uuid4())
    mutations = make_mutations(n, 1, args.ids)
    rows = product_rows(tmp, mutations, device)

    def best(fn) -> float:
        return min(fn() for _ in range(args.runs))

    results: dict[str, tuple[float, float | None]] = {}
    for name, kwargs in {
        "A": dict(batch=None, before=False, only_signals=True),
        "B (before)": dict(batch=None, before=True),
        "C (before)": dict(batch=batch, before=True),
        "B (now)": dict(batch=None, before=False),
        "C (now)": dict(batch=batch, before=False),
    }.items():
        seconds = best(lambda k=kwargs, nm=name: floor(tmp, nm, rows, mutations, device, **k))
        pages = floor(tmp, name, rows, mutations, device, count_pages=True, **kwargs)
        results[name] = (seconds, pages)
    results["ours, in process"] = (best(lambda: in_process(tmp, mutations, device, batch)),
                                   in_process(tmp, mutations, device, batch, count_pages=True))
    if args.profile:
        in_process(tmp, mutations, device, batch, profile=True)

    proc, base, headers = serve(tmp, args.detect)
    try:
        one: list[float] = []
        for run in range(args.runs):
            fresh = make_mutations(n, 1000 + run, args.ids)
            t = time.perf_counter()
            push_all(base, headers, bodies(fresh, batch, str(uuid.uuid4())))
            one.append(time.perf_counter() - t)
        results["ours over HTTP, 1 device"] = (min(one), None)

        latencies: list[float] = []
        loads = [bodies(make_mutations(args.device_batches * batch, 100 + d, args.ids), batch,
                        str(uuid.uuid4())) for d in range(args.devices)]
        threads = [threading.Thread(target=push_all, args=(base, headers, load, latencies))
                   for load in loads]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        many_seconds = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    a = n / results["A"][0]
    c = n / results["C (before)"][0]
    print(f"\n{n:,} new signals, batches of {batch}, {args.ids} ids, best of {args.runs}\n")
    print("| path | signals/s | vs A | vs C (before) | pages per signal |\n|---|---|---|---|---|")
    for name, (seconds, pages) in results.items():
        rate = n / seconds
        print(f"| {name} | {rate:,.0f} | {rate / a:.1%} | {rate / c:.0%} |"
              f" {f'{pages:.2f}' if pages is not None else '–'} |")
    total = args.devices * args.device_batches * batch
    rate = total / many_seconds
    lat = sorted(latencies)
    print(f"| ours over HTTP, {args.devices} devices at once | {rate:,.0f} | {rate / a:.1%} |"
          f" {rate / c:.0%} | – |")
    print(f"\n{args.devices} devices at once, {args.device_batches} pushes of {batch} each"
          f" ({total:,} signals in {many_seconds:.1f} s): push latency p50"
          f" {statistics.median(lat) * 1000:.0f} ms, p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.0f} ms,"
          f" max {lat[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
