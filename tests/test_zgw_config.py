"""ZGW configuration by API and command line, and the commands that check the catalogue and
poll the open zaken (run as real processes against the test double)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from zgw_world import configure, drain, hand_off, new_signal, zgw_app

from server.bootstrap import open_database

from conftest import login

EXE = Path(sys.executable).with_name("gebiedsradar")
URL = "/api/v1/export/zgw/config"


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GEBIEDSRADAR_DB"}
    return subprocess.run([str(EXE), "--db", str(db), "export", "zgw", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def app(settings, users):
    with zgw_app(settings) as c:
        yield c


def test_put_and_get_never_show_the_secret(app, zgw_double):
    admin = login(app, "beheerder")
    assert app.get(URL, headers=admin).status_code == 404
    shown = configure(app, zgw_double, behandelaar="Team Leefbaarheid")
    assert "secret" not in shown and shown["secret_set"] is True
    assert zgw_double.secret not in json.dumps(shown)
    got = app.get(URL, headers=admin).json()
    assert got["rsin"] == "002564440" and got["behandelaar"] == "Team Leefbaarheid"
    assert got["updated_by"] == "beheerder" and got["notificaties"] is None
    assert zgw_double.secret not in app.get(URL, headers=admin).text
    # Without a secret the stored one stays (and the hand-off still authenticates).
    body = zgw_double.config()
    del body["secret"]
    assert app.put(URL, json=body, headers=admin).json()["secret_set"] is True
    tl = login(app, "teamleider")
    s = new_signal(app, login(app, "regisseur"))
    hand_off(app, tl, s["id"])
    drain(app)
    assert app.get(f"/api/v1/signals/{s['id']}", headers=tl).json()["zaak"]["state"] == "done"
    assert app.get(URL, headers=tl).status_code == 403
    assert app.put(URL, json=body, headers=tl).status_code == 403


@pytest.mark.parametrize("change, field", [
    ({"rsin": "002564441"}, "rsin"),
    ({"rsin": "12345"}, "rsin"),
    ({"zaken_api": "niet-een-url"}, "zaken_api"),
    ({"mappings": []}, "mappings"),
    ({"mappings": [{"category": "bestaat-niet"}]}, "mappings[0].category"),
    ({"mappings": [{"zaaktype": "http://localhost:1/catalogi/api/v1/zaaktypen/x"}]},
     "mappings[0].zaaktype"),
])
def test_a_bad_configuration_is_422_naming_the_field(app, zgw_double, change, field):
    body = zgw_double.config()
    if "mappings" in change and change["mappings"]:
        body["mappings"] = [{**body["mappings"][0], **change["mappings"][0]}]
    else:
        body.update(change)
    r = app.put(URL, json=body, headers=login(app, "beheerder"))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["name"] for e in problem["errors"]]
    assert "ZGW" in problem["detail"]


def test_cli_config_check_and_poll(tmp_path, settings, users, zgw_double):
    db = settings.db_path
    good = tmp_path / "zgw.json"
    good.write_text(json.dumps(zgw_double.config()), encoding="utf-8")
    r = run(db, "config", str(good))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and "RSIN 002564440" in r.stdout
    assert zgw_double.secret not in r.stdout
    r = run(db, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("OK") and "gepubliceerd" in r.stdout
    # A concept zaaktype and a statustype of another zaaktype: one line each, exit 1.
    wrong = zgw_double.config(mappings=[
        {**zgw_double.config()["mappings"][0], "category": "jeugd",
         "zaaktype": zgw_double.concept_zaaktype_url},
        {**zgw_double.config()["mappings"][0], "category": "*"}])
    good.write_text(json.dumps(wrong), encoding="utf-8")
    assert run(db, "config", str(good)).returncode == 0
    r = run(db, "check")
    lines = r.stdout.splitlines()
    assert r.returncode == 1 and len(lines) == 2
    assert lines[0].startswith("FOUT") and "concept" in lines[0] and lines[1].startswith("OK")
    # A zaak made and moved on: poll reads it.
    good.write_text(json.dumps(zgw_double.config()), encoding="utf-8")
    run(db, "config", str(good))
    with zgw_app(settings) as app:
        s = new_signal(app, login(app, "regisseur"))
        hand_off(app, login(app, "teamleider"), s["id"])
        drain(app)
    r = run(db, "poll")
    assert r.returncode == 0 and r.stdout.startswith("1 open zaken gelezen: 0 gewijzigd")
    [zaak] = zgw_double.zaken
    zgw_double.advance(zaak["url"])
    r = run(db, "poll")
    assert r.returncode == 0 and r.stdout.startswith("1 open zaken gelezen: 1 gewijzigd")
    zgw_double.close(zaak["url"])
    r = run(db, "poll")
    assert r.returncode == 0 and "1 afgesloten" in r.stdout
    with zgw_app(settings) as app:
        got = app.get(f"/api/v1/signals/{s['id']}", headers=login(app, "teamleider")).json()
    assert got["status"] == "afgesloten"
    r = run(db, "status")
    assert r.returncode == 0 and "klaar 1 (waarvan open 0)" in r.stdout


@pytest.mark.parametrize("content, words", [
    ("{niet json", "geen geldige JSON (fout bij byte 1)"),
    ("", "geen geldige JSON (het bestand is leeg"),
    (json.dumps({"zaken_api": "x"}), "documenten_api: verplicht veld ontbreekt"),
    ("[]", "de inhoud moet een object ({…}) zijn, niet een lijst ([…])"),
    (json.dumps({"zaken_api": 1}), "zaken_api: moet tekst zijn, niet een geheel getal"),
    (json.dumps({**dict.fromkeys(("zaken_api", "documenten_api", "catalogi_api", "client_id",
                                  "secret", "rsin"), "x"), "mappings": {}}),
     "mappings: moet een lijst ([…]) zijn, niet een object ({…})"),
    (json.dumps({**dict.fromkeys(("zaken_api", "documenten_api", "catalogi_api", "client_id",
                                  "secret", "rsin"), "x"), "mappings": [
        {"category": "*", "zaaktype": "x", "statustype": "y", "informatieobjecttype": "z",
         "vertrouwelijkheidaanduiding": "geheimpje"}]}),
     "mappings[0].vertrouwelijkheidaanduiding: ongeldige waarde 'geheimpje'"),
])
def test_cli_config_refuses_a_bad_file(tmp_path, settings, users, content, words):
    f = tmp_path / "zgw.json"
    f.write_text(content, encoding="utf-8")
    r = run(settings.db_path, "config", str(f))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and words in r.stderr, r.stderr
    for english in ("Expected", "missing", "malformed", "Invalid", "truncated", "Object"):
        assert english not in r.stderr


def test_cli_config_says_a_missing_file_or_a_directory_in_dutch(tmp_path, settings, users):
    r = run(settings.db_path, "config", str(tmp_path / "geen.json"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert r.stderr.endswith(f": bestand niet gevonden: {tmp_path / 'geen.json'}\n")
    r = run(settings.db_path, "config", str(tmp_path))
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert r.stderr.endswith(f": {tmp_path} is een map, geen bestand\n")


def test_cli_config_names_the_wrong_fields(tmp_path, settings, users, zgw_double):
    f = tmp_path / "zgw.json"
    f.write_text(json.dumps(zgw_double.config(rsin="002564441")), encoding="utf-8")
    r = run(settings.db_path, "config", str(f))
    assert r.returncode == 1 and "rsin" in r.stderr and r.stderr.count("\n") == 1
    assert run(settings.db_path, "check").returncode == 1  # nothing stored: not configured
    assert run(settings.db_path, "config", str(tmp_path / "geen.json")).returncode == 1


def test_cli_send_and_token(tmp_path, settings, users, zgw_double):
    db = settings.db_path
    f = tmp_path / "zgw.json"
    f.write_text(json.dumps(zgw_double.config()), encoding="utf-8")
    assert run(db, "config", str(f)).returncode == 0
    r = run(db, "token")
    assert r.returncode == 1 and "notificaties" in r.stderr
    with zgw_app(settings) as app:  # its worker is off: the hand-off waits in the outbox
        s = new_signal(app, login(app, "regisseur"))
        hand_off(app, login(app, "teamleider"), s["id"])
    r = run(db, "send")
    assert r.returncode == 0 and r.stdout.startswith("1 verzonden of geprobeerd; nu 1 klaar")
    assert len(zgw_double.zaken_by_kenmerk(s["id"])) == 1
    secret = "notificaties-secret-0123456789abcdef"
    f.write_text(json.dumps(zgw_double.config(notificaties={"client_id": "nrc", "secret": secret})),
                 encoding="utf-8")
    assert run(db, "config", str(f)).returncode == 0
    r = run(db, "token")
    assert r.returncode == 0 and r.stdout.startswith("Bearer ")
    from server.zgw.token import verify
    assert verify(r.stdout.split()[1], "nrc", secret)


def test_the_secret_is_in_no_answer_audit_entry_or_log_line(app, zgw_double, settings, caplog):
    """A refused PUT (a bad RSIN beside a new secret, a secret too long, a wrong type) echoes
    no secret; nor do the audit log and the server's log."""
    import logging

    from server.bootstrap import open_database

    caplog.set_level(logging.DEBUG)
    admin = login(app, "beheerder")
    configure(app, zgw_double)
    fresh = "nieuw-geheim-" + "x" * 30
    answers = [app.put(URL, json={**zgw_double.config(), "secret": fresh, "rsin": "1"}, headers=admin),
               app.put(URL, json={**zgw_double.config(), "secret": fresh * 20}, headers=admin),
               app.put(URL, json={**zgw_double.config(), "secret": fresh, "rsin": 2564440},
                       headers=admin),
               app.put(URL, json={**zgw_double.config(), "secret": fresh,
                                  "notificaties": {"client_id": "n", "secret": fresh,
                                                   "max_token_age_seconds": 1}}, headers=admin)]
    assert all(r.status_code in (400, 422) for r in answers), [r.status_code for r in answers]
    for r in answers:
        assert fresh not in r.text and zgw_double.secret not in r.text
    db = open_database(settings).db
    audit = json.dumps([list(r) for r in db.query("SELECT * FROM audit_log")])
    db.close()
    assert fresh not in audit and zgw_double.secret not in audit
    assert fresh not in caplog.text and zgw_double.secret not in caplog.text


