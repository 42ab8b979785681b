"""Areas simplified for the phone: small, topology kept, same answers as the server.

Each level is simplified as a coverage (`shapely.coverage_simplify`), so
neighbouring areas keep sharing their borders: no gaps or overlaps appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely

from .areas import LEVELS, Area
from .metric import to_metric, to_wgs84

DEFAULT_TOLERANCE_M = 10.0
DECIMALS = 6  # about 0.1 m: rounding adds no visible error


def _rounded(geom: shapely.Geometry) -> Any:
    return shapely.set_precision(geom, 10 ** -DECIMALS)


def device_areas(areas: Iterable[Area], tolerance_m: float = DEFAULT_TOLERANCE_M) -> dict[str, Any]:
    """A GeoJSON FeatureCollection for offline lookup on the device.

    `tolerance_m` says how far a simplified border may lie from the real one;
    the device treats points closer than that to a border as uncertain.
    """
    areas = [a for a in areas if not a.water]
    features: list[dict[str, Any]] = []
    for level in LEVELS:
        group = sorted((a for a in areas if a.level == level), key=lambda a: a.code)
        if not group:
            continue
        metric = to_metric(np.array([a.geometry for a in group], dtype=object))
        simple = shapely.coverage_simplify(metric, tolerance_m) \
            if tolerance_m > 0 else metric
        for area, geom in zip(group, to_wgs84(simple), strict=True):
            geom = shapely.make_valid(_rounded(geom))
            features.append({
                "type": "Feature",
                "id": f"{level}:{area.code}",
                "properties": {"code": area.code, "name": area.name, "level": level,
                               "parent_code": area.parent_code},
                "geometry": shapely.geometry.mapping(geom),
            })
    return {"type": "FeatureCollection", "tolerance_m": tolerance_m, "features": features}
