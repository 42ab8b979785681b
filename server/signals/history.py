"""A signal's history: who changed what, when (`GET /signals/{id}/history`).

Built from what the writer records (writer.py), without storing anything more:
- the change log (`changes`): every version's op, who and when;
- the snapshots (`signal_versions`): the client fields of each version a client change
  replaced. A version without a snapshot was replaced by a change of areas only (its
  client fields are those of the next snapshot, or of the row), by a blanking of personal
  data, or its snapshots went with the content (a delete, an erasure, a retention term).

So an update's changed fields, old and new, are known while the snapshot of the version it
replaced is there; where the content was removed on purpose, the entry says who and when
with no fields (nothing removed comes back through the history).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import msgspec

from ..db import Database
from ..timeutil import stored_time
from ..users.models import User
from .access import log_personal_reads, not_found, scope_clause
from .rows import FIELD_COLUMNS

Op = Literal["create", "update", "delete"]


class FieldChange(msgspec.Struct):
    """One field of a change: its value before and after (as in a Signal; null: empty)."""

    field: str
    from_: Any = msgspec.field(name="from")
    to: Any


class HistoryEntry(msgspec.Struct):
    """One version of a signal: when, by whom, what (create, update or delete) and, for an
    update, the fields it changed (empty when they are no longer known)."""

    at: datetime
    by: str
    op: Op
    changes: list[FieldChange]


class SignalHistory(msgspec.Struct):
    """A signal's changes, oldest first."""

    items: list[HistoryEntry]


def _wire(field: str, columns: dict[str, Any]) -> Any:
    """A field's value on the wire from its columns (a missing column: null)."""
    if field == "location":
        if columns.get("lat") is None:
            return None
        return {"lat": columns["lat"], "lon": columns["lon"], "accuracy_m": columns.get("accuracy_m"),
                "method": columns.get("location_method") or "gps"}
    value = columns.get(FIELD_COLUMNS[field][0])
    if field == "attachments":
        return json.loads(value) if value else []
    if field == "contains_personal_data":
        return bool(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose columns differ between two versions, in the order of a Signal."""
    out = []
    for field, columns in FIELD_COLUMNS.items():
        if any(before.get(c) != after.get(c) for c in columns):
            out.append(FieldChange(field, _wire(field, before), _wire(field, after)))
    return out


def signal_history(db: Database, user: User, signal_id: str) -> SignalHistory:
    """The history of a signal this user may see; NotFound otherwise, as for reading it
    (a deleted signal: only a beheerder gets its history, which then holds no content)."""
    conn = db.conn
    clause, params = scope_clause(user)
    live = "" if user.role == "beheerder" else " AND deleted = 0"
    conn.execute("BEGIN")  # one snapshot for the row, its change log and its versions
    try:
        row = conn.execute(f"SELECT * FROM signals WHERE id = ?{live} AND {clause}",
                           (signal_id, *params)).fetchone()
        if row is None:
            raise not_found(signal_id)
        # The change log has no index by signal (writes stay cheap); a history is read
        # one signal at a time.
        changes = conn.execute(
            "SELECT version, op, changed_by, changed_at FROM changes WHERE signal_id = ?"
            " ORDER BY seq", (signal_id,)).fetchall()
        snapshots = {r[0]: json.loads(r[1]) for r in conn.execute(
            "SELECT version, data FROM signal_versions WHERE signal_id = ?", (signal_id,))}
    finally:
        conn.execute("COMMIT")
    # Old descriptions are content too: a signal marked as holding personal data in any
    # version shown (the mark may have been taken off since) is a logged read.
    personal = bool(row["contains_personal_data"]) or any(
        s.get("contains_personal_data") for s in snapshots.values())
    log_personal_reads(db, user, [{"id": row["id"], "deleted": row["deleted"],
                                   "contains_personal_data": personal}])
    current = None if row["deleted"] else dict(row)

    def state(version: int) -> dict[str, Any] | None:
        """The client fields of a version whose predecessor's snapshot is there: its own
        snapshot, else the next one (only areas changed in between), else the row."""
        later = [v for v in snapshots if v >= version]
        return snapshots[min(later)] if later else current

    items = []
    for version, op, by, at in changes:
        fields: list[FieldChange] = []
        if op == "update" and version - 1 in snapshots:
            after = state(version)
            if after is not None:
                fields = diff(snapshots[version - 1], after)
        items.append(HistoryEntry(at=stored_time(at), by=by, op=op, changes=fields))
    return SignalHistory(items=items)
