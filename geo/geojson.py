"""GeoJSON (RFC 7946) in and out for areas."""

from __future__ import annotations

import json
from typing import Any

import shapely

from .areas import Area


def geometry_to_geojson(geometry: shapely.Geometry) -> dict[str, Any]:
    return json.loads(shapely.to_geojson(geometry))


def geometry_from_geojson(geometry: dict[str, Any] | str) -> shapely.Geometry:
    return shapely.from_geojson(geometry if isinstance(geometry, str) else json.dumps(geometry))


def area_to_feature(area: Area) -> dict[str, Any]:
    """A Feature with the properties the API promises."""
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "inhabitants": area.inhabitants,
            "parent_code": area.parent_code,
            "municipality": area.municipality,
        },
        "geometry": geometry_to_geojson(area.geometry),
    }
