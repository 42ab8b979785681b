"""Tokens and accounts: the signing key outside the database and its backups, sessions that
end with a new password, a blocked account or a log-out."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from litestar.testing import TestClient

from server import migrations
from server.app import create_app
from server.auth.tokens import issue_token, key_path
from server.backup import backup_database
from server.db import Database
from server.settings import Settings
from server.users import accounts
from server.users.passwords import hash_password
from server.users.store import UserError, add_user

from conftest import PASSWORDS, login

ME = "/api/v1/me"


def _me(client: TestClient, headers: dict[str, str]):
    return client.get(ME, headers=headers)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _session_ended(r) -> None:
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_a_backup_holds_no_key_that_signs_tokens_for_the_live_server(client, tmp_path):
    # Before: the key was in `meta`, so every backup could mint a beheerder token.
    backup = tmp_path / "backup.db"
    backup_database(client.app.state.db, backup)
    with sqlite3.connect(backup) as conn:
        values = [v for (v,) in conn.execute("SELECT value FROM meta")]
    for value in values:
        forged = issue_token("beheerder", value, 3600) if len(value) >= 32 else None
        if forged:
            assert _me(client, _bearer(forged)).status_code == 401
    assert client.app.state.secret_key not in values


def test_backups_are_written_private(client, tmp_path):
    # Before: the backup file was world-readable (umask 022 → 0644).
    backup = tmp_path / "backup.db"
    old = os.umask(0o022)
    try:
        backup_database(client.app.state.db, backup)
    finally:
        os.umask(old)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_key_file_is_made_private_beside_the_database_and_refused_when_readable(settings, users):
    path = key_path(settings.db_path)
    assert path == settings.db_path.with_name("gebiedsradar.db.key")
    app = create_app(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == app.state.secret_key
    app.state.db.close()
    assert create_app(settings).state.secret_key == app.state.secret_key  # kept across starts
    path.chmod(0o640)
    with pytest.raises(ValueError, match="chmod 600"):
        create_app(settings)


def test_configured_key_needs_no_file(tmp_path):
    settings = Settings(db_path=tmp_path / "k.db", pwa_dist=tmp_path / "none",
                        secret_key="k" * 40)
    assert create_app(settings).state.secret_key == "k" * 40
    assert not key_path(settings.db_path).exists()


def test_a_key_left_in_an_old_database_is_dropped_not_reused(settings, monkeypatch):
    db = Database(settings.db_path)
    before = [m for m in migrations.MIGRATIONS if m[0] != "m008_accounts"]
    monkeypatch.setattr(migrations, "MIGRATIONS", before)
    migrations.migrate(db)
    with db.transaction() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?)", ("o" * 64,))
        conn.execute("INSERT INTO users (username, password_hash, role, created_at)"
                     " VALUES ('teamleider', ?, 'teamleider', '2026-01-01')",
                     (hash_password(PASSWORDS["teamleider"]),))
    monkeypatch.undo()
    db.close()
    with TestClient(app=create_app(settings)) as client:
        assert client.app.state.db.query_one("SELECT 1 FROM meta WHERE key = 'jwt_secret'") is None
        assert client.app.state.secret_key != "o" * 64
        _session_ended(_me(client, _bearer(issue_token("teamleider", "o" * 64, 3600))))
        login(client, "teamleider")


def test_a_new_password_ends_every_session_of_that_user(client):
    phone, laptop, other = login(client, "ens"), login(client, "ens"), login(client, "teamleider")
    accounts.set_password(client.app.state.db, "ens", "nieuw-en-lang-genoeg")
    _session_ended(_me(client, phone))
    _session_ended(_me(client, laptop))
    assert _me(client, other).status_code == 200
    r = client.post("/api/v1/auth/token", json={"username": "ens", "password": "nieuw-en-lang-genoeg"})
    assert _me(client, _bearer(r.json()["access_token"])).status_code == 200


def test_disable_ends_sessions_and_log_ins_and_enable_brings_back_only_log_ins(client):
    token = login(client, "ens")
    accounts.disable(client.app.state.db, "ens")
    _session_ended(_me(client, token))
    r = client.post("/api/v1/auth/token", json={"username": "ens", "password": PASSWORDS["ens"]})
    assert r.status_code == 401 and r.json()["detail"] == "Gebruikersnaam of wachtwoord klopt niet."
    accounts.enable(client.app.state.db, "ens")
    _session_ended(_me(client, token))
    assert _me(client, login(client, "ens")).status_code == 200
    with pytest.raises(UserError, match="bestaat niet"):
        accounts.disable(client.app.state.db, "niemand")
    rows = client.app.state.db.query(
        "SELECT action, object, result FROM audit_log WHERE action LIKE 'user_%' ORDER BY id")
    assert [tuple(r) for r in rows] == [("user_disable", "ens", "allowed"),
                                        ("user_enable", "ens", "allowed"),
                                        ("user_disable", "niemand", "failed")]


def test_replacing_a_user_ends_their_sessions(client):
    token = login(client, "ens")
    add_user(client.app.state.db, "ens", "ander-lang-wachtwoord", "gebiedsregisseur", ["WK017106"],
             replace=True)
    _session_ended(_me(client, token))


def test_logout_ends_only_the_token_used(client):
    phone, laptop = login(client, "regisseur"), login(client, "regisseur")
    r = client.post("/api/v1/auth/logout", headers=phone)
    assert r.status_code == 204
    _session_ended(_me(client, phone))
    _session_ended(client.post("/api/v1/auth/logout", headers=phone))
    assert _me(client, laptop).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 401
    row = client.app.state.db.query_one(
        "SELECT username, result FROM audit_log WHERE action = 'logout'")
    assert tuple(row) == ("regisseur", "allowed")


def test_weak_passwords_are_refused(settings, users):
    db = Database(settings.db_path)
    for weak, why in (("kort-ww", "te kort"), ("welkom2026!!", "voorspelbaar"),
                      ("qwerty123456", "voorspelbaar"), ("wachtwoordwachtwoord", "voorspelbaar"),
                      ("aaaaaaaaaaaa", "eentonig")):
        with pytest.raises(UserError, match=why):
            add_user(db, "nieuw", weak, "teamleider")
        with pytest.raises(UserError, match=why):
            accounts.set_password(db, "ens", weak)
    db.close()


def test_a_restore_ends_every_session_issued_before_it(settings, users, tmp_path):
    # The backup knows nothing of later log-outs, new passwords and disabled accounts: a token
    # from before the restore would come back to life with the restored generation.
    from server.backup import restore_database

    backup = tmp_path / "backup.db"
    with TestClient(app=create_app(settings)) as client:
        backup_database(client.app.state.db, backup)
        before = login(client, "regisseur")
        assert _me(client, before).status_code == 200
    restore_database(backup, settings.db_path)
    with TestClient(app=create_app(settings)) as client:
        _session_ended(_me(client, before))
        assert _me(client, login(client, "regisseur")).status_code == 200


def test_a_new_database_and_its_wal_are_private(tmp_path):
    # The database holds what residents told in confidence: not readable by other users.
    from server.db import connect

    old = os.umask(0o022)
    try:
        conn = connect(tmp_path / "new.db")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        for name in ("new.db", "new.db-wal", "new.db-shm"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
        conn.close()
    finally:
        os.umask(old)
