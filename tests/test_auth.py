"""Log-in: tokens, roles, throttling with decay, known and unknown names alike, bounded hashing."""

from __future__ import annotations

import threading
import time

import anyio
import httpx
import pytest

from server.auth import login as login_module
from server.auth.login import Logins, check_login
from server.auth.tokens import issue_token
from server.bootstrap import open_database
from server.errors import NotSignedIn, TooManyAttempts

from conftest import PASSWORDS, login
from live import start_server

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def stopped_clock(monkeypatch):
    """`server.auth.login.clock` held still; move it with `now[0] += seconds`."""
    now = [time.time()]
    monkeypatch.setattr(login_module, "clock", lambda: now[0])
    return now


def test_login_returns_bearer_token_and_me(client):
    r = client.post(TOKEN, json={"username": "ens", "password": "ens-regisseur-secret"})
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json()["username"] == "ens" and me.json()["areas"] == ["WK017106"]


def test_wrong_password_and_unknown_user_are_401_alike(client):
    for body in ({"username": "ens", "password": "fout-wachtwoord"},
                 {"username": "niemand", "password": "fout-wachtwoord"}):
        r = client.post(TOKEN, json=body)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"] == "Gebruikersnaam of wachtwoord klopt niet."


def _answers(client, username: str, attempts: int) -> list[tuple]:
    out = []
    for _ in range(attempts):
        r = client.post(TOKEN, json={"username": username, "password": "niet-het-goede"})
        out.append((r.status_code, r.json()["detail"], r.headers.get("retry-after")))
    return out


def test_known_and_unknown_names_answer_alike_under_throttling(client, stopped_clock):
    # Before: unknown names always answered 401, known ones 429 after three failures.
    known = _answers(client, "teamleider", 7)
    unknown = _answers(client, "niemand", 7)
    assert known == unknown
    assert [a[0] for a in known] == [401] * 5 + [429] * 2
    status, detail, retry_after = known[-1]
    assert detail == "Te veel mislukte pogingen. Probeer het over 60 seconden opnieuw."
    assert retry_after == "60"


def test_unknown_names_cost_the_same_argon2_verification(client, monkeypatch):
    hashed: list[str | None] = []
    real = login_module.verify_password
    monkeypatch.setattr(login_module, "verify_password",
                        lambda stored, password: hashed.append(stored) or real(stored, password))
    _answers(client, "teamleider", 1)
    _answers(client, "niemand", 1)
    assert len(hashed) == 2 and hashed[0].startswith("$argon2id$") and hashed[1] is None


def test_failures_drain_away(client, stopped_clock):
    # Before: the count never decayed, so one more typo an hour later locked the user again.
    for status, *_ in _answers(client, "teamleider", 5):
        assert status == 401
    stopped_clock[0] += 3600
    assert _answers(client, "teamleider", 1)[0][0] == 401
    good = {"username": "teamleider", "password": PASSWORDS["teamleider"]}
    assert client.post(TOKEN, json=good).status_code == 200


def test_throttled_address_waits_then_may_try_again(client, stopped_clock):
    _answers(client, "teamleider", 5)
    good = {"username": "teamleider", "password": PASSWORDS["teamleider"]}
    r = client.post(TOKEN, json=good)
    assert r.status_code == 429  # the guessing address does not get to try, even the right one
    stopped_clock[0] += 61
    assert client.post(TOKEN, json=good).status_code == 200
    login(client, "beheerder")  # other names from the same address are not affected


def test_guesses_from_elsewhere_do_not_lock_out_the_real_user(settings, users, stopped_clock):
    # Before: five wrong passwords from anyone locked the real user out (429 with the right one).
    db = open_database(settings).db
    for attacker in ("10.0.0.1", "10.0.0.2"):
        for _ in range(5):
            with pytest.raises(NotSignedIn):
                check_login(db, "teamleider", "raden-maar-1", attacker)
        with pytest.raises(TooManyAttempts):  # each guessing address is stopped
            check_login(db, "teamleider", PASSWORDS["teamleider"], attacker)
    # Ten failures: the name is hot. A further address gets one guess, not five.
    with pytest.raises(NotSignedIn):
        check_login(db, "teamleider", "raden-maar-1", "10.0.0.3")
    with pytest.raises(TooManyAttempts):
        check_login(db, "teamleider", "raden-maar-2", "10.0.0.3")
    # The name as a whole is now over its limit, but the real user's address never failed for it.
    assert check_login(db, "teamleider", PASSWORDS["teamleider"], "192.168.1.20").user.username \
        == "teamleider"
    # The user's own typo makes their address one that failed: it waits while the name is hot.
    with pytest.raises(NotSignedIn):
        check_login(db, "teamleider", "tikfout", "192.168.1.21")
    with pytest.raises(TooManyAttempts) as waited:
        check_login(db, "teamleider", PASSWORDS["teamleider"], "192.168.1.21")
    assert waited.value.retry_after == 60
    stopped_clock[0] += 61
    check_login(db, "teamleider", PASSWORDS["teamleider"], "192.168.1.21")
    db.close()


