"""The area record shared by import, storage and lookup."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

LEVELS = ("kern", "wijk", "buurt")


@dataclass(frozen=True, slots=True)
class Area:
    """One kern, wijk or buurt; geometry in WGS84 with x = longitude, y = latitude."""

    code: str
    name: str
    level: str
    municipality: str
    inhabitants: int | None
    parent_code: str | None
    geometry: shapely.Geometry
    #: Water-only area (CBS `water` = "JA"): stored and drawn, never assigned to.
    water: bool = False
