"""Backup and restore with SQLite's online backup API; a restore starts a new epoch."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .db import Database, connect
from .migrations import migrate
from .sync.epoch import new_epoch


def backup_database(db: Database, target: Path) -> int:
    """Copy a live database consistently to `target` (mode 600); returns the number of pages."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Created private before a byte is copied: a backup holds everything residents told us.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(target, 0o600)  # whatever the umask
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
        pages = dest.execute("PRAGMA page_count").fetchone()[0]
    except BaseException:
        dest.close()
        target.unlink(missing_ok=True)  # no half-written backup left to be mistaken for one
        raise
    dest.close()
    return pages


def restore_database(source: Path, db_path: Path) -> str:
    """Overwrite `db_path` with the backup `source`; returns the new server epoch."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise ValueError(f"{source} is not a sound SQLite database")
        dest = connect(db_path)
        try:
            src.backup(dest)  # page by page, through the destination's WAL: crash-safe
        finally:
            dest.close()
    finally:
        src.close()
    db = Database(db_path)
    try:
        migrate(db)  # a backup from an older version is brought up to date
        with db.transaction() as conn:
            return new_epoch(conn)
    finally:
        db.close()
