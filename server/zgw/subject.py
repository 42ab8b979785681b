"""A signal or kwestie read from the database as a hand-off sends it (`payload.Subject`)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from ..attachments.store import path_for
from .payload import Area, Photo, SignalFacts, Subject


def _area(conn: sqlite3.Connection, level: str, code: str | None) -> Area | None:
    if not code:
        return None
    row = conn.execute("SELECT name FROM areas WHERE level = ? AND code = ?", (level, code)).fetchone()
    return Area(code, row[0]) if row is not None else Area(code, code)


def category_label(conn: sqlite3.Connection, code: str) -> str:
    row = conn.execute("SELECT name FROM categories WHERE code = ?", (code,)).fetchone()
    return row[0] if row is not None else code


def _facts(conn: sqlite3.Connection, row: sqlite3.Row) -> SignalFacts:
    return SignalFacts(
        id=row["id"], category=row["category"], subcategory=row["subcategory"],
        category_label=category_label(conn, row["subcategory"] or row["category"]),
        description=row["description"], urgency=row["urgency"], source=row["source"],
        observed=datetime.fromisoformat(row["observed_at"]), lat=row["lat"], lon=row["lon"],
        personal=bool(row["contains_personal_data"]), created_by=row["created_by"],
        kern=_area(conn, "kern", row["kern_code"]), wijk=_area(conn, "wijk", row["wijk_code"]),
        buurt=_area(conn, "buurt", row["buurt_code"]),
        photos=json.loads(row["attachments"] or "[]"))


def kwestie_signal_rows(conn: sqlite3.Connection, kwestie_id: str) -> list[sqlite3.Row]:
    """The live signals of a kwestie, in the order they were observed."""
    return conn.execute("SELECT s.* FROM kwestie_signals ks JOIN signals s ON s.id = ks.signal_id"
                        " WHERE ks.kwestie_id = ? AND s.deleted = 0 ORDER BY s.observed_utc, s.id",
                        (kwestie_id,)).fetchall()


def load_subject(conn: sqlite3.Connection, kind: str, subject_id: str) -> Subject | None:
    """The signal or kwestie with its live signals; None when it is gone (or has none)."""
    if kind == "signal":
        row = conn.execute("SELECT * FROM signals WHERE id = ? AND deleted = 0",
                           (subject_id,)).fetchone()
        return Subject("signal", subject_id, [_facts(conn, row)]) if row is not None else None
    k = conn.execute("SELECT title, description FROM kwesties WHERE id = ?", (subject_id,)).fetchone()
    rows = kwestie_signal_rows(conn, subject_id) if k is not None else []
    if not rows:
        return None
    return Subject("kwestie", subject_id, [_facts(conn, r) for r in rows], k["title"],
                   k["description"])


def read_photo(conn: sqlite3.Connection, root: Path, sha256: str) -> Photo | None:
    """A stored photo's bytes and type; None when its bytes have not arrived (or are gone)."""
    row = conn.execute("SELECT content_type FROM attachments WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return None
    try:
        data = path_for(root, sha256).read_bytes()
    except OSError:
        return None
    return Photo(sha256, row[0], data)
