"""Benchmark: assigning 1,000,000 points to areas — Gebiedsradar vs PostGIS, same data, same run.

    .venv/bin/python bench/assign_points.py [--points 1000000] [--no-postgis]

Polygons: the 49 CBS 2024 buurten of Noordoostpolder (tests/data/cbs), densified
to a vertex every 10 m so each has hundreds of vertices like the full-detail
CBS map.
Points: uniform random over the bounding box (seeded), so ~80 % fall in an
area. Both sides answer the same question: for each point, the area that
contains it (lowest code on a border), or none.

- ours: `geo.assign.AreaIndex.locate_many` (shapely 2 STRtree, prepared
  geometries) on numpy arrays of lat/lon; timing includes building the points.
- PostGIS: a real PostgreSQL + PostGIS started on a private port for this run,
  areas with a GiST index, points already stored as geometries in a table
  (their load is not timed), one `LEFT JOIN LATERAL … ST_Intersects` query.

Also times a full `areas import` with re-assignment of 1,000,000 stored signals.
Prints a table; best of 3 runs for each engine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo.areas import Area  # noqa: E402
from geo.assign import AreaIndex  # noqa: E402
from geo.metric import to_metric, to_wgs84  # noqa: E402

CBS_GEO = REPO / "tests" / "data" / "cbs"  # see tests/data/README.md
PG_PORT = 55433


def polygons() -> tuple[list[Area], str]:
    frame = gpd.read_file(CBS_GEO / "noordoostpolder_buurten.geojson")
    areas = [Area(r.buurtcode, r.buurtnaam, "buurt", "GM0171", None, r.wijkcode, r.geometry)
             for r in frame.itertuples()]
    label = "CBS 2024 buurten of GM0171"
    dense = []
    for a in areas:
        g = to_wgs84(shapely.segmentize(to_metric(a.geometry), 10.0))
        dense.append(Area(a.code, a.name, "buurt", a.municipality, None, a.parent_code,
                          shapely.make_valid(g)))
    return dense, label


def best_of(fn, runs: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def ours(areas, lats, lons):
    index = AreaIndex(areas)
    return best_of(lambda: index.locate_many(lats, lons)["buurt"])


class PostGIS:
    """A throwaway PostgreSQL + PostGIS cluster on a private port."""

    def __init__(self):
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bindir:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql postgis)")
        self.bin = bindir[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="gr-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"

    def _as_postgres(self, *cmd: str, **kw):
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True,
                              capture_output=True, text=True, **kw)

    def __enter__(self):
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                          str(self.dir / "log"), "-o", f"-p {PG_PORT} -k {self.dir} -c listen_addresses=''"
                          " -c shared_buffers=512MB -c work_mem=256MB -c max_parallel_workers_per_gather=2",
                          "start")
        return self

    def psql(self, sql: str, stdin: str | None = None) -> str:
        return self._as_postgres("psql", "-h", str(self.dir), "-p", str(PG_PORT), "-U", "postgres",
                                 "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql, input=stdin).stdout

    def __exit__(self, *exc):
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D",
                        str(self.data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def postgis(areas, lats, lons):
    with PostGIS() as pg:
        pg.psql("CREATE EXTENSION postgis")
        pg.psql("CREATE TABLE areas (code text, geom geometry(MultiPolygon, 4326))")

        def ewkt(a):
            multi = shapely.multipolygons(shapely.get_parts(a.geometry))
            return f"SRID=4326;{shapely.to_wkt(multi, rounding_precision=-1)}"

        rows = "\n".join(f"{a.code}\t{ewkt(a)}" for a in areas)
        pg.psql("COPY areas FROM STDIN", stdin=rows + "\n")
        pg.psql("CREATE INDEX ON areas USING gist (geom); ANALYZE areas")
        pg.psql("CREATE UNLOGGED TABLE pts (id int, lon float8, lat float8)")
        data = "\n".join(f"{i}\t{float(x)!r}\t{float(y)!r}" for i, (x, y) in enumerate(zip(lons, lats, strict=True)))
        pg.psql("COPY pts FROM STDIN", stdin=data + "\n")
        pg.psql("ALTER TABLE pts ADD COLUMN geom geometry(Point, 4326);"
                " UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
        pg.psql("VACUUM ANALYZE pts")
        query = ("SELECT coalesce(a.code, '') FROM pts p LEFT JOIN LATERAL (SELECT code FROM areas a"
                 " WHERE ST_Intersects(a.geom, p.geom) ORDER BY code LIMIT 1) a ON true ORDER BY p.id")
        timed = f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {query}"

        def run():
            out = pg.psql(timed)
            ms = float(next(line for line in out.splitlines() if "Execution Time" in line).split()[-2])
            return ms / 1000

        times = [run() for _ in range(3)]
        codes = pg.psql(query).splitlines()
        return min(times), [c or None for c in codes]


def reimport(n: int) -> tuple[float, int, int]:
    """Seconds for `areas import` of the CBS buurten with n stored signals, and counts.
    The signals are stored as the product stores them: creates through the signal service."""
    from geo.boundaries import read_boundaries
    from server.areas.importer import import_boundaries
    from server.areas.store import AreaCatalog
    from server.bootstrap import open_database
    from server.settings import Settings
    from server.signals.models import Location, SignalCreate
    from server.signals.service import Mutation, SignalService
    from server.users.models import User

    tmp = Path(tempfile.mkdtemp(prefix="gr-bench-"))
    db = open_database(Settings(db_path=tmp / "bench.db")).db
    service = SignalService(db, AreaCatalog(db))
    author = User(username="bench", role="gebiedsregisseur")
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(52.62, 52.84, n), rng.uniform(5.60, 5.98, n)
    observed = datetime(2026, 11, 28, 10, tzinfo=UTC)
    for start in range(0, n, 1000):
        batch = [Mutation("create", str(uuid.UUID(int=i + 1)), SignalCreate(
            category="jeugd", description="bench", source="inwoner", observed_at=observed,
            location=Location(lat=float(lats[i]), lon=float(lons[i]), accuracy_m=10.0)))
            for i in range(start, min(start + 1000, n))]
        with service.writing() as w:
            w.apply_batch(author, batch)
    gpkg = tmp / "cbs.gpkg"
    for layer in ("wijken", "buurten"):
        gpd.read_file(CBS_GEO / f"noordoostpolder_{layer}.geojson").to_crs(28992).to_file(
            gpkg, layer=layer, driver="GPKG", engine="pyogrio")
    t = time.perf_counter()
    report = import_boundaries(service, read_boundaries(gpkg, ["GM0171"]))
    seconds = time.perf_counter() - t
    db.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return seconds, report.signals_checked, report.signals_changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--signals", type=int, default=1_000_000)
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()

    areas, label = polygons()
    verts = [shapely.get_num_coordinates(a.geometry) for a in areas]
    lo, hi = np.array([a.geometry.bounds for a in areas])[:, :2].min(0), \
        np.array([a.geometry.bounds for a in areas])[:, 2:].max(0)
    rng = np.random.default_rng(171)
    lons, lats = rng.uniform(lo[0], hi[0], args.points), rng.uniform(lo[1], hi[1], args.points)
    print(f"polygons: {len(areas)} ({label}), vertices per polygon: median {int(np.median(verts))},"
          f" max {max(verts)}; points: {args.points:,}")

    t_ours, found = ours(areas, lats, lons)
    codes = [a.code if a else None for a in found]
    rows = [("Gebiedsradar (shapely 2 STRtree)", t_ours)]
    if not args.no_postgis:
        t_pg, pg_codes = postgis(areas, lats, lons)
        rows.append(("PostGIS 3 (GiST, ST_Intersects)", t_pg))
        same = sum(a == b for a, b in zip(codes, pg_codes, strict=True))
        print(f"answers identical for {same:,} of {len(codes):,} points")
    print(f"inside an area: {sum(c is not None for c in codes):,}")
    print("\n| engine | seconds | points/s | vs PostGIS |\n|---|---|---|---|")
    ref = rows[-1][1] if len(rows) > 1 else None
    for name, t in rows:
        ratio = f"{ref / t:.2f}×" if ref else "–"
        print(f"| {name} | {t:.3f} | {args.points / t:,.0f} | {ratio} |")

    if args.signals:
        seconds, checked, changed = reimport(args.signals)
        print(f"\nre-import of CBS wijken+buurten with {checked:,} stored signals: {seconds:.1f} s,"
              f" {changed:,} signals changed area")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
