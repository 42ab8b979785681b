"""The table writer: the SQL that stores a signal's change, and nothing else decides.

Every change of a signal writes, inside the caller's transaction:
- the `signals` row (a delete keeps the id and version as a tombstone, without content);
- one `changes` entry: the commit-ordered feed sync pulls from (who, from which
  device, when, which version), and one audit entry (server/audit);
- on an update that changes client fields, a snapshot of the version it replaces
  in `signal_versions`, with who replaced it: the base a later field-level merge
  needs. A create writes no snapshot (the row is its own), nor does a change of
  areas only (its client fields are those of the next snapshot or the row).

Only `service.py` calls these; the rules (who may, what merges) live there.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from ..audit import audit, audit_many
from .rows import ALL_COLUMNS, CLIENT_COLUMNS, DERIVED_COLUMNS

_INSERT_SIGNAL = (f"INSERT INTO signals ({','.join(ALL_COLUMNS)})"
                  f" VALUES ({','.join('?' * len(ALL_COLUMNS))})")
_CHANGED = CLIENT_COLUMNS + DERIVED_COLUMNS
_UPDATE_SIGNAL = (f"UPDATE signals SET {', '.join(f'{c} = ?' for c in _CHANGED)},"
                  " version = ?, device_id = ?, updated_at = ? WHERE id = ?")
_INSERT_CHANGE = ("INSERT INTO changes (signal_id, version, op, changed_by, device_id, changed_at)"
                  " VALUES (?, ?, ?, ?, ?, ?)")
_SNAPSHOT = ("INSERT OR REPLACE INTO signal_versions (signal_id, version, data, superseded_by)"
             " VALUES (?, ?, ?, ?)")

Row = Mapping[str, Any]
_NO_COLUMNS: dict[str, Any] = dict.fromkeys(CLIENT_COLUMNS)
_ROW_VALUES = itemgetter(*ALL_COLUMNS)


def author(username: str, device: str | None) -> str:
    """Who made a change, for merges: the device when there is one, else the user."""
    return device or f"user:{username}"


def insert(conn: sqlite3.Connection, rows: Sequence[Row], username: str, device: str | None,
           at: str) -> None:
    """New signals (version 1), with one `executemany` per table."""
    conn.executemany(_INSERT_SIGNAL, [_ROW_VALUES(r) for r in rows])
    conn.executemany(_INSERT_CHANGE, [(r["id"], 1, "create", username, device, at) for r in rows])
    audit_many(conn, username, "signal_create", [r["id"] for r in rows], device=device)


def update(conn: sqlite3.Connection, pairs: Sequence[tuple[Row, Row]], username: str,
           device: str | None, at: str) -> None:
    """Store new client fields: each pair is (the stored row, the new row with version + 1).
    The replaced version is kept as a snapshot."""
    by = author(username, device)
    conn.executemany(_SNAPSHOT, [
        (old["id"], old["version"], json.dumps({c: old[c] for c in CLIENT_COLUMNS}), by)
        for old, _ in pairs])
    conn.executemany(_UPDATE_SIGNAL, [
        (*(new[c] for c in _CHANGED), new["version"], device, at, new["id"]) for _, new in pairs])
    conn.executemany(_INSERT_CHANGE, [
        (new["id"], new["version"], "update", username, device, at) for _, new in pairs])
    audit_many(conn, username, "signal_update", [new["id"] for _, new in pairs], device=device)


def update_areas(conn: sqlite3.Connection, rows: Sequence[tuple], username: str,
                 at: str) -> None:
    """New areas for signals whose client fields stay (an area import): each row is
    (id, kern, wijk, buurt, outside_areas, near_border, new version). No snapshot."""
    conn.executemany(
        "UPDATE signals SET kern_code = ?, wijk_code = ?, buurt_code = ?, outside_areas = ?,"
        " near_border = ?, version = ?, device_id = NULL, updated_at = ? WHERE id = ?",
        [(*r[1:], at, r[0]) for r in rows])
    conn.executemany(_INSERT_CHANGE, [(r[0], r[6], "update", username, None, at) for r in rows])


def tombstone(conn: sqlite3.Connection, row: Row, username: str, device: str | None,
              at: str) -> int:
    """Delete a signal's content, keep its id with a new version; returns that version."""
    version = row["version"] + 1
    # The content goes (AVG: nothing kept that is no longer needed); the id stays for sync.
    conn.execute(
        "UPDATE signals SET deleted = 1, version = ?, device_id = ?, updated_at = ?,"
        " description = '', assignment_note = NULL, attachments = '[]', lat = NULL, lon = NULL,"
        " accuracy_m = NULL WHERE id = ?", (version, device, at, row["id"]))
    conn.execute("DELETE FROM signal_versions WHERE signal_id = ?", (row["id"],))
    conn.execute(_INSERT_CHANGE, (row["id"], version, "delete", username, device, at))
    audit(conn, username, "signal_delete", row["id"], device=device)
    return version


def history(conn: sqlite3.Connection, signal_id: str,
            since_version: int) -> list[tuple[int, dict[str, Any], str]]:
    """Snapshots of the versions from `since_version` on: (version, client columns, replaced by).
    A column added after a snapshot was written (m013: assignee, …) reads as null."""
    return [(r[0], {**_NO_COLUMNS, **json.loads(r[1])}, r[2]) for r in conn.execute(
        "SELECT version, data, superseded_by FROM signal_versions"
        " WHERE signal_id = ? AND version >= ? ORDER BY version", (signal_id, since_version))]
