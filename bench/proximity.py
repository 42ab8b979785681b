"""Benchmark: the proximity rule (N signals within R metres within D days) under crowds.

    .venv/bin/python bench/proximity.py [--signals 100000] [--old-limit-gb 4] [--old-timeout 60]

Three databases, each filled the way the product fills it: creates through the signal
service (`SignalService.writing().apply_batch`), all of one subcategory (jeugdoverlast),
observed uniformly over the 13 days before the moment of detection:

- spot: every signal at one address in Ens (the audit's case: 6,000 took 1.6 GB and 10 s);
- village: uniform over the kern Ens (its CBS polygon, about 2 km across);
- municipality: uniform over the land of Noordoostpolder (its kernen).

Smaller sizes are the first k signals of the same database (the rest deleted in the
copy). Each measurement runs in a fresh process on its own copy of the database:
`detect_rule_clusters` (read the signals, group them, store the alerts) with the new
grouping (`server/alerts/proximity.py`), and with the OLD one, copied below
(`old_find_clusters`, main before issue 11), in the same run. Time is the wall time of
that call; memory is the growth of peak RSS (ru_maxrss after minus before the call).
The old one runs with an address-space limit (`--old-limit-gb` above the process's
size at start) and a timeout; where it cannot finish the table says so, and smaller
sizes it survives are measured. The last rows run all three methods (`detect`) with
the new code on the full databases.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ENS = "WK017106"
ENS_SPOT = (52.6335, 5.8330)


# --- the reference: the grouping as it was (server/alerts/rules.py before issue 11) ---------

def old_find_clusters(rows, settings):
    """OLD: for every signal a set of its neighbours, then a pairwise union of the sets."""
    import shapely

    from geo.metric import to_metric
    from server.alerts.rules import Cluster

    rows = [r for r in rows if r["lat"] is not None]
    if len(rows) < settings.min_signals:
        return []
    pts = to_metric(shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows]))
    xy = shapely.get_coordinates(pts)
    when = np.array([r["when"].timestamp() for r in rows])
    window = timedelta(days=settings.days).total_seconds()
    groups: list[set[int]] = []
    for i in range(len(rows)):
        near = np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1]) <= settings.radius_m
        recent = (when <= when[i]) & (when > when[i] - window)
        members = set(np.flatnonzero(near & recent).tolist())
        if len(members) >= settings.min_signals:
            groups.append(members)
    merged: list[set[int]] = []
    for g in groups:  # union of overlapping groups, transitively
        g = set(g)
        rest = []
        for m in merged:
            if m & g:
                g |= m
            else:
                rest.append(m)
        merged = [*rest, g]
    clusters = []
    for m in merged:
        idx = sorted(m, key=lambda k: when[k])
        lats = [rows[k]["lat"] for k in idx]
        lons = [rows[k]["lon"] for k in idx]
        clusters.append(Cluster(
            category=rows[idx[0]].get("category", ""), signal_ids=[rows[k]["id"] for k in idx],
            first=rows[idx[0]]["when"], last=rows[idx[-1]]["when"],
            centre=(float(np.mean(lats)), float(np.mean(lons))),
            bbox=(min(lons), min(lats), max(lons), max(lats))))
    return clusters


# --- building the databases ------------------------------------------------------------------

def points(kind: str, n: int, catalog) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng({"spot": 1, "village": 2, "municipality": 3}[kind])
    if kind == "spot":
        return np.full(n, ENS_SPOT[0]), np.full(n, ENS_SPOT[1])
    lats, lons = [], []
    while sum(len(a) for a in lats) < n:
        if kind == "village":
            lo_lon, lo_lat, hi_lon, hi_lat = catalog.by_key[("kern", ENS)].geometry.bounds
        else:
            lo_lon, lo_lat, hi_lon, hi_lat = 5.60, 52.62, 5.98, 52.84
        la, lo = rng.uniform(lo_lat, hi_lat, 4 * n), rng.uniform(lo_lon, hi_lon, 4 * n)
        kern = catalog.index.locate_many(la, lo)["kern"]
        inside = np.array([k is not None and (kind == "municipality" or k.code == ENS) for k in kern])
        lats.append(la[inside])
        lons.append(lo[inside])
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


def build(kind: str, n: int, path: Path) -> float:
    """Store n signals through the signal service; seconds taken."""
    from server.areas.store import AreaCatalog
    from server.bootstrap import open_database
    from server.settings import Settings
    from server.signals.models import Location, SignalCreate
    from server.signals.service import Mutation, SignalService
    from server.users.models import User

    db = open_database(Settings(db_path=path)).db
    catalog = AreaCatalog(db)
    service = SignalService(db, catalog)
    author = User(username="bench", role="beheerder")
    lats, lons = points(kind, n, catalog)
    seconds = np.random.default_rng(4).uniform(3600, 13 * 86400, n)
    t = time.perf_counter()
    for start in range(0, n, 1000):
        batch = [Mutation("create", str(uuid.UUID(int=i + 1)), SignalCreate(
            category="jeugd", subcategory="jeugdoverlast", description="bench", source="inwoner",
            observed_at=NOW - timedelta(seconds=float(seconds[i])),
            location=Location(lat=float(lats[i]), lon=float(lons[i]), accuracy_m=10.0)))
            for i in range(start, min(start + 1000, n))]
        with service.writing() as w:
            w.apply_batch(author, batch)
    took = time.perf_counter() - t
    db.close()
    return took


# --- one measurement, in its own process ----------------------------------------------------

def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(impl: str, source: Path, keep: int, limit_gb: float, work: Path) -> None:
    import server.alerts.detect as detect_module
    from server.alerts.detect import detect, detect_rule_clusters
    from server.areas.store import AreaCatalog
    from server.bootstrap import open_database
    from server.settings import Settings

    work.mkdir()
    shutil.copy(source, work / "b.db")
    db = open_database(Settings(db_path=work / "b.db")).db
    catalog = AreaCatalog(db)
    with db.transaction() as conn:
        conn.execute("DELETE FROM signals WHERE id > ?", (str(uuid.UUID(int=keep)),))
    if impl == "old":
        detect_module.find_clusters = old_find_clusters
        size = int(Path("/proc/self/status").read_text().split("VmSize:")[1].split()[0]) * 1024
        limit = size + int(limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Detection logs a failed part and goes on (issue 11): a MemoryError of the old
    # grouping shows up here, not as a crash.
    failed: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: failed.append(record.exc_info[0].__name__ if record.exc_info else "error")
    logging.getLogger("server.alerts.detect").addHandler(handler)
    before = peak_mb()
    t = time.perf_counter()
    ids = detect(db, catalog, NOW).alert_ids if impl == "all" else detect_rule_clusters(db, catalog, NOW)
    seconds = time.perf_counter() - t
    growth = peak_mb() - before
    sizes = sorted((r["observed"] for r in db.query(
        "SELECT observed FROM alerts WHERE method = 'regel'")), reverse=True)
    if failed:
        print(json.dumps({"error": f"failed after {seconds:.0f} s: {', '.join(failed)}"
                          + (f" (+{limit_gb:g} GiB limit)" if "MemoryError" in failed else "")}))
        return
    print(json.dumps({"seconds": seconds, "mb": growth, "alerts": len(ids), "sizes": sizes[:3]}))


def measure(impl: str, source: Path, keep: int, args) -> dict:
    work = source.parent / f"run-{impl}-{keep}"  # removed here, also when the child is killed
    cmd = [sys.executable, __file__, "--child", impl, str(source), str(keep), str(args.old_limit_gb), str(work)]
    timeout = args.old_timeout if impl == "old" else None
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"not done in {timeout} s"}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if r.returncode:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": "out of memory" if "MemoryError" in r.stderr else last[:60]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), Path(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--old-limit-gb", type=float, default=4.0,
                        help="address space the old implementation may add (GiB)")
    parser.add_argument("--old-timeout", type=float, default=60.0, help="seconds the old one may take")
    args = parser.parse_args()
    n = args.signals
    plan = {  # sizes measured, new and old (smaller ones are what the old one survives)
        "spot": [6_000, n],
        "village": [10_000, 20_000, n],
        "municipality": [25_000, n],
    }
    tmp = Path(tempfile.mkdtemp(prefix="gr-prox-db-"))
    rows = []
    try:
        for kind, sizes in plan.items():
            path = tmp / f"{kind}.db"
            took = build(kind, n, path)
            print(f"built {kind}: {n:,} signals through the service in {took:.0f} s", file=sys.stderr)
            for k in sorted({min(k, n) for k in sizes}):
                for impl in ("new", "old"):
                    result = measure(impl, path, k, args)
                    rows.append((kind, k, impl, result))
                    print(kind, k, impl, result, file=sys.stderr)
            rows.append((kind, n, "all", measure("all", path, n, args)))
            print(rows[-1], file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    names = {"new": "new (grid, proximity.py)", "old": "OLD (one set per signal)",
             "all": "all three methods, new"}
    print(f"\nProximity rule (4 within 300 m within 14 days), one subcategory, signals over 13 days;"
          f" old limited to +{args.old_limit_gb:g} GiB and {args.old_timeout:g} s\n")
    print("| signals | where | implementation | seconds | peak RSS growth (MB) | alerts (largest) |")
    print("|---:|---|---|---:|---:|---|")
    for kind, k, impl, r in rows:
        if "error" in r:
            print(f"| {k:,} | {kind} | {names[impl]} | {r['error']} | | |")
        else:
            print(f"| {k:,} | {kind} | {names[impl]} | {r['seconds']:.2f} | {r['mb']:.0f} |"
                  f" {r['alerts']} ({', '.join(f'{s:,}' for s in r['sizes'])}) |")


if __name__ == "__main__":
    main()