def test_one_address_spraying_many_names_is_stopped(settings, users, stopped_clock):
    db = open_database(settings).db
    for i in range(30):
        with pytest.raises(NotSignedIn):
            check_login(db, f"naam{i}", "welk-wachtwoord", "10.9.9.9")
    with pytest.raises(TooManyAttempts):
        check_login(db, "beheerder", PASSWORDS["beheerder"], "10.9.9.9")
    check_login(db, "beheerder", PASSWORDS["beheerder"], "10.9.9.10")
    db.close()


def test_throttle_survives_a_restart(settings, users, stopped_clock):
    db = open_database(settings).db
    for _ in range(5):
        with pytest.raises(NotSignedIn):
            check_login(db, "teamleider", "raden-maar-1", "10.0.0.1")
    db.close()
    db = open_database(settings).db
    with pytest.raises(TooManyAttempts):
        check_login(db, "teamleider", PASSWORDS["teamleider"], "10.0.0.1")
    db.close()


def test_login_attempts_are_audited(client, stopped_clock):
    login(client, "teamleider")
    _answers(client, "teamleider", 6)
    _answers(client, "niemand", 1)
    client.app.state.writes.call(lambda w: None)  # throttled ones ride on the writer's next commit
    rows = client.app.state.db.query(
        "SELECT username, object, result FROM audit_log WHERE action = 'login' ORDER BY id")
    got = sorted(((r["username"] or ""), (r["object"] or ""), r["result"]) for r in rows)
    assert got == sorted([("teamleider", "teamleider", "allowed")] + [("", "teamleider", "denied")] * 6
                         + [("", "", "denied")])  # an unknown name is not written down


def test_a_real_user_signs_in_while_others_guess_from_other_addresses(tmp_path):
    """A real server, with the guesses and the real user on different loopback addresses."""
    proc, base = start_server(tmp_path / "live.db", "--demo")
    try:
        def post(source: str, password: str) -> int:
            with httpx.Client(transport=httpx.HTTPTransport(local_address=source)) as c:
                return c.post(base + TOKEN, json={"username": "teamleider", "password": password},
                              timeout=30).status_code

        for source in ("127.0.0.2", "127.0.0.3"):
            assert [post(source, "fout-fout-fout") for _ in range(6)] == [401] * 5 + [429]
        assert post("127.0.0.4", "teamleider-demo") == 200
        assert post("127.0.0.2", "teamleider-demo") == 429
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_what_was_typed_as_a_name_is_not_kept_in_the_throttle(client, stopped_clock):
    # People type their password into the name field; the throttle keeps a keyed hash of it.
    _answers(client, "geheim-wachtwoord-in-het-naamveld", 2)
    keys = [r["key"] for r in client.app.state.db.query("SELECT key FROM login_throttle")]
    assert len(keys) == 3
    assert not any("geheim" in k for k in keys)


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


def test_password_is_stored_as_argon2id(client):
    row = client.app.state.db.query_one("SELECT password_hash FROM users WHERE username='ens'")
    assert row["password_hash"].startswith("$argon2id$")


async def test_hashing_runs_one_at_a_time_and_a_full_queue_is_refused_at_once(settings, users,
                                                                             monkeypatch):
    # Before: every log-in hashed at once on the shared worker threads, starving other requests.
    release = threading.Event()
    running, most = [0], [0]
    real_verify = login_module.verify

    def slow_verify(stored, password):
        running[0] += 1
        most[0] = max(most[0], running[0])
        release.wait(10)
        running[0] -= 1
        return real_verify(stored, password)

    monkeypatch.setattr(login_module, "verify", slow_verify)
    db = open_database(settings).db
    logins = Logins(db, hashing=1, waiting=2)
    outcomes: list[object] = []

    async def attempt(name: str) -> None:
        try:
            outcomes.append(await logins.log_in(name, "geen-idee-welk", "10.1.1.1"))
        except (NotSignedIn, TooManyAttempts) as e:
            outcomes.append(e)

    async with anyio.create_task_group() as tg:
        for i in range(3):
            tg.start_soon(attempt, f"bedacht{i}")
        await anyio.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(TooManyAttempts) as refused:
            await logins.log_in("bedacht9", "geen-idee-welk", "10.1.1.1")
        assert time.monotonic() - started < 0.1
        assert refused.value.retry_after == 1 and "veel ingelogd" in refused.value.detail
        release.set()
    assert most[0] == 1
    assert all(isinstance(o, NotSignedIn) for o in outcomes) and len(outcomes) == 3
    db.close()
