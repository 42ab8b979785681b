"""Wire models for areas."""

from __future__ import annotations

import msgspec


class AreaRef(msgspec.Struct):
    """An area as a signal refers to it."""

    code: str
    name: str


class Located(msgspec.Struct):
    """The areas a point lies in; null where it lies in none."""

    kern: AreaRef | None
    wijk: AreaRef | None
    buurt: AreaRef | None


class AreaProperties(msgspec.Struct):
    code: str
    name: str
    level: str
    inhabitants: int | None
    parent_code: str | None
    municipality: str


class AreaFeature(msgspec.Struct):
    type: str
    id: str
    properties: AreaProperties
    geometry: dict


class AreaCollection(msgspec.Struct):
    """A GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat)."""

    type: str
    features: list[AreaFeature]
