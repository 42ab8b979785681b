"""Retention: personal data blanked 12 months after closing (not in an open kwestie),
signals purged 5 years after closing with their versions, change log and photos,
tombstones purged, a destruction record for each, and a dry run that changes nothing."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from test_audit import cli

from server import retention
from server.attachments.store import path_for
from server.audit.chain import verify
from server.privacy.blank import RETENTION_MARKER
from server.retention import months_before
from server.retention.scheduler import Periodic
from server.timeutil import now, utc_text

from conftest import signal_body

SECRET = "Meneer De Boer (Noordzijde 7) is al weken niet buiten geweest"


def photo(client, settings, name: str) -> str:
    """A stored photo (file and record), as an upload leaves it."""
    data = b"\xff\xd8\xff\xe0" + name.encode() * 20
    sha = hashlib.sha256(data).hexdigest()
    target = path_for(settings.attachments_dir, sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with client.app.state.db.transaction() as conn:
        conn.execute("INSERT INTO attachments (sha256, content_type, size, created_by, created_at)"
                     " VALUES (?, 'image/jpeg', ?, 'regisseur', ?)", (sha, len(data), utc_text(now())))
    return sha


def create(client, headers, **fields) -> dict:
    body = signal_body(description=SECRET, **fields)
    r = client.post("/api/v1/signals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def close(client, headers, signal_id: str) -> None:
    r = client.patch(f"/api/v1/signals/{signal_id}", json={"status": "afgesloten"}, headers=headers)
    assert r.status_code == 200, r.text


@pytest.fixture
def world(client, regisseur, settings):
    """Signals closed now, in the shapes the rules tell apart."""
    db = client.app.state.db
    s = {}
    s["personal"] = create(client, regisseur, contains_personal_data=True,
                           attachments=[photo(client, settings, "a")])
    s["in_kwestie"] = create(client, regisseur, contains_personal_data=True)
    s["plain"] = create(client, regisseur, attachments=[photo(client, settings, "c")])
    s["open"] = create(client, regisseur, contains_personal_data=True)
    s["deleted"] = create(client, regisseur)
    s["born_closed"] = create(client, regisseur, status="afgesloten", contains_personal_data=True)
    for key in ("personal", "in_kwestie", "plain"):
        close(client, regisseur, s[key]["id"])
    assert client.delete(f"/api/v1/signals/{s['deleted']['id']}", headers=regisseur).status_code == 204
    with db.transaction() as conn:
        conn.execute("INSERT INTO kwesties (id, title, status, created_by, created_at, updated_at)"
                     " VALUES ('k1', 'Eenzaamheid Noordzijde', 'open', 'teamleider', ?, ?)",
                     (utc_text(now()),) * 2)
        conn.execute("INSERT INTO kwestie_signals VALUES ('k1', ?, ?)",
                     (s["in_kwestie"]["id"], utc_text(now())))
    return s


def row(db, signal_id):
    return db.query_one("SELECT * FROM signals WHERE id = ?", (signal_id,))


def at(moment):
    retention.clock = lambda: moment


@pytest.fixture(autouse=True)
def restore_clock():
    yield
    retention.clock = now


def test_closing_time_is_recorded_and_cleared_on_reopening(client, regisseur, world):
    db = client.app.state.db
    assert row(db, world["personal"]["id"])["closed_at"] is not None
    assert row(db, world["born_closed"]["id"])["closed_at"] is not None
    assert row(db, world["open"]["id"])["closed_at"] is None
    client.patch(f"/api/v1/signals/{world['plain']['id']}", json={"status": "in_behandeling"},
                 headers=regisseur)
    assert row(db, world["plain"]["id"])["closed_at"] is None


def test_dry_run_counts_and_changes_nothing(client, world, settings, capsys):
    db = client.app.state.db
    at(now() + timedelta(days=13 * 31))
    before = [dict(r) for r in db.query("SELECT * FROM signals ORDER BY id")]
    audit_rows = db.query_one("SELECT count(*) FROM audit_log")[0]
    code, out, err = cli(capsys, "--db", str(settings.db_path), "retention", "run", "--dry-run")
    assert code == 0, err
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[:5]}
    assert counts == {"persoonsgegevens": 2, "signalen": 0, "tombstones": 1, "fotos": 1, "audit": 0}
    assert "nothing changed" in out
    assert [dict(r) for r in db.query("SELECT * FROM signals ORDER BY id")] == before
    assert db.query_one("SELECT count(*) FROM destruction_log")[0] == 0
    assert db.query_one("SELECT count(*) FROM audit_log")[0] == audit_rows
    assert all(path_for(settings.attachments_dir, sha).exists()
               for sha in world["personal"]["attachments"])


def test_personal_data_is_blanked_13_months_after_closing(client, regisseur, world, settings):
    db = client.app.state.db
    cursor = client.get("/api/v1/sync/pull", headers=regisseur).json()["cursor"]
    personal = world["personal"]
    [sha] = personal["attachments"]
    at(now() + timedelta(days=13 * 31))
    results = {r.rule: r.count for r in retention.run(db, settings)}
    assert results["persoonsgegevens"] == 2  # personal and born_closed; not in_kwestie, not open
    blanked = row(db, personal["id"])
    assert blanked["description"] == RETENTION_MARKER
    assert (blanked["lat"], blanked["lon"], blanked["attachments"]) == (None, None, "[]")
    assert blanked["kern_code"] == personal["kern"]["code"]  # generalised to its area
    assert blanked["version"] == personal["version"] + 2  # closed (+1), blanked (+1)
    assert db.query("SELECT * FROM signal_versions WHERE signal_id = ?", (personal["id"],)) == []
    assert not path_for(settings.attachments_dir, sha).exists()
    assert db.query_one("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)) is None
    # Kept: part of an open kwestie, still open, or without personal data.
    assert row(db, world["in_kwestie"]["id"])["description"] == SECRET
    assert row(db, world["open"]["id"])["description"] == SECRET
    assert row(db, world["plain"]["id"])["description"] == SECRET
    # Phones pull the blanked version.
    pulled = client.get("/api/v1/sync/pull", headers=regisseur, params={"cursor": cursor}).json()
    mine = [c["signal"] for c in pulled["changes"] if c.get("signal") and c["signal"]["id"] == personal["id"]]
    assert mine and mine[0]["description"] == RETENTION_MARKER and mine[0]["location"] is None
    # A second run finds nothing new.
    assert {r.rule: r.count for r in retention.run(db, settings)}["persoonsgegevens"] == 0


def test_signals_go_5_years_and_a_day_after_closing(client, regisseur, world, settings):
    db = client.app.state.db
    cursor = client.get("/api/v1/sync/pull", headers=regisseur).json()["cursor"]
    plain = world["plain"]
    [sha] = plain["attachments"]
    closed = row(db, plain["id"])["closed_at"]
    moment = now()
    at(moment.replace(year=moment.year + 5) + timedelta(days=1))
    assert closed < utc_text(months_before(retention.clock(), 60))
    results = {r.rule: r.count for r in retention.run(db, settings)}
    assert results["signalen"] == 3  # every closed signal outside the open kwestie
    gone = row(db, plain["id"])
    assert gone["deleted"] == 1 and gone["description"] == "" and gone["lat"] is None
    assert [r[0] for r in db.query("SELECT op FROM changes WHERE signal_id = ?", (plain["id"],))] \
        == ["delete"]
    assert db.query("SELECT * FROM signal_versions WHERE signal_id = ?", (plain["id"],)) == []
    assert db.query("SELECT * FROM mutations WHERE signal_id = ?", (plain["id"],)) == []
    assert not path_for(settings.attachments_dir, sha).exists()
    assert row(db, world["in_kwestie"]["id"])["description"] == SECRET  # open kwestie: kept
    assert row(db, world["open"]["id"])["description"] == SECRET
    pulled = client.get("/api/v1/sync/pull", headers=regisseur, params={"cursor": cursor}).json()
    assert plain["id"] in {c.get("deleted") for c in pulled["changes"]}
    # The tombstone of a user's delete was older than its term: gone altogether.
    assert row(db, world["deleted"]["id"]) is None
    assert db.query("SELECT * FROM changes WHERE signal_id = ?", (world["deleted"]["id"],)) == []
    # And a tombstone this run left goes after its own term.
    later = retention.clock() + timedelta(days=13 * 31)
    at(later)
    assert {r.rule: r.count for r in retention.run(db, settings)}["tombstones"] == 3
    assert row(db, plain["id"]) is None


def test_destruction_records_say_what_and_how_many_never_content(client, world, settings):
    db = client.app.state.db
    at(now() + timedelta(days=13 * 31))
    retention.run(db, settings)
    records = [dict(r) for r in db.query("SELECT * FROM destruction_log ORDER BY id")]
    assert {(r["rule"], r["kind"], r["count"]) for r in records} == {
        ("persoonsgegevens", "signaal-persoonsgegevens", 2), ("tombstones", "tombstone", 1),
        ("fotos", "foto", 1)}
    assert all(r["by"] == retention.BY and r["at"] == utc_text(retention.clock()) for r in records)
    text = json.dumps(records)
    assert SECRET not in text and not any(s["id"] in text for s in world.values())
    assert verify(db.conn).ok
    runs = db.query("SELECT * FROM audit_log WHERE action = 'retention_run'")
    assert len(runs) == 1


def test_the_audit_log_is_kept_60_months(client, world, settings):
    db = client.app.state.db
    total = db.query_one("SELECT count(*) FROM audit_log")[0]
    moment = now()
    at(moment.replace(year=moment.year + 5) + timedelta(days=1))
    results = {r.rule: r.count for r in retention.run(db, settings)}
    assert results["audit"] == total
    assert verify(db.conn).ok  # the entries of this run chain on from the anchor


def test_terms_come_from_the_environment(monkeypatch):
    from server.settings import Settings

    monkeypatch.setenv("GEBIEDSRADAR_RETAIN_PERSONAL_MONTHS", "6")
    monkeypatch.setenv("GEBIEDSRADAR_RETENTION_INTERVAL_HOURS", "0")
    s = Settings.from_env()
    assert (s.retain_personal_months, s.retain_signal_months, s.retention_interval_hours) == (6, 60, 0)
    monkeypatch.setenv("GEBIEDSRADAR_RETAIN_AUDIT_MONTHS", "-1")
    with pytest.raises(ValueError, match="GEBIEDSRADAR_RETAIN_AUDIT_MONTHS"):
        Settings.from_env()
    # Not rounded down to 0 months, which would make everything closed due at once.
    monkeypatch.setenv("GEBIEDSRADAR_RETAIN_AUDIT_MONTHS", "60")
    monkeypatch.setenv("GEBIEDSRADAR_RETAIN_SIGNAL_MONTHS", "0.5")
    with pytest.raises(ValueError, match="GEBIEDSRADAR_RETAIN_SIGNAL_MONTHS"):
        Settings.from_env()


def test_the_server_runs_retention_periodically():
    ran = threading.Event()
    calls = []

    def fn():
        calls.append(1)
        if len(calls) >= 2:
            ran.set()
        if len(calls) == 1:
            raise RuntimeError("a failed run is retried next time")

    task = Periodic(fn, every=0.02, first=0.01)
    task.start()
    assert ran.wait(5)
    task.stop()
    assert Periodic(fn, every=0).start() is None  # 0: no daily run


def test_serve_runs_retention_by_itself(settings, users):
    import dataclasses
    import time

    from litestar.testing import TestClient

    from server.app import create_app

    quick = dataclasses.replace(settings, retention_interval_hours=0.5 / 3600)  # every 0.5 s
    with TestClient(app=create_app(quick)) as client:
        db = client.app.state.db
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not db.query(
                "SELECT 1 FROM audit_log WHERE action = 'retention_run'"):
            time.sleep(0.1)
        assert db.query("SELECT username FROM audit_log WHERE action = 'retention_run'")[0][0] \
            == retention.BY


def test_months_before_keeps_the_calendar():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 60) == datetime(2021, 1, 15, tzinfo=UTC)
