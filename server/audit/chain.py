"""The audit log's hash chain: appending, verifying, and purging a prefix.

Each row stores `hash = sha256(previous hash + canonical row)`, where the canonical
row is the JSON array of its id and fields. Changing, removing or reordering a row
breaks the chain at that row (or the next), which `verify` reports. SQLite triggers
(migration m010) refuse UPDATE and DELETE of rows, except a DELETE of the prefix up
to the anchor: the retention purge first moves the anchor (`audit_anchor`: the id
and hash of the last purged row) and then deletes up to it, so what is left still
verifies, starting from the anchor's hash instead of the genesis value.

Appends read the chain's head inside the caller's write transaction (BEGIN
IMMEDIATE, or the signal writer's): SQLite serialises writers, so two never extend
the chain from the same head. Savepoints that roll back take their rows with them,
and the next append reads the head again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import msgspec

GENESIS = "0" * 64
FIELDS = ("at", "username", "action", "object", "result", "client", "device_id", "request_id")
_INSERT = (f"INSERT INTO audit_log (id, {', '.join(FIELDS)}, hash)"
           f" VALUES ({', '.join('?' * (len(FIELDS) + 2))})")


class Entry(NamedTuple):
    at: str
    username: str | None
    action: str
    object: str | None
    result: str
    client: str | None
    device_id: str | None
    request_id: str | None


_CANONICAL = msgspec.json.Encoder()


def row_hash(previous: str, row_id: int, entry: Sequence[object]) -> str:
    """sha256 of the previous hash and the row as compact UTF-8 JSON `[id, at, username, …]`
    (msgspec: the same bytes as `json.dumps(…, separators=(",", ":"), ensure_ascii=False)`,
    five times faster on the write path)."""
    return hashlib.sha256(previous.encode() + _CANONICAL.encode([row_id, *entry])).hexdigest()


def anchor(conn: sqlite3.Connection) -> tuple[int, str]:
    """The id and hash the chain continues from: the last purged row, or (0, genesis)."""
    row = conn.execute("SELECT upto_id, hash FROM audit_anchor").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The id and hash of the last row (or the anchor when the log is empty)."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else anchor(conn)


def append(conn: sqlite3.Connection, entries: Sequence[Entry]) -> None:
    """Chain and insert entries; the caller holds the write transaction."""
    last_id, previous = head(conn)
    rows = []
    for entry in entries:
        last_id += 1
        previous = row_hash(previous, last_id, entry)
        rows.append((last_id, *entry, previous))
    conn.executemany(_INSERT, rows)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `verify` found: rows checked, and the first broken row (None: intact)."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(conn: sqlite3.Connection) -> Verdict:
    """Walk the chain from the anchor; stop at the first row that does not follow."""
    expected_id, previous = anchor(conn)
    checked = 0
    for row in conn.execute(f"SELECT id, {', '.join(FIELDS)}, hash FROM audit_log ORDER BY id"):
        row_id, entry, stored = row[0], tuple(row[1:-1]), row[-1]
        expected_id += 1
        if row_id != expected_id:
            return Verdict(checked, row_id, f"rows {expected_id}..{row_id - 1} are missing")
        if row_hash(previous, row_id, entry) != stored:
            return Verdict(checked, row_id, "content or hash changed (or an earlier row did)")
        previous = stored
        checked += 1
    return Verdict(checked)


def purge_before(conn: sqlite3.Connection, cutoff: str) -> int:
    """Delete the oldest rows, up to the first one at or after `cutoff` (fixed-width UTC
    text); the anchor keeps the chain verifiable. Returns how many rows went."""
    first = conn.execute("SELECT min(id) FROM audit_log").fetchone()[0]
    if first is None:
        return 0
    keep = conn.execute("SELECT min(id) FROM audit_log WHERE at >= ?", (cutoff,)).fetchone()[0]
    last = (keep - 1) if keep is not None else conn.execute(
        "SELECT max(id) FROM audit_log").fetchone()[0]
    if last < first:
        return 0
    return purge_through(conn, last)


def count_before(conn: sqlite3.Connection, cutoff: str) -> int:
    """How many rows `purge_before` would delete."""
    first = conn.execute("SELECT min(id) FROM audit_log").fetchone()[0]
    if first is None:
        return 0
    keep = conn.execute("SELECT min(id) FROM audit_log WHERE at >= ?", (cutoff,)).fetchone()[0]
    if keep is None:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return conn.execute("SELECT count(*) FROM audit_log WHERE id < ?", (keep,)).fetchone()[0]


def purge_through(conn: sqlite3.Connection, last_id: int) -> int:
    """Move the anchor to row `last_id` and delete every row up to it."""
    row = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (last_id,)).fetchone()
    if row is None:
        raise ValueError(f"no audit row {last_id}")
    conn.execute(
        "INSERT INTO audit_anchor (one, upto_id, hash) VALUES (1, ?, ?)"
        " ON CONFLICT(one) DO UPDATE SET upto_id = excluded.upto_id, hash = excluded.hash",
        (last_id, row[0]))
    return conn.execute("DELETE FROM audit_log WHERE id <= ?", (last_id,)).rowcount


def rows_since(conn: sqlite3.Connection, since: str) -> Iterator[dict[str, object]]:
    """Entries at or after `since` (fixed-width UTC text), oldest first, with id and hash."""
    cursor = conn.execute(
        f"SELECT id, {', '.join(FIELDS)}, hash FROM audit_log WHERE at >= ? ORDER BY id", (since,))
    names = ["id", *FIELDS, "hash"]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


#: The schema (migration m010): the table, its append-only triggers and the anchor.
SCHEMA = """
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    object TEXT,
    result TEXT NOT NULL DEFAULT 'allowed' CHECK (result IN ('allowed','denied','failed')),
    client TEXT,
    device_id TEXT,
    request_id TEXT,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- The last purged row: the chain continues from its hash.
CREATE TABLE audit_anchor (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    upto_id INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > coalesce((SELECT upto_id FROM audit_anchor), 0)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only the retention purge deletes'); END;

-- The anchor only moves forward, and only onto a row as it is stored.
CREATE TRIGGER audit_anchor_insert BEFORE INSERT ON audit_anchor
WHEN NEW.hash IS NOT (SELECT hash FROM audit_log WHERE id = NEW.upto_id)
BEGIN SELECT RAISE(ABORT, 'audit anchor must be a stored row'); END;

CREATE TRIGGER audit_anchor_update BEFORE UPDATE ON audit_anchor
WHEN NEW.upto_id < OLD.upto_id
  OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE id = NEW.upto_id)
BEGIN SELECT RAISE(ABORT, 'audit anchor only moves forward onto a stored row'); END;

CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit anchor cannot be removed'); END;
"""
