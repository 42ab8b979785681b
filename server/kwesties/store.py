"""Kwesties in SQLite."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from msgspec import UNSET

from ..alerts.store import visible_alert
from ..areas.store import AreaCatalog
from ..audit import audit
from ..db import Database
from ..errors import Conflict, Invalid, NotFound
from ..signals.access import log_personal_reads, scope_clause, sees_all
from ..signals.rows import to_signals
from ..timeutil import from_utc_text, now, utc_text
from ..users.models import User
from ..zgw import outbox as zgw_outbox
from ..zgw.refs import kwestie_ref
from .models import Kwestie, KwestieDetail, KwestieNoteOut, KwestieUpdate


def _summary(user: User) -> tuple[str, list]:
    """Kwesties with the number and period of the signals this user may see, and how many
    others (live, out of scope) there are; add a WHERE, then GROUP BY k.id."""
    clause, params = scope_clause(user, "s")
    shown = f"(s.deleted = 0 AND {clause})"
    return f"""
    SELECT k.*, coalesce(sum({shown}), 0) AS signal_count,
           min(CASE WHEN {shown} THEN s.observed_utc END) AS first_utc,
           max(CASE WHEN {shown} THEN s.observed_utc END) AS last_utc,
           coalesce(sum(s.deleted = 0), 0) - coalesce(sum({shown}), 0) AS hidden
    FROM kwesties k
    LEFT JOIN kwestie_signals ks ON ks.kwestie_id = k.id
    LEFT JOIN signals s ON s.id = ks.signal_id
""", [*params, *params, *params, *params]


def _kwestie(row, cls=Kwestie, **extra):
    return cls(id=row["id"], title=row["title"], description=row["description"],
               status=row["status"], alert_id=row["alert_id"], signal_count=row["signal_count"],
               first_observed=from_utc_text(row["first_utc"]) if row["first_utc"] else None,
               last_observed=from_utc_text(row["last_utc"]) if row["last_utc"] else None,
               created_by=row["created_by"], created_at=datetime.fromisoformat(row["created_at"]),
               hidden_signals=row["hidden"], outcome=row["outcome"],
               closed_at=datetime.fromisoformat(row["closed_at"]) if row["closed_at"] else None,
               **extra)


def _add_signals(conn, kwestie_id: str, signal_ids: list[str], user: User) -> None:
    clause, params = scope_clause(user)
    for sid in signal_ids:
        if conn.execute(f"SELECT 1 FROM signals WHERE id = ? AND deleted = 0 AND {clause}",
                        (sid, *params)).fetchone() is None:
            raise Invalid("signal_ids", f"signaal {sid} bestaat niet of u mag het niet zien")
        conn.execute("INSERT OR IGNORE INTO kwestie_signals (kwestie_id, signal_id, added_at)"
                     " VALUES (?, ?, ?)", (kwestie_id, sid, utc_text(now())))


def create_kwestie(db: Database, user: User, title: str, signal_ids: list[str],
                   description: str = "", alert_id: str | None = None) -> str:
    kwestie_id = str(uuid.uuid4())
    at = utc_text(now())
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
    """A kwestie of the alert's live signals the user may see (an alert with none is 404)."""
    row, shown = visible_alert(db.conn, user, alert_id)
    if row["status"] == "kwestie":
        raise Conflict("Van deze waarschuwing is al een kwestie gemaakt.")
    if shown is None:
        ids = json.loads(row["signal_ids"])
        shown = db.query(f"SELECT id FROM signals WHERE deleted = 0 AND id IN ({','.join('?' * len(ids))})",
                         ids) if ids else []
    return create_kwestie(db, user, title or row["title"], [r["id"] for r in shown], alert_id=alert_id)


def _visible_kwestie(conn, user: User, kwestie_id: str):
    """The kwestie's summary for this user, or NotFound when it does not exist or holds no
    signal the user may see (one answer for both; a beheerder or all-areas user sees all)."""
    sql, params = _summary(user)
    row = conn.execute(sql + " WHERE k.id = ? GROUP BY k.id", (*params, kwestie_id)).fetchone()
    if row is None or (not sees_all(user) and row["signal_count"] == 0):
        raise NotFound(f"Kwestie {kwestie_id} bestaat niet.")
    return row


def add_signals(db: Database, user: User, kwestie_id: str, signal_ids: list[str]) -> None:
    with db.transaction() as conn:
        _visible_kwestie(conn, user, kwestie_id)
        _add_signals(conn, kwestie_id, signal_ids, user)
        conn.execute("UPDATE kwesties SET updated_at = ? WHERE id = ?", (utc_text(now()), kwestie_id))
        # A kwestie whose zaak is made (and open): its hand-off goes again to add the new
        # signals to that zaak, which their `zaak` already shows (server/zgw).
        zgw_outbox.requeue_done(conn, "kwestie", kwestie_id, now().timestamp())
        audit(conn, user.username, "kwestie_add_signals", kwestie_id)


