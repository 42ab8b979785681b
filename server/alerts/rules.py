"""The rule people understand at once: at least N signals of one category within
R metres within D days.

Points are compared in RD New metres; a cluster may straddle kern borders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely

from geo.metric import to_metric


@dataclass(frozen=True)
class RuleSettings:
    min_signals: int = 4
    radius_m: float = 300.0
    days: int = 14


# Per category; categories not listed use the default. Configurable in code for now.
DEFAULT_RULES: dict[str, RuleSettings] = {}


@dataclass
class Cluster:
    category: str
    signal_ids: list[str]
    first: datetime
    last: datetime
    centre: tuple[float, float]  # lat, lon
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def find_clusters(rows: list[dict], settings: RuleSettings) -> list[Cluster]:
    """Clusters among `rows` (id, lat, lon, when: datetime) of ONE category.

    For every signal, its neighbours within R metres observed in the D days up to
    it; a group of at least N becomes a cluster. Overlapping groups merge, so one
    street's trouble is one cluster however many signals it has.
    """
    rows = [r for r in rows if r["lat"] is not None]
    if len(rows) < settings.min_signals:
        return []
    pts = to_metric(shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows]))
    xy = shapely.get_coordinates(pts)
    when = np.array([r["when"].timestamp() for r in rows])
    window = timedelta(days=settings.days).total_seconds()
    groups: list[set[int]] = []
    for i in range(len(rows)):
        near = np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1]) <= settings.radius_m
        recent = (when <= when[i]) & (when > when[i] - window)
        members = set(np.flatnonzero(near & recent).tolist())
        if len(members) >= settings.min_signals:
            groups.append(members)
    merged: list[set[int]] = []
    for g in groups:  # union of overlapping groups, transitively
        g = set(g)
        rest = []
        for m in merged:
            if m & g:
                g |= m
            else:
                rest.append(m)
        merged = [*rest, g]
    clusters = []
    for m in merged:
        idx = sorted(m, key=lambda k: when[k])
        lats = [rows[k]["lat"] for k in idx]
        lons = [rows[k]["lon"] for k in idx]
        clusters.append(Cluster(
            category=rows[idx[0]].get("category", ""), signal_ids=[rows[k]["id"] for k in idx],
            first=rows[idx[0]]["when"], last=rows[idx[-1]]["when"],
            centre=(float(np.mean(lats)), float(np.mean(lons))),
            bbox=(min(lons), min(lats), max(lons), max(lats))))
    return clusters
