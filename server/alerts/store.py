"""Reading alerts and changing their status."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from ..areas.store import AreaCatalog
from ..audit import audit
from ..db import Database
from ..errors import Invalid, NotFound
from ..signals.access import log_personal_reads, scope_clause, sees_all
from ..signals.rows import to_signals
from ..timeutil import now, utc_text
from ..users.models import User
from .models import Acknowledge, Alert, AlertDetail


def _alert(row, catalog: AreaCatalog, kind: type[Alert] = Alert, shown: list | None = None,
           **extra) -> Alert:
    """An alert as the user may see it: with `shown` (the in-scope signals, id, lat and
    lon), only those are named and framed, and the others are counted."""
    ids = json.loads(row["signal_ids"])
    extent = json.loads(row["extent"])
    hidden = 0
    if shown is not None:
        hidden = len(ids) - len(shown)
        ids = [s["id"] for s in shown]
        extent = _extent(shown)
    return kind(
        id=row["id"], method=row["method"], title=row["title"], category=row["category"],
        kern=catalog.ref("kern", row["kern_code"]), observed=row["observed"],
        expected=row["expected"], score=row["score"], p_value=row["p_value"],
        signal_ids=ids, extent=extent, why=row["why"],
        window_start=datetime.fromisoformat(row["window_start"]),
        window_end=datetime.fromisoformat(row["window_end"]), status=row["status"],
        reason=row["reason"], created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]), hidden_signals=hidden, **extra)


def _extent(rows) -> list[float]:
    located = [(r["lon"], r["lat"]) for r in rows if r["lat"] is not None]
    if not located:
        return []
    lons, lats = zip(*located, strict=True)
    return [min(lons), min(lats), max(lons), max(lats)]


def _shown(conn: sqlite3.Connection, user: User, where: str,
           params: list) -> dict[str, list[sqlite3.Row]] | None:
    """Per alert (of those matching `where`), its live signals in the user's scope, in the
    order they were observed; None when the user sees every signal (nothing to hide)."""
    if sees_all(user):
        return None
    clause, scope_params = scope_clause(user, "s")
    found: dict[str, list[sqlite3.Row]] = {}
    for r in conn.execute(
            "SELECT a.id AS alert_id, s.* FROM alerts a, json_each(a.signal_ids) j"
            f" JOIN signals s ON s.id = j.value WHERE {where} AND s.deleted = 0 AND {clause}"
            " ORDER BY s.observed_utc, s.id", (*params, *scope_params)):
        found.setdefault(r["alert_id"], []).append(r)
    return found


def list_alerts(db: Database, catalog: AreaCatalog, user: User, status: str | None) -> list[Alert]:
    """Alerts newest first; a user bound to areas sees those with a signal in their scope,
    with only those signals (the others counted)."""
    where, params = "1", []
    if status:
        where, params = "a.status = ?", [status]
    shown = _shown(db.conn, user, where, params)
    rows = db.query(f"SELECT * FROM alerts a WHERE {where} ORDER BY updated_at DESC", params)
    if shown is None:
        return [_alert(r, catalog) for r in rows]
    return [_alert(r, catalog, shown=shown[r["id"]]) for r in rows if r["id"] in shown]


def visible_alert(conn: sqlite3.Connection, user: User, alert_id: str) -> tuple[sqlite3.Row, list | None]:
    """An alert with its in-scope signals (None: the user sees all), or NotFound when it
    does not exist or has no signal the user may see (one answer for both)."""
    row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    shown = _shown(conn, user, "a.id = ?", [alert_id]) if row is not None else None
    if row is None or (shown is not None and alert_id not in shown):
        raise NotFound(f"Waarschuwing {alert_id} bestaat niet.")
    return row, shown[alert_id] if shown is not None else None


def get_alert(db: Database, catalog: AreaCatalog, user: User, alert_id: str) -> AlertDetail:
    """One alert with its signals (deleted signals and those out of scope left out)."""
    row, shown = visible_alert(db.conn, user, alert_id)
    signals = shown
    if signals is None:  # the user sees every signal: all live ones of the alert
        ids = json.loads(row["signal_ids"])
        signals = db.query(f"SELECT * FROM signals WHERE deleted = 0 AND id IN ({','.join('?' * len(ids))})"
                           " ORDER BY observed_utc", ids) if ids else []
    detail = _alert(row, catalog, AlertDetail, shown=shown, signals=to_signals(db.conn, signals, catalog))
    log_personal_reads(db, user, signals)
    return detail


def acknowledge(db: Database, catalog: AreaCatalog, user: User, alert_id: str,
                data: Acknowledge) -> Alert:
    if data.status == "afgewezen" and not (data.reason or "").strip():
        raise Invalid("reason", "geef een reden om de waarschuwing af te wijzen")
    with db.transaction() as conn:
        visible_alert(conn, user, alert_id)
        conn.execute("UPDATE alerts SET status = ?, reason = ?, updated_at = ? WHERE id = ?",
                     (data.status, data.reason, utc_text(now()), alert_id))
        audit(conn, user.username, f"alert_{data.status}", alert_id)
        row, shown = visible_alert(conn, user, alert_id)
    return _alert(row, catalog, shown=shown)
