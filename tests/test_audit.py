"""The audit log (BIO2 8.15): who, what, which object, result, when, from where, request id;
append-only with a hash chain, exported as JSON lines without content."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid

import pytest

from server.audit import audit, audit_many
from server.audit.chain import purge_before, verify
from server.bootstrap import open_database
from server.cli import main
from server.db import Database
from server.settings import Settings

from conftest import EMMELOORD, PASSWORDS, login, signal_body


def entries(db, **where):
    clause = " AND ".join(f"{k} = ?" for k in where) or "1"
    return [dict(r) for r in db.query(f"SELECT * FROM audit_log WHERE {clause} ORDER BY id",
                                      tuple(where.values()))]


def flush(client):
    """Denials are written by the signal writer after the answer: wait for its next commit."""
    client.app.state.writes.call(lambda w: None)


def cli(capsys, *args):
    """Run the command line in this process: (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


# -- what an entry says ------------------------------------------------------------------


def test_request_id_is_taken_when_valid_and_echoed(client, regisseur):
    r = client.get("/api/v1/signals", headers={**regisseur, "X-Request-ID": "melding-1234-abcd"})
    assert r.headers["x-request-id"] == "melding-1234-abcd"
    bad = client.get("/api/v1/signals", headers={**regisseur, "X-Request-ID": "x y\"<script>"})
    assert bad.headers["x-request-id"] != "x y\"<script>" and len(bad.headers["x-request-id"]) == 32
    assert client.get("/api/v1/health").headers["x-request-id"]


def test_every_signal_write_leaves_one_entry_with_who_where_and_request(client, regisseur):
    db = client.app.state.db
    body = signal_body()
    r = client.post("/api/v1/signals", json=body, headers={**regisseur, "X-Request-ID": "req-create-1"})
    assert r.status_code == 201, r.text
    client.patch(f"/api/v1/signals/{body['id']}", json={"urgency": "hoog"},
                 headers={**regisseur, "X-Request-ID": "req-update-1"})
    client.delete(f"/api/v1/signals/{body['id']}", headers={**regisseur, "X-Request-ID": "req-delete-1"})
    rows = entries(db, object=body["id"])
    assert [(e["action"], e["result"], e["username"], e["request_id"]) for e in rows] == [
        ("signal_create", "allowed", "regisseur", "req-create-1"),
        ("signal_update", "allowed", "regisseur", "req-update-1"),
        ("signal_delete", "allowed", "regisseur", "req-delete-1")]
    assert {e["client"] for e in rows} == {"testclient"}
    assert all(e["at"].endswith("Z") and len(e["at"]) == 27 for e in rows)


def test_sync_push_entries_name_the_device_and_rejections(client, regisseur):
    db = client.app.state.db
    device = str(uuid.uuid4())
    good, missing = signal_body(), str(uuid.uuid4())
    r = client.post("/api/v1/sync/push", headers=regisseur, json={"device_id": device, "mutations": [
        {"id": str(uuid.uuid4()), "seq": 1, "op": "create", "signal_id": good["id"], "data": good},
        {"id": str(uuid.uuid4()), "seq": 2, "op": "update", "signal_id": missing,
         "data": {"urgency": "hoog"}, "base_version": 1}]})
    assert [x["status"] for x in r.json()["results"]] == ["applied", "rejected"]
    [created] = entries(db, object=good["id"])
    assert (created["action"], created["result"], created["device_id"]) == ("signal_create", "allowed", device)
    [refused] = entries(db, object=missing)
    assert (refused["action"], refused["result"], refused["device_id"]) == ("signal_update", "denied", device)


def test_denied_requests_are_logged_in_a_transaction_of_their_own(client, regisseur):
    db = client.app.state.db
    body = signal_body(*EMMELOORD)
    assert client.post("/api/v1/signals", json=body, headers=regisseur).status_code == 201
    ens = login(client, "ens")  # bound to Ens: the Emmeloord signal is not in scope
    r = client.get(f"/api/v1/signals/{body['id']}", headers={**ens, "X-Request-ID": "probe-0001"})
    assert r.status_code == 404
    r = client.get("/api/v1/signals")  # no token
    assert r.status_code == 401
    r = client.get("/api/v1/stats/areas", headers=ens)  # a role that may not
    assert r.status_code == 403
    flush(client)
    denied = entries(db, result="denied")
    assert [(e["username"], e["action"], e["object"], e["request_id"]) for e in denied][0] == (
        "ens", "GET /api/v1/signals/{signal_id} (404)", body["id"], "probe-0001")
    assert [(e["username"], e["action"]) for e in denied[1:]] == [
        (None, "GET /api/v1/signals (401)"), ("ens", "GET /api/v1/stats/areas (403)")]
    # A path that does not exist is no refusal of access.
    client.get("/api/v1/bestaat-niet", headers=ens)
    flush(client)
    assert len(entries(db, result="denied")) == 3


def test_log_in_attempts_are_logged(client):
    client.post("/api/v1/auth/token", json={"username": "regisseur", "password": "fout-wachtwoord-1"})
    login(client, "regisseur")
    attempts = [e for e in entries(client.app.state.db) if e["action"].startswith("login")]
    assert sorted(e["result"] for e in attempts) == ["allowed", "denied"]
    assert all(e["client"] == "testclient" and e["request_id"] for e in attempts)


def test_export_never_holds_passwords_tokens_or_descriptions(client, settings, capsys, tmp_path):
    secret_text = "Mevrouw Jansen-Oudshoorn, Zuiderkade 12, voelt zich eenzaam"
    bad_password = "geraden-wachtwoord-Zx9"
    for _ in range(2):
        client.post("/api/v1/auth/token", json={"username": "regisseur", "password": bad_password})
        client.post("/api/v1/auth/token", json={"username": "niemand", "password": bad_password})
    headers = login(client, "regisseur")
    token = headers["Authorization"].split()[1]
    body = signal_body(description=secret_text, contains_personal_data=True)
    client.post("/api/v1/signals", json=body, headers=headers)
    client.patch(f"/api/v1/signals/{body['id']}", json={"description": secret_text + " (2)"},
                 headers=headers)
    client.get(f"/api/v1/signals/{body['id']}", headers=headers)
    flush(client)
    out = tmp_path / "audit.jsonl"
    code, _, err = cli(capsys, "--db", str(settings.db_path), "audit", "export", "--since", "2000-01-01",
                       "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert {"signal_create", "signal_update"} <= {e["action"] for e in lines}
    assert set(lines[0]) == {"id", "at", "username", "action", "object", "result", "client",
                             "device_id", "request_id", "hash"}
    for forbidden in (secret_text, "Jansen", "Zuiderkade", bad_password, token,
                      *PASSWORDS.values()):
        assert forbidden not in text
    # --since filters: nothing from the far future.
    code, stdout, _ = cli(capsys, "--db", str(settings.db_path), "audit", "export", "--since", "2999-01-01")
    assert code == 0 and stdout == ""
    code, _, err = cli(capsys, "--db", str(settings.db_path), "audit", "export", "--since", "gisteren")
    assert code == 2 and "--since" in err


# -- append-only and the hash chain --------------------------------------------------------


@pytest.fixture
def db(settings) -> Database:
    db = open_database(settings).db
    with db.transaction() as conn:
        for i in range(5):
            audit(conn, "anne", "kwestie_create", f"k{i}")
    yield db
    db.close()


def test_the_app_cannot_update_or_delete_audit_rows(db):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), db.transaction() as conn:
        conn.execute("UPDATE audit_log SET username = 'bert' WHERE object = 'k1'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), db.transaction() as conn:
        conn.execute("DELETE FROM audit_log WHERE object = 'k4'")
    assert verify(db.conn).ok


def test_verify_reports_the_first_tampered_row(db, settings, capsys):
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "audit", "verify")
    assert code == 0 and "intact" in out
    db.close()
    raw = sqlite3.connect(settings.db_path)  # an attacker with the file, not the app
    raw.execute("DROP TRIGGER audit_log_no_update")
    target = raw.execute("SELECT id FROM audit_log WHERE object = 'k2'").fetchone()[0]
    raw.execute("UPDATE audit_log SET username = 'bert' WHERE id = ?", (target,))
    raw.commit()
    raw.close()
    code, _, err = cli(capsys, "--db", str(settings.db_path), "audit", "verify")
    assert code == 1 and f"row {target}" in err


def test_the_chain_can_be_checked_without_gebiedsradar(db, settings, capsys, tmp_path):
    """An auditor recomputes the export's hashes with any sha256 and JSON library."""
    import hashlib

    out = tmp_path / "audit.jsonl"
    cli(capsys, "--db", str(settings.db_path), "audit", "export", "--since", "2000-01-01", "-o", str(out))
    previous = "0" * 64
    for line in out.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        row = [e["id"], e["at"], e["username"], e["action"], e["object"], e["result"], e["client"],
               e["device_id"], e["request_id"]]
        canonical = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256((previous + canonical).encode()).hexdigest() == e["hash"]
        previous = e["hash"]
    assert db.query("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0][0] == "audit_export"


def test_a_removed_row_breaks_the_chain(db, settings):
    db.conn.execute("DROP TRIGGER audit_log_no_delete")
    target = db.query_one("SELECT id FROM audit_log WHERE object = 'k2'")[0]
    db.conn.execute("DELETE FROM audit_log WHERE id = ?", (target,))
    verdict = verify(db.conn)
    assert not verdict.ok and verdict.broken_id == target + 1


def test_the_retention_purge_keeps_the_rest_verifiable(db):
    rows = db.query("SELECT id, at FROM audit_log ORDER BY id")
    cutoff = rows[-2]["at"]
    keep = db.query_one("SELECT count(*) FROM audit_log WHERE at >= ?", (cutoff,))[0]
    with db.transaction() as conn:
        purged = purge_before(conn, cutoff)
    assert purged == len(rows) - keep and purged > 0
    assert verify(db.conn).ok and verify(db.conn).checked == keep
    with db.transaction() as conn:  # and the chain continues from there
        audit(conn, "anne", "kwestie_create", "k5")
    assert verify(db.conn).ok
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:  # the anchor never goes back
        conn.execute("UPDATE audit_anchor SET upto_id = 1")
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        conn.execute("DELETE FROM audit_anchor")
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:  # only the purged prefix
        conn.execute("DELETE FROM audit_log WHERE action = 'kwestie_create'")


def test_concurrent_writers_keep_one_chain(settings, db):
    def write(n: int) -> None:
        local = Database(settings.db_path)
        for i in range(30):
            with local.transaction() as conn:
                audit_many(conn, f"user{n}", "kwestie_create", [f"{n}-{i}-a", f"{n}-{i}-b"])
        local.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = verify(db.conn)
    assert verdict.ok and verdict.checked == 5 + 4 * 30 * 2


def test_audit_result_is_one_of_three(db):
    with pytest.raises(ValueError), db.transaction() as conn:
        audit(conn, "anne", "login", None, "maybe")  # type: ignore[arg-type]


def test_old_audit_rows_are_chained_in_by_the_migration(settings):
    """A database from before m010: its audit_log rows and signal changes are kept, in order,
    and verify."""
    db = open_database(Settings(db_path=settings.db_path)).db
    with db.transaction() as conn:  # back to the schema before m010
        conn.execute("DROP VIEW audit_trail")
        conn.execute("DROP TABLE audit_log")
        conn.execute("DROP TABLE audit_anchor")
        conn.execute("DROP TABLE destruction_log")
        conn.execute("DROP TRIGGER signals_closed_insert")
        conn.execute("DROP TRIGGER signals_closed_update")
        conn.execute("DROP INDEX signals_closed")
        conn.execute("ALTER TABLE signals DROP COLUMN closed_at")
        conn.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
                     " username TEXT, action TEXT NOT NULL, object TEXT)")
        conn.execute("CREATE VIEW audit_trail AS SELECT at, username, action, object, NULL AS device_id"
                     " FROM audit_log WHERE action NOT IN ('signal_create', 'signal_update',"
                     " 'signal_delete') UNION ALL SELECT changed_at, changed_by, 'signal_' || op,"
                     " signal_id, device_id FROM changes")
        conn.execute("INSERT INTO audit_log (at, username, action, object) VALUES"
                     " ('2026-11-01T08:00:00+00:00', 'anne', 'login', NULL),"
                     " ('2026-11-03T08:00:00+00:00', 'anne', 'kwestie_create', 'k1')")
        conn.execute("INSERT INTO changes (signal_id, version, op, changed_by, device_id, changed_at)"
                     " VALUES ('s1', 1, 'create', 'anne', 'dev-1', '2026-11-02T08:00:00+00:00')")
        conn.execute("DELETE FROM _migrations WHERE name = 'm010_audit_retention'")
    db.close()
    db = open_database(Settings(db_path=settings.db_path)).db
    rows = [(r["at"], r["action"], r["object"], r["device_id"]) for r in
            db.query("SELECT * FROM audit_log ORDER BY id")]
    assert rows == [("2026-11-01T08:00:00.000000Z", "login", None, None),
                    ("2026-11-02T08:00:00.000000Z", "signal_create", "s1", "dev-1"),
                    ("2026-11-03T08:00:00.000000Z", "kwestie_create", "k1", None)]
    assert verify(db.conn).ok
    db.close()
