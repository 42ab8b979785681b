"""Point → areas, for one point or many at once (shapely 2 STRtree per level)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely

from .areas import LEVELS, Area


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
