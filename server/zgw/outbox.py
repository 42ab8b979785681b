"""The transactional outbox of hand-offs (`zaak_handoffs`, m017): one row per signal or kwestie.

A row is written in the transaction that sets the signals' status "doorgezet" (routes.py);
the worker takes rows that are due, records each finished step (`steps_done`) so a crash or
time-out resumes at the first step not done, and ends a row `done` (the zaak is complete) or
`failed` (a person must act; asking again re-queues it). Times are fixed-width UTC text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from ..timeutil import LOCAL, utc_text
from .models import MappingIn, ZaakRef

Row = Mapping[str, Any]


def at_text(t: float) -> str:
    """An epoch time as the outbox stores times."""
    return utc_text(datetime.fromtimestamp(t, UTC))


def text_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def identificatie_for(kind: str, subject_id: str, year: int) -> str:
    """The zaak's identificatie, made before the zaak so it can be looked up first:
    GR-<year>-<S|K><12 hex of the id>, 21 characters (the standard allows 40)."""
    digits = "".join(c for c in subject_id if c.isalnum())[:12].upper()
    return f"GR-{year}-{'S' if kind == 'signal' else 'K'}{digits}"


def get(conn: sqlite3.Connection, kind: str, subject_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM zaak_handoffs WHERE subject_kind = ? AND subject_id = ?",
                        (kind, subject_id)).fetchone()


def by_id(conn: sqlite3.Connection, handoff_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM zaak_handoffs WHERE id = ?", (handoff_id,)).fetchone()


def enqueue(conn: sqlite3.Connection, kind: str, subject_id: str, mapping: MappingIn,
            note: str | None, username: str, at: float) -> tuple[sqlite3.Row, bool]:
    """Queue a hand-off (in the caller's transaction); returns (row, newly queued). A row that
    exists stays as it is, except a failed one: queued again, keeping the steps done and the
    identificatie (so no second zaak), with the mapping as configured now."""
    now_text = at_text(at)
    row = get(conn, kind, subject_id)
    encoded = msgspec.json.encode(mapping).decode()
    if row is None:
        # The year as the municipality counts it: 00:30 on 1 January is the new year.
        ident = identificatie_for(kind, subject_id, datetime.fromtimestamp(at, LOCAL).year)
        conn.execute(
            "INSERT INTO zaak_handoffs (subject_kind, subject_id, state, identificatie, mapping,"
            " note, requested_by, requested_at, next_attempt_at, updated_at)"
            " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
            (kind, subject_id, ident, encoded, note, username, now_text, now_text, now_text))
        return get(conn, kind, subject_id), True  # type: ignore[return-value]
    if row["state"] != "failed":
        return row, False
    conn.execute(
        "UPDATE zaak_handoffs SET state = 'queued', error = NULL, attempts = 0, mapping = ?,"
        " note = coalesce(?, note), requested_by = ?, next_attempt_at = ?, updated_at = ?"
        " WHERE id = ?", (encoded, note, username, now_text, now_text, row["id"]))
    return by_id(conn, row["id"]), True  # type: ignore[return-value]


def mapping_of(row: Row) -> MappingIn:
    return msgspec.json.decode(row["mapping"], type=MappingIn)


def steps_of(row: Row) -> dict[str, Any]:
    return json.loads(row["steps_done"] or "{}")


#: The key in `steps_done` under which a request keeps the statuses its signals had before
#: it set them "doorgezet" (no step of the sending: the sender keeps it as it found it).
BEFORE = "before"


def remember_before(conn: sqlite3.Connection, handoff_id: int, statuses: dict[str, str]) -> None:
    """Store, with the row, the status each signal had before this request set it
    "doorgezet" (replacing what an earlier request stored: only these are put back when the
    hand-off fails)."""
    row = by_id(conn, handoff_id)
    steps = steps_of(row) if row is not None else {}
    steps[BEFORE] = statuses
    conn.execute("UPDATE zaak_handoffs SET steps_done = ? WHERE id = ?",
                 (json.dumps(steps, sort_keys=True), handoff_id))


def take_before(conn: sqlite3.Connection, handoff_id: int) -> dict[str, str]:
    """The statuses stored by `remember_before`, removed from the row (put back once)."""
    row = by_id(conn, handoff_id)
    if row is None:
        return {}
    steps = steps_of(row)
    before = steps.pop(BEFORE, None) or {}
    conn.execute("UPDATE zaak_handoffs SET steps_done = ? WHERE id = ?",
                 (json.dumps(steps, sort_keys=True), handoff_id))
    return before


#: Seconds a worker holds a row it is sending (renewed at every step): another process (the
#: CLI's `send`) leaves it alone meanwhile, and after a crash it is taken up again once past.
LEASE = 120.0


def due(conn: sqlite3.Connection, at: float, limit: int = 100) -> list[sqlite3.Row]:
    """Rows to send now: queued and due, or `sending` with a lease that ran out (a run that
    did not finish: a crash, a killed process)."""
    return conn.execute(
        "SELECT * FROM zaak_handoffs WHERE state IN ('queued', 'sending')"
        " AND coalesce(next_attempt_at, '') <= ? ORDER BY next_attempt_at, id LIMIT ?",
        (at_text(at), limit)).fetchall()


def next_due(conn: sqlite3.Connection) -> float | None:
    """When the next row is due (None: nothing queued or sending)."""
    row = conn.execute("SELECT min(coalesce(next_attempt_at, '')) FROM zaak_handoffs"
                       " WHERE state IN ('queued', 'sending')").fetchone()
    if row[0] is None:
        return None
    return 0.0 if row[0] == "" else text_time(row[0])


def claim(conn: sqlite3.Connection, handoff_id: int, at: float) -> bool:
    """Take a due row for sending (one more attempt, a lease); False when another worker has it."""
    return conn.execute(
        "UPDATE zaak_handoffs SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?,"
        " updated_at = ? WHERE id = ? AND state IN ('queued', 'sending')"
        " AND coalesce(next_attempt_at, '') <= ?",
        (at_text(at + LEASE), at_text(at), handoff_id, at_text(at))).rowcount == 1


def save_steps(conn: sqlite3.Connection, handoff_id: int, steps: dict[str, Any], at: float,
               zaak_url: str | None = None) -> None:
    """Record the steps done so far (and the zaak's URL once known); renews the lease."""
    conn.execute("UPDATE zaak_handoffs SET steps_done = ?, zaak_url = coalesce(?, zaak_url),"
                 " updated_at = ?, next_attempt_at = CASE WHEN state = 'sending' THEN ?"
                 " ELSE next_attempt_at END WHERE id = ?",
                 (json.dumps(steps, sort_keys=True), zaak_url, at_text(at), at_text(at + LEASE),
                  handoff_id))


def finish(conn: sqlite3.Connection, handoff_id: int, status: str | None, at: float) -> None:
    """The hand-off is complete; `status` (the first status) only when none was read yet: a
    zaak sent again to add a kwestie's new signals keeps the status the poller read."""
    conn.execute("UPDATE zaak_handoffs SET state = 'done', error = NULL, next_attempt_at = NULL,"
                 " zaak_status = coalesce(zaak_status, ?), updated_at = ? WHERE id = ?",
                 (status, at_text(at), handoff_id))


def missing_signals(row: Row, signal_ids: list[str]) -> list[str]:
    """The signals of a kwestie its made zaak does not hold yet (no zaakobject for them)."""
    objects = steps_of(row).get("objects", {})
    return [sid for sid in signal_ids if f"overige:{sid}".lower() not in objects]


def requeue_done(conn: sqlite3.Connection, kind: str, subject_id: str, at: float) -> bool:
    """Send a made, still open zaak's hand-off again (its steps resume: only what is missing
    is made, e.g. a signal added to the kwestie since). False when there is no such row."""
    now_text = at_text(at)
    return conn.execute(
        "UPDATE zaak_handoffs SET state = 'queued', error = NULL, attempts = 0,"
        " next_attempt_at = ?, updated_at = ? WHERE subject_kind = ? AND subject_id = ?"
        " AND state = 'done' AND closed = 0", (now_text, now_text, kind, subject_id)).rowcount == 1


def retry_later(conn: sqlite3.Connection, handoff_id: int, error: str | None, next_at: float,
                at: float) -> None:
    conn.execute("UPDATE zaak_handoffs SET state = 'queued', error = ?, next_attempt_at = ?,"
                 " updated_at = ? WHERE id = ?", (error, at_text(next_at), at_text(at), handoff_id))


def fail(conn: sqlite3.Connection, handoff_id: int, error: str, at: float) -> None:
    conn.execute("UPDATE zaak_handoffs SET state = 'failed', error = ?, next_attempt_at = NULL,"
                 " updated_at = ? WHERE id = ?", (error, at_text(at), handoff_id))


def open_zaken(conn: sqlite3.Connection, zaak_url: str | None = None) -> list[sqlite3.Row]:
    """Made zaken not yet at their eindstatus (or just the one with this URL)."""
    if zaak_url is not None:
        return conn.execute("SELECT * FROM zaak_handoffs WHERE zaak_url = ? AND state = 'done'"
                            " AND closed = 0", (zaak_url,)).fetchall()
    return conn.execute("SELECT * FROM zaak_handoffs WHERE state = 'done' AND closed = 0"
                        " ORDER BY last_polled_at IS NOT NULL, last_polled_at, id").fetchall()


def record_progress(conn: sqlite3.Connection, handoff_id: int, status: str | None,
                    result: str | None, closed: bool, at: float) -> None:
    conn.execute("UPDATE zaak_handoffs SET zaak_status = ?, zaak_result = ?, closed = ?,"
                 " last_polled_at = ?, updated_at = CASE WHEN zaak_status IS NOT ? OR"
                 " zaak_result IS NOT ? OR closed != ? THEN ? ELSE updated_at END WHERE id = ?",
                 (status, result, int(closed), at_text(at), status, result, int(closed),
                  at_text(at), handoff_id))


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per state, and how many made zaken are still open."""
    out = {s: 0 for s in ("queued", "sending", "done", "failed")}
    out.update({r[0]: r[1] for r in conn.execute(
        "SELECT state, count(*) FROM zaak_handoffs GROUP BY state")})
    out["open"] = conn.execute("SELECT count(*) FROM zaak_handoffs WHERE state = 'done'"
                               " AND closed = 0").fetchone()[0]
    return out


def weblink(template: str | None, identificatie: str | None, zaak_url: str | None) -> str | None:
    """A person's link to the zaak, from the configured template (null without one)."""
    if not template or not identificatie or not zaak_url:
        return None
    uuid = zaak_url.rstrip("/").rsplit("/", 1)[-1]
    return template.replace("{identificatie}", identificatie).replace("{uuid}", uuid)


def to_ref(row: Row, template: str | None, kwestie_id: str | None = None) -> ZaakRef:
    """A hand-off row (or a `signal_zaken` row) as the wire's `zaak`; `kwestie_id` names the
    kwestie whose zaak a signal shows."""
    keys = row.keys() if hasattr(row, "keys") else row
    url = row["zaak_url"] if "zaak_url" in keys else row["url"]
    status = row["zaak_status"] if "zaak_status" in keys else row["status"]
    result = row["zaak_result"] if "zaak_result" in keys else row["result"]
    return ZaakRef(state=row["state"], identificatie=row["identificatie"], url=url,
                   link=weblink(template, row["identificatie"], url), status=status,
                   result=result, error=row["error"],
                   requested_at=datetime.fromisoformat(row["requested_at"]),
                   updated_at=datetime.fromisoformat(row["updated_at"]), kwestie_id=kwestie_id)
