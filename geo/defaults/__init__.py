"""The bundled default areas: the eleven kernen of Noordoostpolder.

A Voronoi partition of a coarse, hand-made outline of the municipality around
the kern centres, Emmeloord weighted as a town, Urk cut out. Built from
`noordoostpolder.json` (the facts with their sources); `README.md` beside this
file says how exact the result is. An import of the official CBS Wijk- en
Buurtkaart replaces these areas.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from ..areas import Area

FACTS = Path(__file__).with_name("noordoostpolder.json")
CORE_POINTS = 48  # generator points on a weighted kern's circle: borders within ~0.2 % of r
DECIMALS = 6  # about 0.1 m; keeps the stored GeoJSON small


def load_facts() -> dict[str, Any]:
    """The facts file as a fresh dict (callers may change it, e.g. compare.py)."""
    return json.loads(FACTS.read_text(encoding="utf-8"))


def land_from(facts: dict[str, Any]) -> shapely.Geometry:
    """The outline with every excluded area (Urk) cut out."""
    land = Polygon(facts["outline"]["coordinates"])
    for excluded in facts["excluded"]:
        land = land.difference(Polygon(excluded["coordinates"]))
    return _polygonal(shapely.make_valid(land))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop points and lines that clipping can leave where shapes touch."""
    polys = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _generators(kernen: list[dict], scale: float, m_per_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi sites in the local plane (x = lon·scale, y = lat) and the kern each belongs to."""
    sites, owner = [], []
    angles = np.linspace(0.0, 2 * math.pi, CORE_POINTS, endpoint=False)
    for i, kern in enumerate(kernen):
        x, y = kern["lon"] * scale, kern["lat"]
        sites.append((x, y))
        owner.append(i)
        radius = kern.get("core_radius_m", 0) / m_per_deg
        if radius > 0:
            # Sites on the circle: the nearest one is (almost) the nearest point of the
            # disc, so the merged cells form an additively weighted Voronoi diagram.
            sites.extend(zip(x + radius * np.cos(angles), y + radius * np.sin(angles), strict=True))
            owner.extend([i] * CORE_POINTS)
    return np.array(sites), np.array(owner)


def build_areas(facts: dict[str, Any]) -> list[Area]:
    """The kern areas described by `facts`, in the order of its kernen list."""
    land = land_from(facts)
    kernen = facts["kernen"]
    part = facts["partition"]
    # Degrees are not square here (1° lon ≈ 0.61° lat): partition in an equal-scale plane.
    scale = math.cos(math.radians(part["scale_latitude"]))
    to_local = lambda g: shapely.transform(g, lambda xy: xy * [scale, 1.0])  # noqa: E731
    to_lonlat = lambda g: shapely.transform(g, lambda xy: xy / [scale, 1.0])  # noqa: E731

    sites, owner = _generators(kernen, scale, part["metres_per_degree_latitude"])
    points = shapely.points(sites)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=to_local(land.envelope.buffer(0.2))))
    # Each site lies inside exactly one cell; match them by geometry, not by output order.
    site_idx, cell_idx = shapely.STRtree(cells).query(points, predicate="within")
    if len(site_idx) != len(sites):
        raise ValueError("Voronoi sites and cells do not match one to one")
    municipality = facts["municipality"]["code"]
    areas = []
    for i, kern in enumerate(kernen):
        mine = cells[cell_idx[owner[site_idx] == i]]
        cell = to_lonlat(shapely.coverage_union_all(mine))
        shape = shapely.set_precision(_polygonal(cell.intersection(land)), 10 ** -DECIMALS)
        areas.append(Area(
            code=kern["code"], name=kern["name"], level="kern", municipality=municipality,
            inhabitants=kern["inhabitants"], parent_code=municipality, geometry=_polygonal(shape),
        ))
    return areas


@lru_cache(maxsize=1)
def _default_areas() -> tuple[Area, ...]:
    return tuple(build_areas(load_facts()))


def default_areas() -> list[Area]:
    """The eleven default kern areas of Noordoostpolder (deterministic, built once)."""
    return list(_default_areas())


def default_land() -> shapely.Geometry:
    """The approximate land of the municipality: the outline with Urk cut out."""
    return land_from(load_facts())
