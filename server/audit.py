"""The audit trail (BIO): who did what to which object, never the content."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime


def audit(conn: sqlite3.Connection, username: str | None, action: str, obj: str | None = None) -> None:
    """Append one entry; call inside the transaction of the action it records."""
    conn.execute(
        "INSERT INTO audit_log (at, username, action, object) VALUES (?, ?, ?, ?)",
        (datetime.now(UTC).isoformat(), username, action, obj),
    )
