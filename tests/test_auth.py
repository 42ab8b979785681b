"""Log-in, tokens, roles and the slow-down after failed log-ins."""

from __future__ import annotations

import time

from server.auth import login as login_module
from server.auth.login import backoff_seconds
from server.auth.tokens import issue_token

from conftest import login


def test_login_returns_bearer_token_and_me(client):
    r = client.post("/api/v1/auth/token", json={"username": "ens", "password": "ens-regisseur-secret"})
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"username": "ens", "role": "gebiedsregisseur", "areas": ["WK017106"]}


def test_wrong_password_and_unknown_user_are_401_alike(client):
    for body in ({"username": "ens", "password": "fout-wachtwoord"},
                 {"username": "niemand", "password": "fout-wachtwoord"}):
        r = client.post("/api/v1/auth/token", json=body)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"] == "Gebruikersnaam of wachtwoord klopt niet."


def test_repeated_failures_slow_down_that_user(client, monkeypatch):
    # A stopped clock: however long each (argon2) attempt takes, the back-off cannot run out.
    now = [time.time()]
    monkeypatch.setattr(login_module, "clock", lambda: now[0])
    bad = {"username": "teamleider", "password": "niet-goed"}
    good = {"username": "teamleider", "password": "teamleider-secret"}
    statuses = [client.post("/api/v1/auth/token", json=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    r = client.post("/api/v1/auth/token", json=good)
    assert r.status_code == 429  # even the right password waits
    assert r.headers["retry-after"] == "1"  # the third failure costs 1 s
    now[0] += 0.5
    assert client.post("/api/v1/auth/token", json=good).status_code == 429
    # Another user is not affected.
    login(client, "beheerder")
    now[0] += 0.5  # Retry-After has passed: the right password works again
    assert client.post("/api/v1/auth/token", json=good).status_code == 200


def test_backoff_grows_and_is_capped():
    assert [backoff_seconds(n, 3, 300) for n in (1, 2, 3, 4, 5, 20)] == [0, 0, 1, 2, 4, 300]


def test_missing_bad_and_expired_tokens_are_401(client, settings):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nonsense"}):
        r = client.get("/api/v1/signals", headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")
    key = client.app.state.secret_key
    expired = issue_token("teamleider", key, 60, now=time.time() - 3600)
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert "verlopen" in r.json()["detail"]
    forged = issue_token("beheerder", "x" * 48, 60)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_wrong_role_is_403(client, regisseur, teamleider):
    r = client.get("/api/v1/users", headers=regisseur)
    assert r.status_code == 403
    assert r.json()["detail"].startswith("Uw rol (gebiedsregisseur)")
    assert client.get("/api/v1/users", headers=teamleider).status_code == 403
    beheerder = login(client, "beheerder")
    names = [u["username"] for u in client.get("/api/v1/users", headers=beheerder).json()]
    assert names == ["beheerder", "ens", "regisseur", "teamleider"]


def test_password_is_stored_as_argon2id(client):
    row = client.app.state.db.query_one("SELECT password_hash FROM users WHERE username='ens'")
    assert row["password_hash"].startswith("$argon2id$")
