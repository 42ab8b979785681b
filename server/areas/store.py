"""Areas in SQLite (geometry as GeoJSON text) and the catalog that answers lookups."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable

import msgspec
import shapely

from geo.areas import Area
from geo.assign import AreaIndex
from geo.defaults import default_areas
from geo.device import device_areas
from geo.geojson import area_to_feature

from ..db import Database
from .models import AreaRef, Located

LEVELS = ("kern", "wijk", "buurt")


def insert_areas(conn: sqlite3.Connection, areas: Iterable[Area], source: str) -> int:
    """Add areas; call inside a transaction. `source` is 'default' or 'import'."""
    rows = [
        (a.code, a.name, a.level, a.municipality, a.inhabitants, a.parent_code, int(a.water),
         source, shapely.to_geojson(a.geometry))
        for a in areas
    ]
    conn.executemany(
        "INSERT INTO areas (code, name, level, municipality, inhabitants, parent_code, water,"
        " source, geometry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("INSERT INTO meta (key, value) VALUES ('areas_version', '1') ON CONFLICT(key)"
                 " DO UPDATE SET value = CAST(value AS INTEGER) + 1")
    return len(rows)


def load_areas(conn: sqlite3.Connection) -> list[Area]:
    rows = conn.execute("SELECT * FROM areas ORDER BY level, code").fetchall()
    geoms = shapely.from_geojson([r["geometry"] for r in rows]) if rows else []
    return [
        Area(code=r["code"], name=r["name"], level=r["level"], municipality=r["municipality"],
             inhabitants=r["inhabitants"], parent_code=r["parent_code"], geometry=g,
             water=bool(r["water"]))
        for r, g in zip(rows, geoms, strict=True)
    ]


def areas_version(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'areas_version'").fetchone()
    return row[0] if row else "0"


def load_default_areas(db: Database) -> int:
    """Store the bundled Noordoostpolder kernen when the table is empty."""
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM areas LIMIT 1").fetchone():
            return 0
        return insert_areas(conn, default_areas(), "default")


class AreaCatalog:
    """The areas of the database in memory: point lookup and names by code.

    An import by another process (the CLI) bumps `areas_version` in `meta`; the
    catalog notices within `check_every` seconds and reloads.
    """

    def __init__(self, db: Database, check_every: float = 2.0,
                 on_reload: Callable[[], object] | None = None):
        self._db = db  # only to reload the areas when they change
        #: Called after the areas were reloaded because another process changed them (an
        #: import re-assigns signals there: the server's early warning should look again).
        self.on_reload = on_reload
        self._lock = threading.Lock()
        self._check_every = check_every
        self._checked = 0.0
        self.version = ""
        self._device: tuple[bytes, str, str] | None = None
        self._features: tuple[str, dict[tuple[str, str], dict]] | None = None
        self.reload()

    def reload(self) -> None:
        conn = self._db.conn
        version = areas_version(conn)
        areas = load_areas(conn)
        with self._lock:
            self.areas = areas
            self.by_key = {(a.level, a.code): a for a in areas}
            self._refs = {key: AreaRef(code=a.code, name=a.name) for key, a in self.by_key.items()}
            self.index = AreaIndex(areas)
            self.version = version
            self._checked = time.monotonic()

    def fresh(self) -> AreaCatalog:
        """Reload when another process changed the areas; returns self."""
        if time.monotonic() - self._checked > self._check_every:
            self._checked = time.monotonic()
            if areas_version(self._db.conn) != self.version:
                self.reload()
                if self.on_reload is not None:
                    self.on_reload()
        return self

    def device_json(self) -> tuple[bytes, str]:
        """The simplified areas for devices as JSON, and its ETag (cached per version)."""
        with self._lock:
            cached = self._device
            if cached is None or cached[2] != self.version:
                body = msgspec.json.encode(device_areas(self.areas))
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                cached = self._device = (body, etag, self.version)
        return cached[0], cached[1]

    def features(self) -> dict[tuple[str, str], dict]:
        """GeoJSON features of all areas by (level, code), built once per areas version."""
        with self._lock:
            if self._features is None or self._features[0] != self.version:
                self._features = (self.version, {(a.level, a.code): area_to_feature(a)
                                                 for a in self.areas})
            return self._features[1]

    def ref(self, level: str, code: str | None) -> AreaRef | None:
        return self._refs.get((level, code)) if code else None

    def locate_codes(self, lat: float, lon: float) -> dict[str, str | None]:
        found = self.fresh().index.locate(lat, lon)
        return {level: (found[level].code if found.get(level) else None) for level in LEVELS}

    def locate(self, lat: float, lon: float) -> Located:
        codes = self.locate_codes(lat, lon)
        return Located(kern=self.ref("kern", codes["kern"]), wijk=self.ref("wijk", codes["wijk"]),
                       buurt=self.ref("buurt", codes["buurt"]))
