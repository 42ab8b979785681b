"""The server epoch: a new one after every restore from backup."""

from __future__ import annotations

import sqlite3
import uuid


def server_epoch(conn: sqlite3.Connection) -> str:
    """The current epoch, made on first use."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'server_epoch'").fetchone()
    if row:
        return row[0]
    epoch = uuid.uuid4().hex
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('server_epoch', ?)", (epoch,))
    return conn.execute("SELECT value FROM meta WHERE key = 'server_epoch'").fetchone()[0]


def new_epoch(conn: sqlite3.Connection) -> str:
    """Start a new epoch: clients re-push what they have not seen echoed and pull from the start."""
    epoch = uuid.uuid4().hex
    conn.execute("INSERT INTO meta (key, value) VALUES ('server_epoch', ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (epoch,))
    return epoch
