"""Schema migrations: recorded, and safe to run twice."""

from __future__ import annotations

from server.bootstrap import open_database
from server.db import Database
from server.migrations import MIGRATIONS, applied, migrate


def test_migrate_twice_runs_once(db_path):
    db = Database(db_path)
    first = migrate(db)
    assert first == [name for name, _ in MIGRATIONS]
    assert migrate(db) == []
    assert applied(db) == first
    tables = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "signals", "areas", "categories", "changes", "audit_log"} <= tables


def test_database_uses_wal_and_full_sync(db_path):
    db = Database(db_path)
    migrate(db)
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert db.query_one("PRAGMA synchronous")[0] == 2  # FULL


def test_open_twice_loads_defaults_once(settings):
    first = open_database(settings)
    assert first.areas_loaded == 11 and first.categories_loaded > 9
    second = open_database(settings)
    assert (second.migrations_run, second.areas_loaded, second.categories_loaded) == ([], 0, 0)
    assert second.db.query_one("SELECT count(*) FROM areas")[0] == 11


def test_failed_migration_leaves_no_trace(db_path, monkeypatch):
    db = Database(db_path)
    migrate(db)

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr("server.migrations.MIGRATIONS", [*MIGRATIONS, ("m999_broken", broken)])
    try:
        migrate(db)
    except RuntimeError:
        pass
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master")}
    assert "half_done" not in names
    assert "m999_broken" not in applied(db)
