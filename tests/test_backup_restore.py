"""Backup with SQLite's online API; a restore starts a new epoch and clients converge."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from litestar.testing import TestClient
from test_sync import create_data, mutation, pull_all, push

from server.app import create_app

from conftest import PASSWORDS, login
from live import start_server

EXE = Path(sys.executable).with_name("gebiedsradar")


def test_restore_gives_new_epoch_and_clients_repush_and_converge(settings, users, tmp_path):
    backup = tmp_path / "backup.db"
    early, late = str(uuid.uuid4()), str(uuid.uuid4())
    m_early = mutation("create", early, create_data(), seq=1)
    m_late = mutation("create", late, create_data(), seq=2)
    with TestClient(app=create_app(settings)) as client:
        headers = login(client, "regisseur")
        push(client, headers, m_early)
        _, _, epoch_before = pull_all(client, headers)
        r = subprocess.run([str(EXE), "--db", str(settings.db_path), "backup", str(backup)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        push(client, headers, m_late)  # acknowledged after the backup was taken
        _, cursor, _ = pull_all(client, headers)
    r = subprocess.run([str(EXE), "--db", str(settings.db_path), "restore", "--yes", str(backup)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with TestClient(app=create_app(settings)) as client:
        headers = login(client, "regisseur")
        changes, _, epoch_after = pull_all(client, headers, cursor=cursor)
        assert epoch_after != epoch_before
        # The old cursor counts from the start again: the client sees the restored state.
        assert [c["signal"]["id"] for c in changes] == [early]
        # Seeing the new epoch, the client re-pushes what was not echoed; nothing is lost.
        results = push(client, headers, m_early, m_late)["results"]
        assert [r["status"] for r in results] == ["duplicate", "applied"]
        changes, _, _ = pull_all(client, headers)
        assert sorted(c["signal"]["id"] for c in changes) == sorted([early, late])


def test_backup_refuses_to_overwrite(settings, users, tmp_path):
    target = tmp_path / "b.db"
    target.write_text("keep me")
    r = subprocess.run([str(EXE), "--db", str(settings.db_path), "backup", str(target)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "already exists" in r.stderr
    assert target.read_text() == "keep me"


def _restore(db_path: Path, backup: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), "--db", str(db_path), "restore", "--yes", str(backup)],
                          capture_output=True, text=True, timeout=120)


def _fingerprint(db_path: Path) -> str:
    """The database's bytes (and its WAL's, if any): equal means nothing changed."""
    digest = hashlib.sha256()
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _refused(r: subprocess.CompletedProcess, *words: str) -> None:
    """One clear line on stderr, exit 1, no traceback."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("gebiedsradar: error: ") and "niets veranderd" in lines[0], lines
    for word in words:
        assert word in lines[0], lines


def test_restore_refuses_what_is_no_gebiedsradar_database(settings, users, tmp_path):
    """Finding 9: restoring a file that is no Gebiedsradar database printed a traceback;
    now one line and exit 1, and the database is untouched."""
    before = _fingerprint(settings.db_path)
    html = tmp_path / "backup.db"
    html.write_text("<html><body>Dit is geen database</body></html>\n" * 100)
    _refused(_restore(settings.db_path, html), "geen SQLite-database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    _refused(_restore(settings.db_path, other), "geen Gebiedsradar-database")
    newer = tmp_path / "newer.db"
    r = subprocess.run([str(EXE), "--db", str(settings.db_path), "backup", str(newer)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    _refused(_restore(settings.db_path, newer), "nieuwere versie", "m999_from_the_future")
    assert _fingerprint(settings.db_path) == before


def test_restore_refuses_while_a_server_serves_the_database(settings, users, tmp_path):
    """Finding 9: restore ran while `gebiedsradar serve` served the same file. The server
    holds a lock on `<db>.lock` while it runs; restore refuses with one line and changes
    nothing; once the server has stopped, the same restore works."""
    backup = tmp_path / "backup.db"
    r = subprocess.run([str(EXE), "--db", str(settings.db_path), "backup", str(backup)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    proc, base = start_server(settings.db_path)
    try:
        token = httpx.post(f"{base}/api/v1/auth/token", json={
            "username": "regisseur", "password": PASSWORDS["regisseur"]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        sid = str(uuid.uuid4())
        made = httpx.post(f"{base}/api/v1/signals", json={**create_data(), "id": sid},
                          headers=headers)
        assert made.status_code == 201, made.text
        epoch = httpx.get(f"{base}/api/v1/sync/pull", headers=headers).json()["server_epoch"]
        _refused(_restore(settings.db_path, backup), "draaiende server")
        # The server goes on with its data: the signal made after the backup is still there.
        assert httpx.get(f"{base}/api/v1/signals/{sid}", headers=headers).status_code == 200
        assert httpx.get(f"{base}/api/v1/sync/pull",
                         headers=headers).json()["server_epoch"] == epoch
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    r = _restore(settings.db_path, backup)
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT count(*) FROM signals WHERE id = ?", (sid,)).fetchone()[0] == 0
    db.close()


def test_no_server_starts_while_a_restore_replaces_the_database(settings, users):
    from server.db_lock import exclusive

    with exclusive(settings.db_path):  # as restore holds it while it copies
        r = subprocess.run([str(EXE), "--db", str(settings.db_path), "serve", "--port", "1"],
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "wordt nu teruggezet" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
