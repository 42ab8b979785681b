"""Point → areas, for one point or many at once (shapely 2 STRtree per level)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely

from .areas import LEVELS, Area
from .metric import to_metric


class _LevelIndex:
    def __init__(self, areas: list[Area]):
        # Sorted by code, so the lowest tree index is the lowest code: on a shared
        # border the answer is deterministic.
        self.areas = sorted(areas, key=lambda a: a.code)
        geoms = [a.geometry for a in self.areas]
        shapely.prepare(geoms)
        self.tree = shapely.STRtree(geoms)

    def first_hits(self, points: np.ndarray) -> np.ndarray:
        """For each point the index of its (lowest-code) area, or -1."""
        result = np.full(len(points), -1, dtype=np.int64)
        if not self.areas or len(points) == 0:
            return result
        point_idx, area_idx = self.tree.query(points, predicate="intersects")
        # Reverse so that for duplicate points the smallest area index is written last.
        order = np.lexsort((-area_idx, point_idx))
        result[point_idx[order]] = area_idx[order]
        return result


class AreaIndex:
    """Find the kern, wijk and buurt of points."""

    def __init__(self, areas: Iterable[Area]):
        # Water areas are kept for maps but a signal on the water is in no area.
        areas = [a for a in areas if not a.water]
        self._levels = {lvl: _LevelIndex([a for a in areas if a.level == lvl]) for lvl in LEVELS}
        self._all = areas
        self._borders: shapely.STRtree | None = None  # built on first use: costs a projection

    def _border_tree(self) -> shapely.STRtree:
        if self._borders is None:
            lines = shapely.boundary(to_metric([a.geometry for a in self._all]))
            self._borders = shapely.STRtree(lines)
        return self._borders

    def near_border(self, lats, lons, accuracy_m) -> np.ndarray:
        """True where the accuracy circle of a point crosses an area border (any level).

        Such a point may belong to the neighbouring area; the app shows it as uncertain.
        """
        lats = np.asarray(lats, dtype=float)
        flags = np.zeros(len(lats), dtype=bool)
        radius = np.nan_to_num(np.asarray(accuracy_m, dtype=float), nan=0.0)
        todo = np.flatnonzero(radius > 0)
        if not self._all or len(todo) == 0:
            return flags
        points = to_metric(shapely.points(np.asarray(lons, dtype=float)[todo], lats[todo]))
        hits, _ = self._border_tree().query(points, predicate="dwithin", distance=radius[todo])
        flags[todo[np.unique(hits)]] = True
        return flags

    def __len__(self) -> int:
        return sum(len(i.areas) for i in self._levels.values())

    def locate(self, lat: float, lon: float) -> dict[str, Area | None]:
        """The areas containing one point (border included); None where there is none."""
        found = self.locate_many([lat], [lon])
        return {lvl: found[lvl][0] for lvl in LEVELS}

    def locate_many(self, lats: Sequence[float] | np.ndarray,
                    lons: Sequence[float] | np.ndarray) -> dict[str, list[Area | None]]:
        """The areas of many points at once, per level, in input order."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        out: dict[str, list[Area | None]] = {}
        for lvl, index in self._levels.items():
            hits = index.first_hits(points)
            out[lvl] = [index.areas[i] if i >= 0 else None for i in hits]
        return out
