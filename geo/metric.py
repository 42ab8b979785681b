"""Metres: WGS84 geometries in a projected CRS for distances and buffers.

RD New (EPSG:28992), the Dutch national grid, is exact to centimetres in the
Netherlands, which is where every Gebiedsradar area lies.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

METRIC_CRS = "EPSG:28992"


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = ("EPSG:4326", METRIC_CRS) if not inverse else (METRIC_CRS, "EPSG:4326")
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(geoms):
    """WGS84 (lon, lat) → RD New metres; accepts one geometry or an array of them."""
    t = _transformer(False)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def to_wgs84(geoms):
    """RD New metres → WGS84 (lon, lat)."""
    t = _transformer(True)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
