"""Who is using a database file: a running server, or a restore replacing it.

`gebiedsradar serve` holds a shared advisory lock (fcntl.flock) on `<database>.lock`
for as long as it runs; `gebiedsradar restore` needs the exclusive lock on the same
file, so it refuses while any server serves that database, and a server does not
start while a restore is under way. The kernel drops the lock when the process ends,
however it ends (also on `kill -9`), so a stale lock file is harmless and is never
deleted (deleting a lock file others may hold open would let two holders in).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path


class DatabaseBusy(Exception):
    """The database is in use in a way that rules out what was asked."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def _locked(db_path: Path, mode: int, busy: str) -> Iterator[None]:
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseBusy(busy) from None
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def serving(db_path: Path) -> AbstractContextManager[None]:
    """Held by a server for its lifetime (shared: several servers may serve one file)."""
    return _locked(db_path, fcntl.LOCK_SH,
                   f"{db_path} wordt nu teruggezet (gebiedsradar restore); start de server daarna")


def exclusive(db_path: Path) -> AbstractContextManager[None]:
    """Held while the database file is replaced: only when no server serves it."""
    return _locked(db_path, fcntl.LOCK_EX,
                   f"{db_path} is in gebruik door een draaiende server (gebiedsradar serve);"
                   " stop de server eerst en zet dan terug")
