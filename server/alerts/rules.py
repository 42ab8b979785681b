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

from .proximity import near_groups


@dataclass(frozen=True)
class RuleSettings:
    min_signals: int = 4
    radius_m: float = 300.0
    days: int = 14

    def __post_init__(self) -> None:
        if self.min_signals < 1 or not self.radius_m > 0 or self.days < 1:
            raise ValueError("a rule needs min_signals ≥ 1, radius_m > 0 and days ≥ 1")


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
    street's trouble is one cluster however many signals it has. The groups are found
    through a grid, not by comparing every pair (proximity.py): memory stays linear
    even when thousands of signals share one spot.
    """
    rows = [r for r in rows if r["lat"] is not None]
    if len(rows) < settings.min_signals:
        return []
    pts = to_metric(shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows]))
    xy = shapely.get_coordinates(pts)
    when = np.array([r["when"].timestamp() for r in rows])
    window = timedelta(days=settings.days).total_seconds()
    merged = near_groups(xy, when, settings.radius_m, window, settings.min_signals)
    clusters = []
    for m in merged:
        idx = sorted(m.tolist(), key=lambda k: when[k])
        lats = [rows[k]["lat"] for k in idx]
        lons = [rows[k]["lon"] for k in idx]
        clusters.append(Cluster(
            category=rows[idx[0]].get("category", ""), signal_ids=[rows[k]["id"] for k in idx],
            first=rows[idx[0]]["when"], last=rows[idx[-1]]["when"],
            centre=(float(np.mean(lats)), float(np.mean(lons))),
            bbox=(min(lons), min(lats), max(lons), max(lats))))
    return clusters
