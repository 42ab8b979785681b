"""Counting signals per area and over time (periods on `observed_at`, weeks in Dutch time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from ..areas.store import AreaCatalog
from ..db import Database
from ..signals.access import covers_area, scope_clause
from ..signals.queries import SignalFilter, filter_clause
from ..timeutil import LOCAL, from_utc_text
from ..users.models import User
from .models import (
    AreaStatsCollection,
    AreaStatsFeature,
    AreaStatsProperties,
    AreaTrend,
    CategoryCount,
    WeekCount,
)

LEVEL_COLUMN = {"kern": "kern_code", "wijk": "wijk_code", "buurt": "buurt_code"}


def _covered(catalog: AreaCatalog, user: User | None) -> Callable[[str], bool]:
    """Whether every signal of an area (by code) is in the user's scope (no user: all),
    looking up the codes above it (buurt → wijk → …) in one parent map per request."""
    if user is None:
        return lambda code: True
    parents = {a.code: a.parent_code for a in catalog.areas}

    def covered(code: str) -> bool:
        found: list[str] = []
        above: str | None = code
        while (above := parents.get(above)) and above not in found:  # type: ignore[arg-type]
            found.append(above)
        return covers_area(user, code, found)

    return covered


def area_counts(db: Database, catalog: AreaCatalog, level: str, since: datetime | None,
                until: datetime | None, category: str | None = None,
                status: str | None = None, user: User | None = None) -> AreaStatsCollection:
    """Every area of `level` with its count and rate per 1,000 inhabitants.

    With a `user`, only signals in their scope are counted (signals/access.py), and an
    area not wholly within their areas is listed with count and per_1000 null (its shape
    is public; its number is not theirs to see). Without one: the whole municipality
    (the monthly report for management)."""
    column = LEVEL_COLUMN[level]
    where, params = filter_clause(SignalFilter(category=category, status=status,
                                               since=since, until=until))
    if user is not None:
        clause, scope_params = scope_clause(user)
        where, params = f"{where} AND {clause}", [*params, *scope_params]
    # Named so the planner never falls back to a table scan: with the covering
    # per-level index a month or a year is an index-only range scan per area.
    counts = dict(db.query(
        f"SELECT {column}, count(*) FROM signals INDEXED BY signals_{level}_stats WHERE {where}"
        f" GROUP BY {column}", params))
    features = []
    catalog = catalog.fresh()
    shapes = catalog.features()
    covered = _covered(catalog, user)
    for area in catalog.areas:
        if area.level != level or area.water:
            continue
        feature = shapes[(area.level, area.code)]
        n: int | None = counts.get(area.code, 0)
        if not covered(area.code):
            n = None
        rate = round(n * 1000 / area.inhabitants, 3) if area.inhabitants and n is not None else None
        features.append(AreaStatsFeature(
            type="Feature", id=area.code, geometry=feature["geometry"],
            properties=AreaStatsProperties(**feature["properties"], count=n, per_1000=rate)))
    known = {f.id for f in features}
    outside = sum(n for code, n in counts.items() if code not in known)
    return AreaStatsCollection(type="FeatureCollection", features=features, outside=outside)


def week_start(moment: datetime) -> date:
    """Monday of the (Dutch-time) week of a moment."""
    local = moment.astimezone(LOCAL).date()
    return local - timedelta(days=local.weekday())


def area_trend(db: Database, catalog: AreaCatalog, level: str, code: str, weeks: int,
               today: date, category: str | None = None, user: User | None = None) -> AreaTrend | None:
    """Weekly counts for the last `weeks` weeks (this week included) and the top categories;
    None for an unknown area or, with a `user`, one not wholly within their areas."""
    catalog = catalog.fresh()
    area = catalog.by_key.get((level, code))
    if area is None or not _covered(catalog, user)(code):
        return None  # an area out of scope answers like an unknown one
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=LOCAL)
    where, params = filter_clause(SignalFilter(category=category, since=since))
    rows = db.query(f"SELECT observed_utc, category FROM signals WHERE {where}"
                    f" AND {LEVEL_COLUMN[level]} = ?", [*params, code])
    per_week = Counter(week_start(from_utc_text(r[0])) for r in rows)
    buckets = [first + timedelta(weeks=i) for i in range(weeks)]
    top = Counter(r[1] for r in rows).most_common(5)
    return AreaTrend(code=area.code, name=area.name, level=level,
                     weeks=[WeekCount(week_start=b, count=per_week.get(b, 0)) for b in buckets],
                     top_categories=[CategoryCount(category=c, count=n) for c, n in top],
                     total=len(rows))
