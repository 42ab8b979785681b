"""Benchmark: the team lead's area statistics with 1,000,000 signals over five years.

    .venv/bin/python bench/stats_query.py [--signals 1000000] [--runs 50]

Signals are spread uniformly over 2022-01-01 … 2026-12-31 and over the
Noordoostpolder land (the default kernen), 8 categories. Times
`server.stats.store.area_counts` (what GET /api/v1/stats/areas runs) for one
month and one year, all categories and one category, and as a reference the
same count by a full table scan (`NOT INDEXED`) in the same run. p50 / p95 of
`--runs` calls each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from server.areas.store import AreaCatalog  # noqa: E402
from server.bootstrap import open_database  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stats.store import area_counts  # noqa: E402
from server.timeutil import period_bound, utc_text  # noqa: E402

CATEGORIES = ["woonomgeving", "overlast", "jeugd", "verkeer", "burenconflict", "eenzaamheid_zorg",
              "veiligheid", "initiatief"]


def fill(db, catalog, n: int) -> None:
    rng = np.random.default_rng(5)
    lats, lons = rng.uniform(52.62, 52.84, n), rng.uniform(5.60, 5.98, n)
    kern = catalog.index.locate_many(lats, lons)["kern"]
    start = datetime(2022, 1, 1, tzinfo=UTC)
    seconds = rng.uniform(0, 5 * 365.25 * 86400, n)
    cats = rng.integers(0, len(CATEGORIES), n)
    rows = []
    for i in range(n):
        moment = start + timedelta(seconds=float(seconds[i]))
        rows.append((f"{i:032x}", CATEGORIES[cats[i]], "bench", "normaal", "inwoner", float(lats[i]),
                     float(lons[i]), moment.isoformat(), utc_text(moment), "nieuw",
                     kern[i].code if kern[i] else None, 1, "bench", "2026-01-01", "2026-01-01"))
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO signals (id, category, description, urgency, source, lat, lon, observed_at,"
            " observed_utc, status, kern_code, version, created_by, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.conn.execute("ANALYZE")


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    db_path = Path(tempfile.mkdtemp()) / "stats.db"
    db = open_database(Settings(db_path=db_path)).db
    catalog = AreaCatalog(db)
    t = time.perf_counter()
    fill(db, catalog, args.signals)
    print(f"{args.signals:,} signals over 5 years loaded in {time.perf_counter() - t:.1f} s\n")
    periods = {"month (2026-11)": ("2026-11-01", "2026-11-30"), "year (2026)": ("2026-01-01", "2026-12-31")}
    print("| query | ours p50 ms | ours p95 ms | full scan p50 ms | full scan p95 ms | matching signals |")
    print("|---|---|---|---|---|---|")
    for label, (a, b) in periods.items():
        since, until = period_bound(a, end=False), period_bound(b, end=True)
        for category in (None, "jeugd"):
            ours = timed(lambda s=since, u=until, c=category: area_counts(db, catalog, "kern", s, u, c),
                         args.runs)
            where = "observed_utc >= ? AND observed_utc < ? AND deleted = 0" + (" AND category = ?" if category else "")
            params = [utc_text(since), utc_text(until)] + ([category] if category else [])
            scan = timed(lambda w=where, p=params: db.query(
                f"SELECT kern_code, count(*) FROM signals NOT INDEXED WHERE {w} GROUP BY kern_code",
                p), max(5, args.runs // 10))
            total = sum(f.properties.count for f in area_counts(db, catalog, "kern", since, until, category).features)
            name = f"{label}{', category jeugd' if category else ''}"
            print(f"| {name} | {ours[0]:.1f} | {ours[1]:.1f} | {scan[0]:.0f} | {scan[1]:.0f} | {total:,} |")


    http(db, db_path, periods, args.runs)


def http(db, db_path: Path, periods: dict, runs: int) -> None:
    """The same calls over HTTP to a real server process (what a team lead's browser waits for)."""
    import httpx

    sys.path.insert(0, str(REPO / "tests"))
    from server.users.store import add_user

    from live import start_server

    add_user(db, "lead", "lead-wachtwoord", "teamleider")
    proc, base = start_server(db_path)
    try:
        token = httpx.post(base + "/api/v1/auth/token",
                           json={"username": "lead", "password": "lead-wachtwoord"}).json()["access_token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            print("\n| over HTTP (GET /api/v1/stats/areas?level=kern) | p50 ms | p95 ms |\n|---|---|---|")
            for label, (a, b) in periods.items():
                def call(a=a, b=b):
                    r = client.get("/api/v1/stats/areas", params={"level": "kern", "from": a, "to": b})
                    assert r.status_code == 200
                p50, p95 = timed(call, runs)
                print(f"| {label} | {p50:.1f} | {p95:.1f} |")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
