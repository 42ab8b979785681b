"""Reading alerts and changing their status."""

from __future__ import annotations

import json
from datetime import datetime

from ..areas.store import AreaCatalog
from ..audit import audit
from ..db import Database
from ..errors import Invalid, NotFound
from ..signals.queries import audit_personal_reads
from ..signals.rows import to_signals
from ..timeutil import now
from ..users.models import User
from .models import Acknowledge, Alert, AlertDetail


def _alert(row, catalog: AreaCatalog, kind: type[Alert] = Alert, **extra) -> Alert:
    return kind(
        id=row["id"], method=row["method"], title=row["title"], category=row["category"],
        kern=catalog.ref("kern", row["kern_code"]), observed=row["observed"],
        expected=row["expected"], score=row["score"], p_value=row["p_value"],
        signal_ids=json.loads(row["signal_ids"]), extent=json.loads(row["extent"]), why=row["why"],
        window_start=datetime.fromisoformat(row["window_start"]),
        window_end=datetime.fromisoformat(row["window_end"]), status=row["status"],
        reason=row["reason"], created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]), **extra)


def list_alerts(db: Database, catalog: AreaCatalog, user: User, status: str | None) -> list[Alert]:
    """Alerts newest first; a gebiedsregisseur with areas sees those of their areas."""
    where, params = ["1"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if (areas := _areas_of(user)) is not None:
        where.append(f"kern_code IN ({','.join('?' * len(areas))})")
        params += areas
    rows = db.query(f"SELECT * FROM alerts WHERE {' AND '.join(where)} ORDER BY updated_at DESC",
                    params)
    return [_alert(r, catalog) for r in rows]


def _areas_of(user: User) -> list[str] | None:
    """The kernen whose alerts a user sees; None: all of them."""
    return user.areas if user.role == "gebiedsregisseur" and user.areas else None


def get_alert(db: Database, catalog: AreaCatalog, user: User, alert_id: str) -> AlertDetail:
    """One alert with its signals (deleted signals left out)."""
    row = db.query_one("SELECT * FROM alerts WHERE id = ?", (alert_id,))
    areas = _areas_of(user)
    if row is None or (areas is not None and row["kern_code"] not in areas):
        raise NotFound(f"Waarschuwing {alert_id} bestaat niet.")
    ids = json.loads(row["signal_ids"])
    signals = db.query(f"SELECT * FROM signals WHERE deleted = 0 AND id IN ({','.join('?' * len(ids))})"
                       " ORDER BY observed_utc", ids) if ids else []
    audit_personal_reads(db, user, signals)
    return _alert(row, catalog, AlertDetail, signals=to_signals(db.conn, signals, catalog))


def acknowledge(db: Database, catalog: AreaCatalog, user: User, alert_id: str,
                data: Acknowledge) -> Alert:
    if data.status == "afgewezen" and not (data.reason or "").strip():
        raise Invalid("reason", "geef een reden om de waarschuwing af te wijzen")
    with db.transaction() as conn:
        row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        if row is None:
            raise NotFound(f"Waarschuwing {alert_id} bestaat niet.")
        conn.execute("UPDATE alerts SET status = ?, reason = ?, updated_at = ? WHERE id = ?",
                     (data.status, data.reason, now().isoformat(), alert_id))
        audit(conn, user.username, f"alert_{data.status}", alert_id)
        row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return _alert(row, catalog)
