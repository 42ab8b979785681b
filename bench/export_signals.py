"""Benchmark: exporting 1,000,000 signals to CSV and GeoJSON, against `sqlite3 -csv`.

    .venv/bin/python bench/export_signals.py [--signals 1000000] [--db PATH]

The database is filled the way the product fills it: creates through the signal service
(`SignalService.writing().apply_batch`, batches of 1,000), spread over the land of
Noordoostpolder and two years, 8 categories with subcategories, 10 % marked as holding
personal data, 2 % without a location, Dutch descriptions with accents, separators,
quotes, line breaks and some starting with `=` or `-` (formula injection). It is built
once and kept at `--db` (default: the temp dir, by size), so a second run measures only.
No ANALYZE: the product never runs it.

Each measurement runs in a fresh process (peak RSS = its `ru_maxrss`, so the numbers do
not share a heap), all on the same rows (every live signal, oldest first):

- `gebiedsradar export csv` / `geojson` / `--pseudonymised`: the CLI, which runs the same
  generator as the API's `Stream` (server/exports/stream.py), written to a file;
- API stream: the route's generator consumed in process (what Litestar sends), no HTTP;
- reference: the `sqlite3` command-line shell, `-csv` mode, one SELECT of the same columns
  (no area names, no time zone conversion, no formula neutralisation) to a file.

Rows/s is rows divided by the wall time of the process (Python's start-up and imports
included, about 1 s); CPU s is the child's user + system time, which the other work on a
shared machine disturbs less than wall time; peak memory is the child's max RSS. The first
row exports only the last days (a few thousand rows) with the same process set-up: its
peak RSS against the 1,000,000-row rows shows that memory does not grow with the rows.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CATEGORIES = {
    "woonomgeving": ["groen", "straat_en_stoep", "afval"],
    "overlast": ["geluid", "stank"],
    "jeugd": ["jeugdoverlast", "ontmoetingsplek"],
    "verkeer": ["snelheid", "parkeren"],
    "burenconflict": ["erfgrens"],
    "eenzaamheid_zorg": ["eenzaamheid"],
    "veiligheid": [None],
    "initiatief": [None],
}
TEXTS = [
    "Bewoners van de Lange Nering klagen over geluid; \"na tienen\" nog muziek.",
    "Zorgen om een oudere meneer: café-eigenaar ziet hem niet meer. Reünie gepland?",
    "=HYPERLINK(\"http://example.com\") geplakt uit een e-mail",
    "-5 graden en de speeltuin is glad\nNieuwe regel met ë, ï en é.",
    "Jongeren bij het dorpshuis, buren klagen over lawaai.",
    "@bewoners vragen om een bankje bij de vijver",
]
STATUSES = ["nieuw", "in_behandeling", "doorgezet", "afgesloten"]
BATCH = 1000


def build(path: Path, n: int) -> float:
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
    rng = np.random.default_rng(13)
    lats, lons = rng.uniform(52.62, 52.84, n), rng.uniform(5.60, 5.98, n)
    seconds = rng.uniform(0, 2 * 365 * 86400, n)
    cats = list(CATEGORIES)
    pick_cat, pick_sub = rng.integers(0, len(cats), n), rng.integers(0, 3, n)
    pick_text, pick_status = rng.integers(0, len(TEXTS), n), rng.integers(0, 4, n)
    personal, no_location = rng.random(n) < 0.10, rng.random(n) < 0.02
    start = datetime(2024, 11, 28, tzinfo=UTC)
    t = time.perf_counter()
    for first in range(0, n, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, n)):
            cat = cats[pick_cat[i]]
            subs = CATEGORIES[cat]
            observed = start + timedelta(seconds=float(seconds[i]))
            batch.append(Mutation("create", str(uuid.UUID(int=i + 1)), SignalCreate(
                category=cat, subcategory=subs[pick_sub[i] % len(subs)],
                description=TEXTS[pick_text[i]], source="inwoner", observed_at=observed,
                status=STATUSES[pick_status[i]], contains_personal_data=bool(personal[i]),
                follow_up_date=(observed + timedelta(days=14)).date() if i % 7 == 0 else None,
                location=None if no_location[i] else Location(
                    lat=float(lats[i]), lon=float(lons[i]), accuracy_m=10.0))))
        with service.writing() as w:
            outcomes = w.apply_batch(author, batch)
        assert all(o.status == "applied" for o in outcomes), [o.error for o in outcomes][:3]
    took = time.perf_counter() - t
    db.close()
    return took


def rows_in(path: Path) -> int:
    out = subprocess.run(["sqlite3", str(path), "SELECT count(*) FROM signals WHERE deleted = 0"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


# --- one measurement, in its own process ------------------------------------------------------

def child(kind: str, db: Path, out: Path) -> None:
    """Run one export in this (fresh) process; print its peak RSS in MiB as JSON (for the
    sqlite3 shell: the shell's own, as this process's only child)."""
    if kind == "sqlite3":
        with out.open("wb") as f:
            subprocess.run(["sqlite3", "-csv", "-header", str(db), REFERENCE_SQL], stdout=f, check=True)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({"rss_mib": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}))
        return
    if kind == "api-csv":
        from server.areas.store import AreaCatalog
        from server.bootstrap import open_database
        from server.exports.stream import signal_export
        from server.settings import Settings
        from server.signals.queries import SignalFilter
        from server.users.models import User

        database = open_database(Settings(db_path=db)).db
        export = signal_export(database, AreaCatalog(database), User(username="bench", role="beheerder"),
                               SignalFilter(), "csv")
        with out.open("wb") as f:
            for chunk in export:
                f.write(chunk)
    else:
        from server.cli import main

        fmt, *flags = kind.split("+")
        try:
            main(["--db", str(db), "export", fmt, "-o", str(out), *flags])
        except SystemExit as e:
            if e.code:
                raise
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"rss_mib": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}))


REFERENCE_SQL = (
    "SELECT id, observed_at, category, subcategory, kern_code, wijk_code, buurt_code, lat, lon,"
    " urgency, status, source, follow_up_date, description, created_by,"
    " contains_personal_data FROM signals WHERE deleted = 0 ORDER BY observed_utc")


def measure(kind: str, db: Path, work: Path) -> dict:
    out = work / f"{kind.replace('+', '_')}.out"
    t = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--db", str(db),
                           "--out", str(out)], capture_output=True, text=True, cwd=REPO)
    took = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{kind} failed: {done.stderr}")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    said = re.search(r"(\d+) (?:signalen|Open311-verzoeken) geëxporteerd", done.stderr)  # the CLI's count
    size = out.stat().st_size
    out.unlink()
    return {"kind": kind, "seconds": took, "cpu_s": info["cpu_s"], "rss_mib": info["rss_mib"],
            "bytes": size, "rows": int(said.group(1)) if said else None}


SMALL = "csv+--since=2026-11-25"  # the last few days: ~5,000 rows, to show memory does not grow
LABELS = {
    SMALL: "`gebiedsradar export csv --since 2026-11-25` (CLI, few rows)",
    "csv": "`gebiedsradar export csv` (CLI)",
    "csv+--pseudonymised": "`gebiedsradar export csv --pseudonymised`",
    "api-csv": "API stream generator, CSV (in process)",
    "geojson": "`gebiedsradar export geojson` (CLI)",
    "open311": "`gebiedsradar export open311` (CLI)",
    "sqlite3": "reference: `sqlite3 -csv` shell, same rows",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=None, help="database to build once and reuse")
    ap.add_argument("--only-build", action="store_true")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    db = args.db or Path(tempfile.gettempdir()) / f"gebiedsradar-export-{args.signals}.db"
    if args.child:
        child(args.child, db, args.out)
        return
    if not db.exists() or rows_in(db) < args.signals:
        if db.exists():
            db.unlink()
        took = build(db, args.signals)
        print(f"{args.signals:,} signals stored through the signal service in {took:.0f} s"
              f" ({args.signals / took:,.0f}/s)")
    if args.only_build:
        return
    n = rows_in(db)
    print(f"{n:,} live signals in {db} ({db.stat().st_size / 2**20:,.0f} MiB)\n")
    work = Path(tempfile.mkdtemp(prefix="gr-export-"))
    try:
        results = [measure(kind, db, work) for kind in LABELS]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ref = next(r for r in results if r["kind"] == "sqlite3")
    print("| export | rows | wall s | rows/s | CPU s | rows per CPU s | vs sqlite3 (CPU) |"
          " peak RSS (MiB) | output (MiB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        rows = r["rows"] or n
        print(f"| {LABELS[r['kind']]} | {rows:,} | {r['seconds']:.1f} | {rows / r['seconds']:,.0f} |"
              f" {r['cpu_s']:.1f} | {rows / r['cpu_s']:,.0f} |"
              f" {(rows / r['cpu_s']) / (n / ref['cpu_s']):.2f}× | {r['rss_mib']:,.0f} |"
              f" {r['bytes'] / 2**20:,.0f} |")
    print(f"\n{date.today()}, Python {sys.version.split()[0]},"
          f" {subprocess.run(['sqlite3', '--version'], capture_output=True, text=True).stdout.split()[0]}"
          " (shell)")


if __name__ == "__main__":
    main()
