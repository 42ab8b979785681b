"""Areas for the phone: small, cacheable, and the device lookup agrees with the server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import shapely

from geo.assign import AreaIndex
from geo.boundaries import read_boundaries
from geo.defaults import default_areas
from geo.device import device_areas

from conftest import REPO, write_cbs_gpkg

NODE = shutil.which("node")
SCRIPT = REPO / "pwa" / "scripts" / "locate-points.mjs"


def test_offline_endpoint_etag_and_304(client, regisseur):
    r = client.get("/api/v1/areas/offline", headers=regisseur)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["cache-control"] == "no-cache"
    etag = r.headers["etag"]
    fc = r.json()
    assert fc["tolerance_m"] == 10.0
    assert len(fc["features"]) == 11
    again = client.get("/api/v1/areas/offline", headers={**regisseur, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_coverage_simplification_keeps_topology():
    areas = [a for a in default_areas()]
    dense = [a.__class__(a.code, a.name, a.level, a.municipality, a.inhabitants, a.parent_code,
                         shapely.segmentize(a.geometry, 0.0005)) for a in areas]
    fc = device_areas(dense)
    geoms = [shapely.geometry.shape(f["geometry"]) for f in fc["features"]]
    assert all(g.is_valid for g in geoms)
    total_in = sum(shapely.get_num_coordinates(a.geometry) for a in dense)
    total_out = sum(shapely.get_num_coordinates(g) for g in geoms)
    assert total_out < total_in / 5  # the straight Voronoi edges collapse back
    # Neighbours still share their border: no slivers between them.
    union = shapely.union_all(geoms)
    assert abs(union.area - sum(g.area for g in geoms)) < 1e-9


def _agreement(areas, tmp_path: Path, n: int = 10_000):
    fc = device_areas(areas)
    size = len(json.dumps(fc))
    index = AreaIndex(areas)
    land = [a for a in areas if not a.water]
    minx, miny, maxx, maxy = shapely.union_all([a.geometry for a in land]).bounds
    rng = np.random.default_rng(2024)
    lats = rng.uniform(miny - 0.01, maxy + 0.01, n)
    lons = rng.uniform(minx - 0.01, maxx + 0.01, n)
    server = index.locate_many(lats, lons)
    assert NODE is not None, "node is not installed: the device lookup (pwa/scripts) runs on node"
    (tmp_path / "areas.json").write_text(json.dumps(fc))
    (tmp_path / "points.json").write_text(json.dumps(np.column_stack([lats, lons]).tolist()))
    out = subprocess.run([NODE, str(SCRIPT), str(tmp_path / "areas.json"),
                          str(tmp_path / "points.json")], capture_output=True, text=True,
                         timeout=300, check=True)
    device = json.loads(out.stdout)
    differ = flagged = 0
    for i, (k, w, b, near) in enumerate(device):
        expected = tuple(a.code if a else None for a in
                         (server["kern"][i], server["wijk"][i], server["buurt"][i]))
        flagged += near
        if (k, w, b) != expected:
            differ += 1
            assert near, f"point {lats[i]}, {lons[i]}: device {k, w, b} server {expected}, not flagged"
    return size, differ, flagged


def test_device_agrees_with_server_on_default_areas(tmp_path):
    size, differ, flagged = _agreement(default_areas(), tmp_path)
    assert size < 300_000
    assert flagged < 500  # only a thin band along borders is uncertain


def test_device_agrees_with_server_on_cbs_buurten(tmp_path):
    path = write_cbs_gpkg(tmp_path / "cbs.gpkg")
    areas = read_boundaries(path, ["GM0171"]).areas
    size, differ, flagged = _agreement(areas, tmp_path)
    assert size < 300_000
    assert flagged < 1500
