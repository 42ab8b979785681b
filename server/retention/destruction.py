"""The destruction record (Archiefwet): what kind of record, how many, when, by which rule
and by whom; never the content or the ids of what was destroyed."""

from __future__ import annotations

import sqlite3


def record_destruction(conn: sqlite3.Connection, kind: str, rule: str, count: int, by: str,
                       at: str) -> None:
    """One entry for `count` records of `kind` destroyed under `rule` (none: nothing written)."""
    if count:
        conn.execute("INSERT INTO destruction_log (at, kind, rule, count, by) VALUES (?, ?, ?, ?, ?)",
                     (at, kind, rule, count, by))
