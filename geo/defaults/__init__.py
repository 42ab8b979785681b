"""The bundled default areas: the eleven kernen of Noordoostpolder.

A Voronoi partition of an approximate municipality outline around the village
centres, with Urk cut out. Built from `noordoostpolder.json` (facts with their
sources); `README.md` beside this file says how exact the result is. An import
of the official CBS Wijk- en Buurtkaart replaces these areas.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Polygon

from ..areas import Area

FACTS = Path(__file__).with_name("noordoostpolder.json")


def load_facts() -> dict:
    return json.loads(FACTS.read_text(encoding="utf-8"))


def _land(facts: dict) -> shapely.Geometry:
    land = Polygon(facts["outline"]["coordinates"])
    for excluded in facts["excluded"]:
        land = land.difference(Polygon(excluded["coordinates"]))
    return shapely.make_valid(land)


@lru_cache(maxsize=1)
def _build() -> tuple[Area, ...]:
    facts = load_facts()
    land = _land(facts)
    kernen = facts["kernen"]
    centres = MultiPoint([(k["lon"], k["lat"]) for k in kernen])
    # Degrees are not square here (1° lon ≈ 0.61° lat at 52.7 N): partition in a local
    # equal-scale plane so that cell borders are true perpendicular bisectors.
    scale = 0.6057  # cos(52.7°)
    to_local = lambda g: shapely.transform(g, lambda xy: xy * [scale, 1.0])  # noqa: E731
    to_wgs84 = lambda g: shapely.transform(g, lambda xy: xy / [scale, 1.0])  # noqa: E731
    cells = shapely.voronoi_polygons(to_local(centres), extend_to=to_local(land.envelope.buffer(0.2)))
    areas = []
    for kern in kernen:
        centre = shapely.Point(kern["lon"], kern["lat"])
        cell = next(c for c in cells.geoms if c.contains(to_local(centre)))
        shape = shapely.make_valid(to_wgs84(cell).intersection(land))
        shape = shapely.set_precision(shape, 1e-6)
        areas.append(Area(
            code=kern["code"], name=kern["name"], level="kern",
            municipality=facts["municipality"]["code"], inhabitants=kern["inhabitants"],
            parent_code=facts["municipality"]["code"], geometry=shape,
        ))
    return tuple(areas)


def default_areas() -> list[Area]:
    """The eleven default kern areas of Noordoostpolder (deterministic, cached)."""
    return list(_build())


def default_land() -> shapely.Geometry:
    """The approximate land of the municipality, Urk cut out."""
    return _land(load_facts())
