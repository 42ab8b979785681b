"""Locations rounded to a grid in metres, so an exported point names no single home.

The grid is laid in RD New (EPSG:28992, the Dutch national grid, `geo/metric.py`):
a point is moved to the centre of its square cell of `grid_m` metres, then turned back
into WGS84 degrees (6 decimals, 0.1 m). Every point in a cell gets the same coordinates,
so neighbouring signals in one street share a location; the error is at most
grid_m / √2 (71 m for 100 m). Degrees alone would give cells that are not square
(a degree of longitude is 0.6 of one of latitude here).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from geo.metric import METRIC_CRS

#: Cell size when nothing else is configured (Open311 setting `location_rounding_m`).
DEFAULT_GRID_M = 100


@lru_cache(maxsize=2)
def _transformer(to_metric: bool) -> Transformer:
    src, dst = ("EPSG:4326", METRIC_CRS) if to_metric else (METRIC_CRS, "EPSG:4326")
    return Transformer.from_crs(src, dst, always_xy=True)


def round_points(lats: Sequence[float], lons: Sequence[float],
                 grid_m: float) -> tuple[list[float], list[float]]:
    """The centres of the `grid_m` cells holding each point (lat, lon in WGS84 degrees)."""
    if not len(lats):
        return [], []
    x, y = _transformer(True).transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    cx = (np.floor(np.asarray(x) / grid_m) + 0.5) * grid_m
    cy = (np.floor(np.asarray(y) / grid_m) + 0.5) * grid_m
    lon, lat = _transformer(False).transform(cx, cy)
    return np.round(np.atleast_1d(lat), 6).tolist(), np.round(np.atleast_1d(lon), 6).tolist()


def round_point(lat: float, lon: float, grid_m: float) -> tuple[float, float]:
    """One point rounded (see `round_points`)."""
    la, lo = round_points([lat], [lon], grid_m)
    return la[0], lo[0]
