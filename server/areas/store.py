"""Areas in SQLite (geometry as GeoJSON text) and the catalog that answers lookups."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable

import shapely

from geo.areas import Area
from geo.assign import AreaIndex
from geo.defaults import default_areas

from ..db import Database
from .models import AreaRef, Located

LEVELS = ("kern", "wijk", "buurt")


def save_areas(conn: sqlite3.Connection, areas: Iterable[Area]) -> int:
    """Replace all areas; call inside a transaction."""
    conn.execute("DELETE FROM areas")
    rows = [
        (a.code, a.name, a.level, a.municipality, a.inhabitants, a.parent_code,
         shapely.to_geojson(a.geometry))
        for a in areas
    ]
    conn.executemany(
        "INSERT INTO areas (code, name, level, municipality, inhabitants, parent_code, geometry)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def load_areas(db: Database) -> list[Area]:
    rows = db.query("SELECT * FROM areas ORDER BY level, code")
    geoms = shapely.from_geojson([r["geometry"] for r in rows]) if rows else []
    return [
        Area(code=r["code"], name=r["name"], level=r["level"], municipality=r["municipality"],
             inhabitants=r["inhabitants"], parent_code=r["parent_code"], geometry=g)
        for r, g in zip(rows, geoms)
    ]


def load_default_areas(db: Database) -> int:
    """Store the bundled Noordoostpolder kernen when the table is empty."""
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM areas LIMIT 1").fetchone():
            return 0
        return save_areas(conn, default_areas())


class AreaCatalog:
    """The areas of the database in memory: point lookup and names by code."""

    def __init__(self, db: Database):
        self._db = db
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        areas = load_areas(self._db)
        with self._lock:
            self.areas = areas
            self.by_key = {(a.level, a.code): a for a in areas}
            self.index = AreaIndex(areas)

    def ref(self, level: str, code: str | None) -> AreaRef | None:
        area = self.by_key.get((level, code)) if code else None
        return AreaRef(code=area.code, name=area.name) if area else None

    def locate_codes(self, lat: float, lon: float) -> dict[str, str | None]:
        found = self.index.locate(lat, lon)
        return {level: (found[level].code if found.get(level) else None) for level in LEVELS}

    def locate(self, lat: float, lon: float) -> Located:
        codes = self.locate_codes(lat, lon)
        return Located(kern=self.ref("kern", codes["kern"]), wijk=self.ref("wijk", codes["wijk"]),
                       buurt=self.ref("buurt", codes["buurt"]))
