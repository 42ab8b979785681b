"""Wire models for statistics."""

from __future__ import annotations

from datetime import date

import msgspec

from ..areas.models import AreaProperties


class AreaStatsProperties(AreaProperties):
    """The properties of an area (as in /areas) with its numbers for the period."""

    #: Signals in the period; null for an area not wholly within the user's areas.
    count: int | None
    #: Signals per 1,000 inhabitants; null when the inhabitants or the count are unknown.
    per_1000: float | None


class AreaStatsFeature(msgspec.Struct):
    type: str
    id: str
    properties: AreaStatsProperties
    geometry: dict


class AreaStatsCollection(msgspec.Struct):
    """GeoJSON FeatureCollection: the areas with their counts for the period."""

    type: str
    features: list[AreaStatsFeature]
    #: Signals in the period (in the user's scope) that lie in no area of this level (water,
    #: elsewhere, no location).
    outside: int


class WeekCount(msgspec.Struct):
    week_start: date
    count: int


class CategoryCount(msgspec.Struct):
    category: str
    count: int


class AreaTrend(msgspec.Struct):
    code: str
    name: str
    level: str
    weeks: list[WeekCount]
    top_categories: list[CategoryCount]
    total: int