def _configured(tmp_path, settings, zgw_double) -> Path:
    f = tmp_path / "zgw.json"
    f.write_text(json.dumps(zgw_double.config()), encoding="utf-8")
    assert run(settings.db_path, "config", str(f)).returncode == 0
    return f


def test_cli_send_with_the_case_system_down_says_why_and_exits_1(tmp_path, settings, users,
                                                                 zgw_double):
    """Nothing retries in a one-shot command: the reason, and "probeer het later opnieuw"."""
    _configured(tmp_path, settings, zgw_double)
    with zgw_app(settings) as app:
        s = new_signal(app, login(app, "regisseur"))
        hand_off(app, login(app, "teamleider"), s["id"])
    zgw_double.fail("GET", r".*", status=503, times=None)
    zgw_double.fail("POST", r".*", status=503, times=None)
    r = run(settings.db_path, "send")
    assert r.returncode == 1 and "1 wachtend" in r.stdout
    assert r.stderr.count("\n") == 1, r.stderr
    assert "tijdelijk niet beschikbaar (503)" in r.stderr and "Probeer het later opnieuw" in r.stderr
    assert "er wordt opnieuw geprobeerd" not in r.stderr.lower()
    # Run again before the next try is due: still the reason (the stored one), still exit 1.
    r = run(settings.db_path, "send")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "(503)" in r.stderr
    assert "er wordt opnieuw geprobeerd" not in r.stderr.lower()
    # A refusal that needs a person: failed, with the case system's reason.
    zgw_double.clear_faults()
    zgw_double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=None)
    db = open_database(settings).db
    db.write(lambda conn: conn.execute("UPDATE zaak_handoffs SET next_attempt_at = NULL"))
    db.close()
    r = run(settings.db_path, "send")
    assert r.returncode == 1 and "1 mislukt" in r.stdout and "weigert toegang (403)" in r.stderr
    assert "Probeer het later" not in r.stderr


def test_cli_poll_and_check_with_the_case_system_down_print_one_dutch_line(tmp_path, settings,
                                                                           users, zgw_double):
    _configured(tmp_path, settings, zgw_double)
    with zgw_app(settings) as app:
        s = new_signal(app, login(app, "regisseur"))
        hand_off(app, login(app, "teamleider"), s["id"])
        drain(app)
    zgw_double.fail("GET", r".*", status=503, times=None)
    r = run(settings.db_path, "poll")
    assert r.returncode == 1 and "1 niet te lezen" in r.stdout
    assert r.stderr.count("\n") == 1, r.stderr  # no English log line before it
    assert "polling" not in r.stderr and "zie het log" not in r.stderr
    assert "tijdelijk niet beschikbaar (503)" in r.stderr and "Probeer het later opnieuw" in r.stderr
    r = run(settings.db_path, "check")
    assert r.returncode == 1 and "Probeer het later opnieuw" in r.stdout
    assert "er wordt opnieuw geprobeerd" not in (r.stdout + r.stderr).lower()
