"""Signals near a point (`GET /signals/nearby`): at capture, what else of the same kind was
seen around here lately, so a new signal can be marked as belonging with an earlier one.

A bounding box narrows the rows in SQL (with the other filters: live, in the user's scope,
the category, the period); the exact great-circle distance (haversine) decides in Python.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import msgspec

from ..areas.store import AreaCatalog
from ..db import Database
from ..users.models import User
from .access import log_personal_reads, scope_clause
from .models import Signal
from .queries import SignalFilter, filter_clause
from .rows import to_signals

#: Mean earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8
MAX_RADIUS_M = 5000
MAX_WEEKS = 104
LIMIT = 20


class NearbySignal(msgspec.Struct):
    """A signal near the point, with its distance in metres."""

    signal: Signal
    distance_m: float


class NearbySignals(msgspec.Struct):
    """The signals near a point, nearest first (at most 20)."""

    items: list[NearbySignal]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) in degrees around every point within `radius_m` (with a
    margin; the exact distance decides)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.01
    cos = max(math.cos(math.radians(min(89.0, abs(lat) + dlat))), 1e-6)
    dlon = min(180.0, dlat / cos)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def nearby_signals(db: Database, catalog: AreaCatalog, user: User, lat: float, lon: float, *,
                   category: str | None, radius_m: float, weeks: int, now: datetime,
                   exclude: str | None = None) -> NearbySignals:
    """Live signals this user may see within `radius_m` of the point, observed in the last
    `weeks` weeks, of `category` (category or subcategory; None: any), nearest first."""
    where, params = filter_clause(SignalFilter(category=category,
                                               since=now - timedelta(weeks=weeks)))
    scope, scope_params = scope_clause(user)
    south, north, west, east = bounding_box(lat, lon, radius_m)
    sql = (f"SELECT * FROM signals WHERE {where} AND {scope} AND lat BETWEEN ? AND ?"
           " AND lon BETWEEN ? AND ?")
    params = [*params, *scope_params, south, north, west, east]
    if exclude:
        sql += " AND id != ?"
        params.append(exclude)
    near = []
    for row in db.conn.execute(sql, params):
        d = distance_m(lat, lon, row["lat"], row["lon"])
        if d <= radius_m:
            near.append((d, row["id"], row))
    near.sort(key=lambda x: (x[0], x[1]))
    rows = [r for _, _, r in near[:LIMIT]]
    log_personal_reads(db, user, rows)
    signals = to_signals(db.conn, rows, catalog)
    return NearbySignals(items=[NearbySignal(signal=s, distance_m=round(d, 1))
                                for s, (d, _, _) in zip(signals, near, strict=False)])
