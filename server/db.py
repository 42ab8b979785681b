"""The SQLite database: connections, pragmas and transactions.

Every thread gets its own connection (SQLite connections must not be shared
across threads); writes go through `transaction()`, which takes the write
lock up front with BEGIN IMMEDIATE so two writers never deadlock on upgrade.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Per connection: enough page cache to hold the hot parts of the signal indexes
# (SQLite's default is 2 MiB), so a write touches pages in memory instead of reading them.
CACHE_KIB = 65536


def connect(path: Path | str) -> sqlite3.Connection:
    """Open one connection with the pragmas Gebiedsradar relies on."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _create_private(Path(path))
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged write survives a power cut, not just a crash.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return conn


def _create_private(path: Path) -> None:
    """Make a new database file readable by its owner only (it holds what residents told in
    confidence); SQLite gives its -wal and -shm files the same mode."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class Database:
    """A database file with one connection per thread."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Set by the server to its one writer thread (signals/group_commit.py): a write that
        # is not a request's own, such as an audit entry for a read, joins the writer's next
        # group commit instead of competing with it for the write lock.
        self.writer: Callable[[Callable[[sqlite3.Connection], Any]], Any] | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run `job` in a committed write transaction: the server's writer thread when there
        is one (answered after its COMMIT), else a transaction of this thread. Not from inside
        a write transaction of this thread: the writer would wait for its lock."""
        if self.writer is not None:
            return self.writer(job)
        with self.transaction() as conn:
            return job(conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # also when COMMIT itself failed (a deferred check, disk full)
                conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def close_thread(self) -> None:
        """Close this thread's connection (a thread that ends should call it)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            conn.close()
            self._local.conn = None

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
