"""Schema migrations: recorded, and safe to run twice."""

from __future__ import annotations

import contextlib

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
    with contextlib.suppress(RuntimeError):
        migrate(db)
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master")}
    assert "half_done" not in names
    assert "m999_broken" not in applied(db)


def test_upgrade_keeps_sync_history_and_merges_on_it(settings, users):
    """A database from before the single write path (m005) upgrades with its idempotency
    records, snapshots and change log intact, and a stale edit still merges on them."""
    import json
    import uuid

    from litestar.testing import TestClient

    from server.app import create_app

    from conftest import login

    db = Database(settings.db_path)
    with db.transaction() as conn:  # undo m006 on the fixture's database: back to the old schema
        for name in ("audit_trail",):
            conn.execute(f"DROP VIEW {name}")
        conn.execute("DROP TABLE mutations")
        conn.execute("CREATE TABLE mutations (id TEXT PRIMARY KEY, device_id TEXT NOT NULL,"
                     " seq INTEGER NOT NULL, username TEXT NOT NULL, signal_id TEXT NOT NULL,"
                     " op TEXT NOT NULL, status TEXT NOT NULL, version INTEGER, problem TEXT,"
                     " received_at TEXT NOT NULL)")
        conn.execute("CREATE INDEX mutations_device ON mutations(device_id, seq)")
        conn.execute("ALTER TABLE signal_versions DROP COLUMN superseded_by")
        conn.execute("ALTER TABLE changes DROP COLUMN device_id")
        conn.execute("ALTER TABLE signals DROP COLUMN device_id")
        conn.execute("CREATE INDEX changes_signal ON changes(signal_id)")
        conn.execute("DELETE FROM _migrations WHERE name = 'm006_single_write_path'")
        # Old data: a signal made by device A (v1), changed by device A (v2); a rejected
        # mutation whose problem was stored rendered.
        sid, device, at = str(uuid.uuid4()), str(uuid.uuid4()), "2026-11-28T09:00:00+00:00"
        cols = {"category": "jeugd", "subcategory": None, "description": "Eerst.",
                "urgency": "normaal", "source": "inwoner", "lat": None, "lon": None,
                "accuracy_m": None, "location_method": None,
                "observed_at": "2026-11-28T10:00:00+01:00", "status": "nieuw",
                "contains_personal_data": 0, "attachments": "[]", "follow_up_date": None}
        v2 = {**cols, "description": "Daarna."}
        conn.execute(
            f"INSERT INTO signals ({','.join(v2)}, id, observed_utc, version, created_by,"
            f" created_at, updated_at) VALUES ({','.join('?' * len(v2))}, ?, ?, 2, 'regisseur',"
            " ?, ?)", (*v2.values(), sid, "2026-11-28T09:00:00.000000Z", at, at))
        for version, data in ((1, cols), (2, v2)):
            conn.execute("INSERT INTO signal_versions VALUES (?, ?, ?)", (sid, version, json.dumps(data)))
            conn.execute("INSERT INTO changes (signal_id, version, op, changed_by, changed_at)"
                         " VALUES (?, ?, ?, 'regisseur', ?)",
                         (sid, version, "create" if version == 1 else "update", at))
            conn.execute("INSERT INTO mutations VALUES (?, ?, ?, 'regisseur', ?, ?, 'applied',"
                         " ?, NULL, ?)", (str(uuid.uuid4()), device, version, sid,
                                          "create" if version == 1 else "update", version, at))
        rejected = str(uuid.uuid4())
        conn.execute("INSERT INTO mutations VALUES (?, ?, 3, 'regisseur', ?, 'update', 'rejected',"
                     " NULL, ?, ?)", (rejected, device, sid, json.dumps(
                         {"type": "x", "title": "Geen toegang", "status": 403,
                          "detail": "U mag dit signaal niet wijzigen."}), at))
    db.close()

    with TestClient(app=create_app(settings)) as client:  # opening migrates
        db = client.app.state.db
        assert "WITHOUT ROWID" in db.query_one(
            "SELECT sql FROM sqlite_master WHERE name = 'mutations'")[0]
        assert db.query_one("SELECT count(*) FROM mutations")[0] == 3
        assert [r[0] for r in db.query("SELECT superseded_by FROM signal_versions"
                                       " WHERE signal_id = ? ORDER BY version", (sid,))] \
            == [device, None]
        headers = login(client, "regisseur")

        def push(device_id, mutation):
            r = client.post("/api/v1/sync/push", headers=headers,
                            json={"device_id": device_id, "mutations": [mutation]})
            assert r.status_code == 200, r.text
            return r.json()["results"][0]

        # The old rejected mutation, retried, answers as it did.
        again = push(device, {"id": rejected, "seq": 3, "op": "update", "signal_id": sid,
                              "data": {"urgency": "hoog"}, "base_version": 1})
        assert (again["status"], again["problem"]["status"]) == ("duplicate", 403)
        # Device A edits again on its old base: its own v2 is no conflict.
        own = push(device, {"id": str(uuid.uuid4()), "seq": 4, "op": "update", "signal_id": sid,
                            "data": {"description": "Weer anders."}, "base_version": 1})
        assert own["status"] == "applied" and own["version"] == 3
        # Device B on base 1 changes the description too: a conflict, reported by field.
        other = push(str(uuid.uuid4()), {"id": str(uuid.uuid4()), "seq": 1, "op": "update",
                                         "signal_id": sid, "data": {"description": "B."},
                                         "base_version": 1})
        assert other["status"] == "conflict"
        assert [e["name"] for e in other["problem"]["errors"]] == ["description"]
        trail = db.query("SELECT action FROM audit_trail WHERE object = ?", (sid,))
        assert sorted(r[0] for r in trail) == ["signal_create", "signal_update", "signal_update",
                                               "signal_update"]
