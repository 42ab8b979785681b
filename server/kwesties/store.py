"""Kwesties in SQLite."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from ..areas.store import AreaCatalog
from ..audit import audit
from ..db import Database
from ..errors import Conflict, Invalid, NotFound
from ..signals.access import scope_clause
from ..signals.queries import audit_personal_reads
from ..signals.rows import to_signals
from ..timeutil import from_utc_text, now
from ..users.models import User
from .models import Kwestie, KwestieDetail

_SUMMARY = """
    SELECT k.*, count(s.id) AS signal_count, min(s.observed_utc) AS first_utc,
           max(s.observed_utc) AS last_utc
    FROM kwesties k
    LEFT JOIN kwestie_signals ks ON ks.kwestie_id = k.id
    LEFT JOIN signals s ON s.id = ks.signal_id AND s.deleted = 0
"""


def _kwestie(row, cls=Kwestie, **extra):
    return cls(id=row["id"], title=row["title"], description=row["description"],
               status=row["status"], alert_id=row["alert_id"], signal_count=row["signal_count"],
               first_observed=from_utc_text(row["first_utc"]) if row["first_utc"] else None,
               last_observed=from_utc_text(row["last_utc"]) if row["last_utc"] else None,
               created_by=row["created_by"], created_at=datetime.fromisoformat(row["created_at"]), **extra)


def _add_signals(conn, kwestie_id: str, signal_ids: list[str], user: User) -> None:
    clause, params = scope_clause(user)
    for sid in signal_ids:
        if conn.execute(f"SELECT 1 FROM signals WHERE id = ? AND deleted = 0 AND {clause}",
                        (sid, *params)).fetchone() is None:
            raise Invalid("signal_ids", f"signaal {sid} bestaat niet of u mag het niet zien")
        conn.execute("INSERT OR IGNORE INTO kwestie_signals (kwestie_id, signal_id, added_at)"
                     " VALUES (?, ?, ?)", (kwestie_id, sid, now().isoformat()))


def create_kwestie(db: Database, user: User, title: str, signal_ids: list[str],
                   description: str = "", alert_id: str | None = None) -> str:
    kwestie_id = str(uuid.uuid4())
    at = now().isoformat()
    with db.transaction() as conn:
        conn.execute("INSERT INTO kwesties (id, title, description, alert_id, created_by, created_at,"
                     " updated_at) VALUES (?,?,?,?,?,?,?)",
                     (kwestie_id, title, description, alert_id, user.username, at, at))
        _add_signals(conn, kwestie_id, signal_ids, user)
        if alert_id:
            conn.execute("UPDATE alerts SET status = 'kwestie', updated_at = ? WHERE id = ?", (at, alert_id))
        audit(conn, user.username, "kwestie_create", kwestie_id)
    return kwestie_id


def from_alert(db: Database, user: User, alert_id: str, title: str | None) -> str:
    row = db.query_one("SELECT title, signal_ids, status FROM alerts WHERE id = ?", (alert_id,))
    if row is None:
        raise NotFound(f"Waarschuwing {alert_id} bestaat niet.")
    if row["status"] == "kwestie":
        raise Conflict("Van deze waarschuwing is al een kwestie gemaakt.")
    live = [r[0] for r in db.query(
        f"SELECT id FROM signals WHERE deleted = 0 AND id IN ({','.join('?' * len(json.loads(row['signal_ids'])))})",
        json.loads(row["signal_ids"]))]
    return create_kwestie(db, user, title or row["title"], live, alert_id=alert_id)


def add_signals(db: Database, user: User, kwestie_id: str, signal_ids: list[str]) -> None:
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM kwesties WHERE id = ?", (kwestie_id,)).fetchone() is None:
            raise NotFound(f"Kwestie {kwestie_id} bestaat niet.")
        _add_signals(conn, kwestie_id, signal_ids, user)
        conn.execute("UPDATE kwesties SET updated_at = ? WHERE id = ?", (now().isoformat(), kwestie_id))


def list_kwesties(db: Database) -> list[Kwestie]:
    return [_kwestie(r) for r in db.query(_SUMMARY + " GROUP BY k.id ORDER BY k.updated_at DESC")]


def get_kwestie(db: Database, catalog: AreaCatalog, kwestie_id: str, user: User) -> KwestieDetail:
    row = db.query_one(_SUMMARY + " WHERE k.id = ? GROUP BY k.id", (kwestie_id,))
    if row is None:
        raise NotFound(f"Kwestie {kwestie_id} bestaat niet.")
    signals = db.query("SELECT s.* FROM kwestie_signals ks JOIN signals s ON s.id = ks.signal_id"
                       " WHERE ks.kwestie_id = ? AND s.deleted = 0 ORDER BY s.observed_utc", (kwestie_id,))
    audit_personal_reads(db, user, signals)
    return _kwestie(row, KwestieDetail, timeline=to_signals(db.conn, signals, catalog))
