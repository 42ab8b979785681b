"""Backup and restore with SQLite's online backup API; a restore starts a new epoch.

A restore first makes sure the file is a sound Gebiedsradar database of this version
or an older one, and that no server serves the target (`db_lock.py`); only then is
anything replaced. A refusal is a `RestoreRefused` with one line that says why.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .db import Database, connect
from .db_lock import DatabaseBusy, exclusive
from .migrations import MIGRATIONS, migrate
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


class RestoreRefused(Exception):
    """A restore that was not done, and why (one line); nothing was changed."""


#: Tables every Gebiedsradar database has had since its first version.
_OWN_TABLES = {"_migrations", "meta", "signals", "changes", "mutations"}


def check_backup(src: sqlite3.Connection, source: Path) -> None:
    """Refuse a file that is not a sound Gebiedsradar database this version can take."""
    try:
        sound = src.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        raise RestoreRefused(f"{source} is geen SQLite-database (geen Gebiedsradar-back-up);"
                             " er is niets veranderd") from None
    if not sound:
        raise RestoreRefused(f"{source} is beschadigd (SQLite quick_check faalt); er is niets"
                             " veranderd")
    if not _OWN_TABLES.issubset(tables):
        raise RestoreRefused(f"{source} is een SQLite-database, maar geen Gebiedsradar-database;"
                             " er is niets veranderd")
    known = {name for name, _ in MIGRATIONS}
    newer = sorted({r[0] for r in src.execute("SELECT name FROM _migrations")} - known)
    if newer:
        raise RestoreRefused(f"{source} komt van een nieuwere versie van Gebiedsradar"
                             f" ({', '.join(newer)}); werk eerst bij. Er is niets veranderd")


def restore_database(source: Path, db_path: Path) -> str:
    """Overwrite `db_path` with the backup `source`; returns the new server epoch.
    Raises RestoreRefused, having changed nothing, for a file that is no Gebiedsradar
    database (or is from a newer version), or while a server serves `db_path`."""
    if source.resolve() == db_path.resolve():
        raise RestoreRefused(f"{source} is de database zelf; kies een back-up")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check_backup(src, source)
        with exclusive(db_path):
            dest = connect(db_path)
            try:
                src.backup(dest)  # page by page, through the destination's WAL: crash-safe
            finally:
                dest.close()
            db = Database(db_path)
            try:
                migrate(db)  # a backup from an older version is brought up to date
                with db.transaction() as conn:
                    return new_epoch(conn)
            finally:
                db.close()
    except DatabaseBusy as e:
        raise RestoreRefused(f"{e}; er is niets veranderd") from None
    finally:
        src.close()
