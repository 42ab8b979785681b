"""Backup with SQLite's online API; a restore starts a new epoch and clients converge."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from litestar.testing import TestClient
from test_sync import create_data, mutation, pull_all, push

from server.app import create_app

from conftest import login

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