def update_kwestie(db: Database, user: User, kwestie_id: str, change: KwestieUpdate) -> None:
    """Rename, describe, close (with an outcome) or reopen a kwestie the user may see."""
    with db.transaction() as conn:
        row = _visible_kwestie(conn, user, kwestie_id)
        title = row["title"] if change.title is UNSET else change.title
        description = row["description"] if change.description is UNSET else change.description
        outcome = row["outcome"] if change.outcome is UNSET else (change.outcome or "").strip() or None
        status = row["status"] if change.status is UNSET else change.status
        closed_at = row["closed_at"]
        if status == "gesloten":
            if outcome is None:
                raise Invalid("outcome", "vul in wat de uitkomst is",
                              "Een kwestie sluit je met een uitkomst: vul in wat eruit kwam.")
            closed_at = closed_at or utc_text(now())
        else:
            closed_at = None
        conn.execute("UPDATE kwesties SET title = ?, description = ?, status = ?, outcome = ?,"
                     " closed_at = ?, updated_at = ? WHERE id = ?",
                     (title, description, status, outcome, closed_at, utc_text(now()), kwestie_id))
        action = {"gesloten": "kwestie_close", "open": "kwestie_reopen"}.get(
            status if status != row["status"] else "", "kwestie_update")
        audit(conn, user.username, action, kwestie_id)


def remove_signal(db: Database, user: User, kwestie_id: str, signal_id: str) -> None:
    """Take a signal the user may see out of the kwestie; NotFound when it is not in it."""
    with db.transaction() as conn:
        _visible_kwestie(conn, user, kwestie_id)
        clause, params = scope_clause(user, "s")
        gone = conn.execute(
            "DELETE FROM kwestie_signals WHERE kwestie_id = ? AND signal_id = ? AND signal_id IN"
            f" (SELECT s.id FROM signals s WHERE s.id = ? AND s.deleted = 0 AND {clause})",
            (kwestie_id, signal_id, signal_id, *params)).rowcount
        if not gone:
            raise NotFound(f"Signaal {signal_id} hoort niet bij deze kwestie of u mag het niet zien.")
        conn.execute("UPDATE kwesties SET updated_at = ? WHERE id = ?", (utc_text(now()), kwestie_id))
        audit(conn, user.username, "kwestie_remove_signal", kwestie_id)


def add_note(db: Database, user: User, kwestie_id: str, text: str) -> KwestieNoteOut:
    """A short update on the kwestie's course, by this user, now."""
    at = utc_text(now())
    with db.transaction() as conn:
        _visible_kwestie(conn, user, kwestie_id)
        conn.execute("INSERT INTO kwestie_updates (kwestie_id, at, by, text) VALUES (?, ?, ?, ?)",
                     (kwestie_id, at, user.username, text))
        conn.execute("UPDATE kwesties SET updated_at = ? WHERE id = ?", (at, kwestie_id))
        audit(conn, user.username, "kwestie_note", kwestie_id)
    return KwestieNoteOut(at=datetime.fromisoformat(at), by=user.username, text=text)


def note_and_close(conn, username: str, kwestie_id: str, text: str, outcome: str) -> None:
    """An update by a system user (the case system closed the kwestie's zaak, server/zgw) and
    the kwestie closed with `outcome` when still open, inside the caller's transaction."""
    at = utc_text(now())
    conn.execute("INSERT INTO kwestie_updates (kwestie_id, at, by, text) VALUES (?, ?, ?, ?)",
                 (kwestie_id, at, username, text))
    closed = conn.execute("UPDATE kwesties SET status = 'gesloten', outcome = coalesce(outcome, ?),"
                          " closed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'",
                          (outcome, at, at, kwestie_id)).rowcount
    conn.execute("UPDATE kwesties SET updated_at = ? WHERE id = ?", (at, kwestie_id))
    audit(conn, username, "kwestie_close" if closed else "kwestie_note", kwestie_id)


def _notes(db: Database, kwestie_id: str) -> list[KwestieNoteOut]:
    return [KwestieNoteOut(at=datetime.fromisoformat(r["at"]), by=r["by"], text=r["text"])
            for r in db.query("SELECT at, by, text FROM kwestie_updates WHERE kwestie_id = ?"
                              " ORDER BY at, id", (kwestie_id,))]


def list_kwesties(db: Database, user: User) -> list[Kwestie]:
    """Kwesties newest first; a user bound to areas sees those with a signal in their scope."""
    sql, params = _summary(user)
    having = "" if sees_all(user) else " HAVING signal_count > 0"
    return [_kwestie(r) for r in db.query(sql + f" GROUP BY k.id{having} ORDER BY k.updated_at DESC",
                                          params)]


def get_kwestie(db: Database, catalog: AreaCatalog, kwestie_id: str, user: User) -> KwestieDetail:
    row = _visible_kwestie(db.conn, user, kwestie_id)
    clause, params = scope_clause(user, "s")
    signals = db.query("SELECT s.* FROM kwestie_signals ks JOIN signals s ON s.id = ks.signal_id"
                       f" WHERE ks.kwestie_id = ? AND s.deleted = 0 AND {clause}"
                       " ORDER BY s.observed_utc", (kwestie_id, *params))
    log_personal_reads(db, user, signals)
    return _kwestie(row, KwestieDetail, timeline=to_signals(db.conn, signals, catalog),
                    updates=_notes(db, kwestie_id), zaak=kwestie_ref(db.conn, kwestie_id))
