"""How close the default kernen are to the generalised CBS 2024 wijken (developers only).

Run from the repository root (the folder defaults to the copy kept for the tests):

    .venv/bin/python -m geo.defaults.compare [tests/data/cbs]

Prints the Markdown tables of `README.md`: per kern the intersection-over-union
with the CBS wijk of the same code, for the bundled areas and for plain
Voronoi (no weight for Emmeloord), then how well the outline fits the CBS land.
Areas and distances are computed in RD New (EPSG:28992). The package never
imports this module; the data it reads is not shipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..areas import Area
from . import build_areas, default_areas, default_land, load_facts

RD = 28992


def _rd(geoms: list[shapely.Geometry]) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=4326).to_crs(RD)


def _wijken(cbs_geo: Path) -> dict[str, shapely.Geometry]:
    wijken = gpd.read_file(cbs_geo / "noordoostpolder_wijken.geojson").to_crs(RD)
    return dict(zip(wijken["wijkcode"], wijken.geometry, strict=True))


def compare(cbs_geo: Path, areas: list[Area] | None = None) -> list[tuple[str, str, float, float, float]]:
    """Rows of (code, name, IoU, default km2, CBS wijk km2), default areas unless given."""
    areas = default_areas() if areas is None else areas
    cbs = _wijken(cbs_geo)
    rows = []
    for area, ours in zip(areas, _rd([a.geometry for a in areas]), strict=True):
        theirs = cbs[area.code]
        iou = ours.intersection(theirs).area / ours.union(theirs).area
        rows.append((area.code, area.name, iou, ours.area / 1e6, theirs.area / 1e6))
    return rows


def same_kern_share(cbs_geo: Path, areas: list[Area] | None = None) -> float:
    """Share of the CBS land that lies in the default kern with the same code."""
    areas = default_areas() if areas is None else areas
    cbs = _wijken(cbs_geo)
    agree = sum(ours.intersection(cbs[a.code]).area
                for a, ours in zip(areas, _rd([a.geometry for a in areas]), strict=True))
    return agree / sum(g.area for g in cbs.values())


def coverage(cbs_geo: Path) -> tuple[float, float]:
    """(share of the CBS land inside the default land, share of the default land that is CBS land)."""
    cbs = gpd.read_file(cbs_geo / "noordoostpolder_gemeente.geojson").to_crs(RD).geometry[0]
    land = _rd([default_land()])[0]
    overlap = land.intersection(cbs).area
    return overlap / cbs.area, overlap / land.area


def outline_deviation(cbs_geo: Path, step_m: float = 50.0) -> tuple[float, float, float]:
    """Distance (m) from the CBS land outline to ours: median, 90th percentile, maximum.

    Sampled every `step_m` along the largest CBS part (the detached strip outside the
    Ketelmeer dike is left out on purpose, see noordoostpolder.json).
    """
    cbs = gpd.read_file(cbs_geo / "noordoostpolder_gemeente.geojson").to_crs(RD).geometry[0]
    main = max(shapely.get_parts(cbs), key=lambda g: g.area).exterior
    ours = _rd([default_land()])[0].boundary
    samples = shapely.line_interpolate_point(main, np.arange(0.0, main.length, step_m))
    dist = shapely.distance(samples, ours)
    return float(np.median(dist)), float(np.percentile(dist, 90)), float(dist.max())


def plain_voronoi_areas() -> list[Area]:
    """The default areas without Emmeloord's weight, for comparison."""
    facts = load_facts()
    for kern in facts["kernen"]:
        kern["core_radius_m"] = 0
    return build_areas(facts)


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path("tests/data/cbs")
    plain = {code: iou for code, _, iou, _, _ in compare(folder, plain_voronoi_areas())}
    print("| kern | code | IoU with CBS wijk | IoU, plain Voronoi | default km2 | CBS wijk km2 |")
    print("|---|---|---|---|---|---|")
    for code, name, iou, ours, cbs in compare(folder):
        print(f"| {name} | {code} | {iou:.2f} | {plain[code]:.2f} | {ours:.1f} | {cbs:.1f} |")
    print(f"\nCBS land in the kern of the same code: {same_kern_share(folder):.1%}"
          f" (plain Voronoi {same_kern_share(folder, plain_voronoi_areas()):.1%})")
    covered, precise = coverage(folder)
    print(f"CBS land covered by the default land: {covered:.1%};"
          f" default land that is CBS land: {precise:.1%}")
    median, p90, worst = outline_deviation(folder)
    print(f"CBS outline to default outline: median {median:.0f} m, 90 % within {p90:.0f} m,"
          f" max {worst:.0f} m")


if __name__ == "__main__":
    main(sys.argv[1:])
