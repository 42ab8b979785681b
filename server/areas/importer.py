"""Importing official boundaries: replace areas and re-assign every signal, in one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from geo.assign import AreaIndex
from geo.boundaries import Boundaries

from ..db import Database
from ..timeutil import now
from .store import insert_areas, load_areas

SYSTEM_USER = "systeem:gebieden-import"


@dataclass
class ImportReport:
    municipalities: list[str]
    counts: dict[str, int]
    water: int
    kern_source: str
    replaced_defaults: bool
    signals_checked: int = 0
    signals_changed: int = 0
    changed_by_kern: dict[str, int] = field(default_factory=dict)


def reassign_signals(conn: sqlite3.Connection, index: AreaIndex) -> tuple[int, int]:
    """Derive kern/wijk/buurt again for every live signal; returns (checked, changed).

    A signal whose areas change gets a new version and a change-log entry, so
    devices pull the new assignment.
    """
    rows = conn.execute(
        "SELECT id, lat, lon, accuracy_m, kern_code, wijk_code, buurt_code, near_border, version"
        " FROM signals"
        " WHERE deleted = 0 AND lat IS NOT NULL").fetchall()
    if not rows:
        return 0, 0
    lats = np.fromiter((r["lat"] for r in rows), dtype=float, count=len(rows))
    lons = np.fromiter((r["lon"] for r in rows), dtype=float, count=len(rows))
    found = index.locate_many(lats, lons)
    accuracy = np.fromiter((r["accuracy_m"] or 0.0 for r in rows), dtype=float, count=len(rows))
    near = index.near_border(lats, lons, accuracy)
    codes = {lvl: [a.code if a else None for a in found[lvl]] for lvl in ("kern", "wijk", "buurt")}
    at = now().isoformat()
    updates, log = [], []
    for i, r in enumerate(rows):
        k, w, b = codes["kern"][i], codes["wijk"][i], codes["buurt"][i]
        if (k, w, b, int(near[i])) != (r["kern_code"], r["wijk_code"], r["buurt_code"],
                                       r["near_border"]):
            version = r["version"] + 1
            outside = int(k is None and w is None and b is None)
            updates.append((k, w, b, outside, int(near[i]), version, at, r["id"]))
            log.append((r["id"], version, "update", SYSTEM_USER, at))
    conn.executemany(
        "UPDATE signals SET kern_code = ?, wijk_code = ?, buurt_code = ?, outside_areas = ?,"
        " near_border = ?, version = ?, updated_at = ? WHERE id = ?", updates)
    conn.executemany(
        "INSERT INTO changes (signal_id, version, op, changed_by, changed_at) VALUES (?,?,?,?,?)",
        log)
    return len(rows), len(updates)


def import_boundaries(db: Database, boundaries: Boundaries) -> ImportReport:
    """Replace the areas of the imported municipalities (and the bundled defaults).

    Areas of other municipalities already imported stay, so a regional
    deployment imports one municipality at a time or all at once.
    """
    munis = boundaries.municipalities
    with db.transaction() as conn:
        had_defaults = conn.execute(
            "SELECT 1 FROM areas WHERE source = 'default' LIMIT 1").fetchone() is not None
        marks = ",".join("?" * len(munis))
        conn.execute(f"DELETE FROM areas WHERE source = 'default' OR municipality IN ({marks})",
                     munis)
        insert_areas(conn, boundaries.areas, "import")
        index = AreaIndex(load_areas(conn))
        checked, changed = reassign_signals(conn, index)
        conn.execute(
            "INSERT INTO audit_log (at, username, action, object) VALUES (?, ?, ?, ?)",
            (now().isoformat(), SYSTEM_USER, "areas_import", ",".join(munis)))
    return ImportReport(
        municipalities=munis,
        counts={lvl: boundaries.count(lvl) for lvl in ("kern", "wijk", "buurt")},
        water=sum(a.water for a in boundaries.areas),
        kern_source=boundaries.kern_source,
        replaced_defaults=had_defaults,
        signals_checked=checked,
        signals_changed=changed,
    )
