"""Compare the default kernen with the generalised CBS 2024 wijken (developers only).

Run from the repository root with `../shared/geo` beside it:

    .venv/bin/python -m geo.defaults.compare [../shared/geo]

Prints per kern the intersection-over-union with the CBS wijk of the same code
(computed in RD New, EPSG:28992) and how much of the CBS land the outline covers.
The package never imports this module.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd

from . import default_areas, default_land


def compare(shared_geo: Path) -> list[tuple[str, str, float, float, float]]:
    """Rows of (code, name, IoU, default km2, CBS km2)."""
    wijken = gpd.read_file(shared_geo / "noordoostpolder_wijken.geojson").to_crs(28992)
    by_code = dict(zip(wijken["wijkcode"], wijken.geometry))
    areas = default_areas()
    ours = gpd.GeoSeries([a.geometry for a in areas], crs=4326).to_crs(28992)
    rows = []
    for area, geom in zip(areas, ours):
        cbs = by_code[area.code]
        iou = geom.intersection(cbs).area / geom.union(cbs).area
        rows.append((area.code, area.name, iou, geom.area / 1e6, cbs.area / 1e6))
    return rows


def coverage(shared_geo: Path) -> tuple[float, float]:
    """(share of CBS land inside our land, share of our land that is CBS land)."""
    cbs = gpd.read_file(shared_geo / "noordoostpolder_gemeente.geojson").to_crs(28992).geometry[0]
    land = gpd.GeoSeries([default_land()], crs=4326).to_crs(28992)[0]
    overlap = land.intersection(cbs).area
    return overlap / cbs.area, overlap / land.area


def main(argv: list[str]) -> None:
    shared = Path(argv[0]) if argv else Path("../shared/geo")
    print("| kern | code | IoU with CBS wijk | default km2 | CBS wijk km2 |")
    print("|---|---|---|---|---|")
    for code, name, iou, ours, cbs in compare(shared):
        print(f"| {name} | {code} | {iou:.2f} | {ours:.1f} | {cbs:.1f} |")
    covered, precise = coverage(shared)
    print(f"\nCBS land covered by the default land: {covered:.1%};"
          f" default land that is CBS land: {precise:.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
