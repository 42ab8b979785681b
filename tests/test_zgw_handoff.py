"""Hand-off of signals and kwesties to the ZGW test double (issue 13 §1): what is made, no
second zaak, personal data, failures a person must act on, retries, a restart, following the
zaak until its eindstatus closes the signal, and Notificaties callbacks."""

from __future__ import annotations

import base64
import time

import pytest
from zgw_world import configure, drain, hand_off, import_cbs, new_signal, runtime, zgw_app

from server.bootstrap import open_database
from server.zgw import outbox
from server.zgw.token import make_token

from conftest import login, write_cbs_gpkg


@pytest.fixture
def app(settings, users):
    with zgw_app(settings) as c:
        yield c


@pytest.fixture
def tl(app):
    return login(app, "teamleider")


@pytest.fixture
def reg(app):
    return login(app, "regisseur")


def signal(app, tl, sid):
    r = app.get(f"/api/v1/signals/{sid}", headers=tl)
    assert r.status_code == 200, r.text
    return r.json()


def audit_actions(settings, obj):
    db = open_database(settings).db
    rows = [r[0] for r in db.query("SELECT action FROM audit_log WHERE object = ? ORDER BY id", (obj,))]
    db.close()
    return rows


def test_a_signal_becomes_a_zaak_with_status_objects_and_photos(app, zgw_double, tl, reg, settings):
    configure(app, zgw_double, zaak_weblink="https://zaken.example.nl/zaak/{identificatie}")
    s = new_signal(app, reg, photos=2)
    r = hand_off(app, tl, s["id"], note="Graag oppakken")
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["state"] == "queued" and queued["identificatie"].startswith("GR-")
    assert queued["url"] is None and queued["link"] is None and queued["error"] is None
    assert signal(app, tl, s["id"])["status"] == "doorgezet"  # in the same transaction
    drain(app)
    got = signal(app, tl, s["id"])
    zaak = got["zaak"]
    assert zaak["state"] == "done" and zaak["error"] is None
    assert zaak["status"] == "Ontvangen" or zaak["status"]  # the first statustype's omschrijving
    [made] = zgw_double.zaken_by_kenmerk(s["id"])
    assert zaak["url"] == made["url"] and made["identificatie"] == zaak["identificatie"]
    assert zaak["link"] == f"https://zaken.example.nl/zaak/{zaak['identificatie']}"
    assert made["omschrijving"] == "Jeugdoverlast in Marknesse"
    assert made["toelichting"].startswith(f"Notitie: Graag oppakken\n\n{s['description']}")
    assert "regisseur" not in made["toelichting"]  # the author is not named unless configured
    assert made["vertrouwelijkheidaanduiding"] == "intern"
    assert made["archiefnominatie"] == "vernietigen"  # the zaaktype's one resultaattype's
    assert made["zaakgeometrie"]["type"] == "Point"
    assert [st["zaak"] for st in zgw_double.statussen] == [made["url"]]
    assert [(o["objectType"], o["objectIdentificatie"]["identificatie"])
            for o in zgw_double.zaakobjecten] == [("woonplaats", s["kern"]["code"])]
    docs = zgw_double.documenten
    assert len(docs) == 2 and {d["taal"] for d in docs} == {"dut"}
    assert all(d["indicatieGebruiksrecht"] is False and d["auteur"] != "regisseur" for d in docs)
    sent = {zgw_double.document_content(d["url"]) for d in docs}
    stored = {app.get(f"/api/v1/attachments/{h}", headers=tl).content for h in s["attachments"]}
    assert sent == stored
    assert {z["informatieobject"] for z in zgw_double.zaakinformatieobjecten} == {d["url"] for d in docs}
    actions = audit_actions(settings, s["id"])
    assert "zaak_handoff" in actions and "zaak_created" in actions


def test_asking_again_never_makes_a_second_zaak(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    s = new_signal(app, reg)
    first = hand_off(app, tl, s["id"]).json()
    again = hand_off(app, tl, s["id"]).json()
    assert again["identificatie"] == first["identificatie"] and again["state"] == "queued"
    drain(app)
    done = hand_off(app, tl, s["id"])
    assert done.status_code == 202 and done.json()["state"] == "done"
    drain(app)
    assert len(zgw_double.zaken_by_kenmerk(s["id"])) == 1 and len(zgw_double.zaken) == 1
    history = app.get(f"/api/v1/signals/{s['id']}/history", headers=tl).json()
    assert sum(1 for e in history["items"] if e["op"] == "update") == 1  # doorgezet once


def test_a_kwestie_becomes_one_zaak_with_its_signals(app, zgw_double, tl, reg, settings):
    configure(app, zgw_double)
    signals = [new_signal(app, reg, photos=1 if i < 2 else 0, category="overlast",
                          subcategory=None) if i == 2 else new_signal(app, reg, photos=1 if i < 2 else 0)
               for i in range(3)]
    r = app.post("/api/v1/kwesties", json={"title": "Overlast dorpshuis", "signal_ids":
                                           [x["id"] for x in signals]}, headers=tl)
    kid = r.json()["id"]
    handed = app.post(f"/api/v1/kwesties/{kid}/zaak", json={"note": "Drie meldingen"}, headers=tl)
    assert handed.status_code == 202, handed.text
    drain(app)
    kwestie = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()
    assert kwestie["zaak"]["state"] == "done"
    assert all(x["status"] == "doorgezet" and x["zaak"]["identificatie"] == kwestie["zaak"]["identificatie"]
               for x in kwestie["timeline"])
    [made] = zgw_double.zaken_by_kenmerk(kid)
    assert made["omschrijving"].startswith("Kwestie: Jeugdoverlast")  # the most frequent category
    assert "Overlast dorpshuis" in made["toelichting"] and "3 signalen" in made["toelichting"]
    signal_objects = {o["objectIdentificatie"]["overigeData"]["identificatie"]
                      for o in zgw_double.zaakobjecten if o["objectType"] == "overige"}
    assert signal_objects == {x["id"] for x in signals}
    assert len(zgw_double.documenten) == 2 and len(zgw_double.zaakinformatieobjecten) == 2
    assert len(zgw_double.zaken) == 1


def test_personal_data_is_left_out_unless_allowed(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    secret = new_signal(app, reg, photos=1, contains_personal_data=True,
                        description="Mevrouw De Vries op Hoofdweg 12 belde.")
    hand_off(app, tl, secret["id"])
    drain(app)
    [made] = zgw_double.zaken_by_kenmerk(secret["id"])
    assert "De Vries" not in made["toelichting"] and "persoonsgegevens" in made["toelichting"]
    assert zgw_double.documenten == []  # its photo neither
    allowed = dict(zgw_double.config()["mappings"][0], send_personal_data=True)
    configure(app, zgw_double, mappings=[allowed])
    other = new_signal(app, reg, photos=1, contains_personal_data=True,
                       description="Meneer Bakker belde.")
    hand_off(app, tl, other["id"])
    drain(app)
    [sent] = zgw_double.zaken_by_kenmerk(other["id"])
    assert "Bakker" in sent["toelichting"] and len(zgw_double.documenten) == 1


@pytest.mark.parametrize("status, body, words", [
    (403, None, "weigert toegang (403)"),
    (400, {"type": "x", "code": "invalid", "title": "Ongeldige invoer.", "status": 400,
           "detail": "Ongeldige invoer.", "instance": "urn:x",
           "invalidParams": [{"name": "zaaktype", "code": "unknown-service",
                              "reason": "De service is onbekend."}]}, "zaaktype: De service is onbekend."),
])
def test_a_refusal_stops_with_the_case_systems_message(app, zgw_double, tl, reg, settings, status,
                                                        body, words):
    configure(app, zgw_double)
    s = new_signal(app, reg)
    zgw_double.fail("POST", r"/zaken/api/v1/zaken$", status=status, times=1, body=body)
    hand_off(app, tl, s["id"])
    drain(app)
    zaak = signal(app, tl, s["id"])["zaak"]
    assert zaak["state"] == "failed" and words in zaak["error"] and zaak["url"] is None
    assert "zaaksysteem" in zaak["error"].lower()
    assert zgw_double.zaken == []
    db = open_database(settings).db
    assert db.query_one("SELECT result FROM audit_log WHERE action = 'zaak_handoff' AND object = ?"
                        " ORDER BY id DESC LIMIT 1", (s["id"],))[0] == "failed"
    db.close()
    # The beheerder fixed it: asking again queues the same hand-off, and it goes through.
    again = hand_off(app, tl, s["id"]).json()
    assert again["state"] == "queued" and again["identificatie"] == zaak["identificatie"]
    drain(app)
    assert signal(app, tl, s["id"])["zaak"]["state"] == "done"
    assert len(zgw_double.zaken_by_kenmerk(s["id"])) == 1


@pytest.mark.parametrize("fault", ["fail", "drop_before", "drop_after"])
def test_transient_failures_are_retried_to_exactly_one_zaak(app, zgw_double, tl, reg, fault):
    configure(app, zgw_double)
    s = new_signal(app, reg, photos=1)
    for path in (r"/zaken/api/v1/zaken$", r"/statussen$", r"/zaakobjecten$",
                 r"/enkelvoudiginformatieobjecten$", r"/zaakinformatieobjecten$"):
        if fault == "fail":
            zgw_double.fail("POST", path, status=503, times=2)
        else:
            zgw_double.drop("POST", path, times=1, after_commit=fault == "drop_after")
    hand_off(app, tl, s["id"])
    drain(app)
    zaak = signal(app, tl, s["id"])["zaak"]
    assert zaak["state"] == "done", zaak
    assert len(zgw_double.zaken_by_kenmerk(s["id"])) == 1
    assert len(zgw_double.statussen) == 1 and len(zgw_double.zaakobjecten) == 1
    assert len(zgw_double.documenten) == 1 and len(zgw_double.zaakinformatieobjecten) == 1
    assert runtime(app).worker.retries >= 1


def test_a_call_that_times_out_and_lands_late_makes_no_second_zaak(settings, users, zgw_double):
    """The zaak's and the photo's POST time out and land after the retry looked them up: the
    case system refuses the second (identificatie-niet-uniek, unique), the retry finds the
    first. (Such refusals are what this test provokes, so it clears them from `violations`.)"""
    with zgw_app(settings, zgw_timeout_seconds=0.5) as app:
        configure(app, zgw_double)
        tl, reg = login(app, "teamleider"), login(app, "regisseur")
        s = new_signal(app, reg, photos=1)
        for path in (r"/zaken/api/v1/zaken$", r"/enkelvoudiginformatieobjecten$",
                     r"/zaakinformatieobjecten$"):
            zgw_double.delay("POST", path, seconds=0.9, times=1)
        hand_off(app, tl, s["id"])
        drain(app)
        assert signal(app, tl, s["id"])["zaak"]["state"] == "done"
        deadline = time.monotonic() + 30  # until the late calls have been answered
        while time.monotonic() < deadline and sum(1 for m, p, _ in zgw_double.calls if m == "POST") < 7:
            time.sleep(0.05)
    assert len(zgw_double.zaken_by_kenmerk(s["id"])) == 1
    assert len(zgw_double.documenten) == 1 and len(zgw_double.zaakinformatieobjecten) == 1
    late = [v for v in zgw_double.violations if "niet-uniek" in v or "unique" in v]
    assert late and late == zgw_double.violations
    zgw_double.violations.clear()


def test_a_restart_resumes_at_the_first_step_not_done(settings, users, zgw_double):
    with zgw_app(settings) as app:
        configure(app, zgw_double)
        tl, reg = login(app, "teamleider"), login(app, "regisseur")
        a = new_signal(app, reg, photos=1)
        b = new_signal(app, reg)
        hand_off(app, tl, a["id"])
        hand_off(app, tl, b["id"])
        zgw_double.fail("POST", r"/zaakobjecten$", status=503, times=None)  # down for now
        runtime(app).worker.run_once()
    db = open_database(settings).db
    rows = db.query("SELECT state, steps_done FROM zaak_handoffs ORDER BY id")
    assert [r["state"] for r in rows] == ["queued", "queued"]
    assert all('"status"' in r["steps_done"] and '"zaak"' in r["steps_done"] for r in rows)
    # A crash in the middle of a send leaves the row 'sending', under a lease.
    with db.transaction() as conn:
        assert outbox.claim(conn, 1, time.time() + 10)
        assert not outbox.claim(conn, 1, time.time() + 11)  # nobody else takes it meanwhile
    db.close()
    zgw_double.clear_faults()
    calls_before = len(zgw_double.calls)
    with zgw_app(settings) as app:  # a new server on the same database
        drain(app)
        tl = login(app, "teamleider")
        assert signal(app, tl, a["id"])["zaak"]["state"] == "done"
        assert signal(app, tl, b["id"])["zaak"]["state"] == "done"
    assert len(zgw_double.zaken) == 2 and len(zgw_double.statussen) == 2
    assert len(zgw_double.zaakobjecten) == 2 and len(zgw_double.documenten) == 1
    resumed = [c for c in zgw_double.calls[calls_before:] if c[0] == "POST"]
    assert not any(path.endswith(("/zaken", "/statussen")) for _, path, _ in resumed)


def test_the_worker_thread_sends_by_itself(settings, users, zgw_double):
    with zgw_app(settings, zgw_worker=True) as app:
        configure(app, zgw_double)
        s = new_signal(app, login(app, "regisseur"))
        hand_off(app, login(app, "teamleider"), s["id"])
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed requirement
        while time.monotonic() < deadline and not zgw_double.zaken_by_kenmerk(s["id"]):
            time.sleep(0.05)
        while time.monotonic() < deadline and signal(app, login(app, "teamleider"), s["id"])["zaak"]["state"] != "done":
            time.sleep(0.05)
        assert signal(app, login(app, "teamleider"), s["id"])["zaak"]["state"] == "done"


def test_progress_until_the_eindstatus_closes_the_signal(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    s = new_signal(app, reg)
    hand_off(app, tl, s["id"])
    drain(app)
    url = signal(app, tl, s["id"])["zaak"]["url"]
    pulled = app.get("/api/v1/sync/pull", headers=tl).json()
    zgw_double.fail("GET", r"/zaken/api/v1/zaken/", status=503, times=1)
    down = runtime(app).poll()  # the case system is down: nothing changes, read next time
    assert (down.polled, down.errors, down.changed) == (1, 1, 0)
    zgw_double.advance(url)
    result = runtime(app).poll()
    assert (result.polled, result.changed, result.closed) == (1, 1, 0)
    second = signal(app, tl, s["id"])
    assert second["zaak"]["status"] == zgw_double_status(zgw_double, url)
    assert second["status"] == "doorgezet"
    version = second["version"]
    zgw_double.close(url)
    assert runtime(app).poll().closed == 1
    closed = signal(app, tl, s["id"])
    assert closed["status"] == "afgesloten" and closed["version"] == version + 1
    assert closed["zaak"]["result"] and closed["zaak"]["state"] == "done"
    history = app.get(f"/api/v1/signals/{s['id']}/history", headers=tl).json()["items"]
    assert history[-1]["by"] == "zaaksysteem"
    assert history[-1]["changes"] == [{"field": "status", "from": "doorgezet", "to": "afgesloten"}]
    later = app.get("/api/v1/sync/pull", params={"cursor": pulled["cursor"]}, headers=tl).json()
    assert [c["signal"]["status"] for c in later["changes"]] == ["afgesloten"]
    assert runtime(app).poll().polled == 0  # closed zaken are not read again


def zgw_double_status(double, zaak_url):
    [zaak] = [z for z in double.zaken if z["url"] == zaak_url]
    [status] = [st for st in double.statussen if st["url"] == zaak["status"]]
    return double._catalogue[status["statustype"]][1]["omschrijving"]


def test_a_closed_kwestie_zaak_closes_the_kwestie(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    ids = [new_signal(app, reg)["id"] for _ in range(2)]
    kid = app.post("/api/v1/kwesties", json={"title": "Samen", "signal_ids": ids}, headers=tl).json()["id"]
    app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl)
    drain(app)
    url = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["url"]
    zgw_double.close(url)
    runtime(app).poll()
    k = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()
    assert k["status"] == "gesloten" and k["outcome"]
    assert any("afgehandeld in het zaaksysteem" in u["text"] for u in k["updates"])
    assert all(x["status"] == "afgesloten" for x in k["timeline"])


def test_notificaties_callback_is_verified_and_polls_the_zaak(app, zgw_double, tl, reg):
    notif_secret = "notificaties-secret-0123456789abcdef"
    configure(app, zgw_double, notificaties={"client_id": "notificaties", "secret": notif_secret,
                                             "max_token_age_seconds": 3600})
    s = new_signal(app, reg)
    hand_off(app, tl, s["id"])
    drain(app)
    url = signal(app, tl, s["id"])["zaak"]["url"]
    zgw_double.advance(url)
    message = {"kanaal": "zaken", "hoofdObject": url, "resource": "status",
               "resourceUrl": url, "actie": "create", "aanmaakdatum": "2026-12-02T10:00:00Z",
               "kenmerken": {"bronorganisatie": "002564440"}}
    cb = "/api/v1/notificaties/zgw"
    assert app.post(cb, json=message).status_code == 401
    wrong = make_token("notificaties", "verkeerd-secret-0123456789abcdefghij")
    assert app.post(cb, json=message, headers={"Authorization": f"Bearer {wrong}"}).status_code == 403
    old = make_token("notificaties", notif_secret, at=time.time() - 7200)
    assert app.post(cb, json=message, headers={"Authorization": f"Bearer {old}"}).status_code == 403
    assert signal(app, tl, s["id"])["zaak"]["status"] != zgw_double_status(zgw_double, url)
    good = make_token("notificaties", notif_secret)
    r = app.post(cb, json=message, headers={"Authorization": f"Bearer {good}"})
    assert r.status_code == 204, r.text
    assert signal(app, tl, s["id"])["zaak"]["status"] == zgw_double_status(zgw_double, url)
    # GET never shows a secret, and a PUT without it keeps the stored one.
    shown = app.get("/api/v1/export/zgw/config", headers=login(app, "beheerder")).json()
    assert shown["notificaties"] == {"client_id": "notificaties", "secret_set": True,
                                     "max_token_age_seconds": 3600}
    assert notif_secret not in str(shown)
    # By default (an abonnement's fixed Authorization value) an old token is fine.
    configure(app, zgw_double, notificaties={"client_id": "notificaties", "secret": notif_secret})
    assert app.post(cb, json=message, headers={"Authorization": f"Bearer {old}"}).status_code == 204
    assert notif_secret not in str(shown)


def test_who_may_hand_off_and_when_it_cannot(app, zgw_double, tl, reg):
    s = new_signal(app, reg, category="overlast", subcategory=None)
    not_set = hand_off(app, tl, s["id"])
    assert not_set.status_code == 409 and "niet ingesteld" in not_set.json()["detail"]
    jeugd_only = dict(zgw_double.config()["mappings"][0], category="jeugd")
    configure(app, zgw_double, mappings=[jeugd_only])
    no_mapping = hand_off(app, tl, s["id"])
    assert no_mapping.status_code == 422 and "overlast" in no_mapping.json()["detail"]
    preview = app.get("/api/v1/export/zgw/preview", params={"signalId": s["id"]}, headers=tl).json()
    assert preview["configured"] and not preview["allowed"] and "overlast" in preview["reason"]
    j = new_signal(app, reg)
    assert hand_off(app, reg, j["id"]).status_code == 403  # a regisseur, by default
    p = app.get("/api/v1/export/zgw/preview", params={"signalId": j["id"]}, headers=reg).json()
    assert p["allowed"] is False and p["zaaktype"] == zgw_double.zaaktype_url
    configure(app, zgw_double, mappings=[jeugd_only], regisseurs_may_hand_off=True)
    assert hand_off(app, reg, j["id"]).status_code == 202
    p = app.get("/api/v1/export/zgw/preview", params={"signalId": j["id"]}, headers=tl).json()
    assert p == {"configured": True, "allowed": True, "zaaktype": zgw_double.zaaktype_url,
                 "zaaktype_omschrijving": p["zaaktype_omschrijving"],
                 "vertrouwelijkheidaanduiding": "intern", "sends_description": True, "reason": None}
    assert p["zaaktype_omschrijving"]
    drain(app)


def test_a_token_older_than_an_hour_is_never_sent(app, zgw_double, tl, reg, monkeypatch):
    """Every call gets a fresh token: after the double's clock moved on two hours, the next
    hand-off still goes through (Open Zaak refuses tokens an hour after their iat)."""
    import types

    from server.zgw import token as token_module

    configure(app, zgw_double)
    first = new_signal(app, reg)
    hand_off(app, tl, first["id"])
    drain(app)
    # Two hours later for both sides: a token kept from the first hand-off would be refused.
    real = time.time
    monkeypatch.setattr(token_module, "time", types.SimpleNamespace(time=lambda: real() + 7200))
    zgw_double.clock = lambda: real() + 7200
    second = new_signal(app, reg)
    hand_off(app, tl, second["id"])
    drain(app)
    assert signal(app, tl, second["id"])["zaak"]["state"] == "done"
    assert not any(status == 403 for _, _, status in zgw_double.calls)


def test_outbox_counts(app, zgw_double, tl, reg, settings):
    configure(app, zgw_double)
    s = new_signal(app, reg)
    hand_off(app, tl, s["id"])
    db = open_database(settings).db
    assert outbox.counts(db.conn)["queued"] == 1
    drain(app)
    assert outbox.counts(db.conn) == {"queued": 0, "sending": 0, "done": 1, "failed": 0, "open": 1}
    db.close()


def test_photo_bytes_are_base64_of_the_stored_photo(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    s = new_signal(app, reg, photos=1)
    hand_off(app, tl, s["id"])
    drain(app)
    [doc] = zgw_double.documenten
    stored = app.get(f"/api/v1/attachments/{s['attachments'][0]}", headers=tl).content
    assert zgw_double.document_content(doc["url"]) == stored
    assert base64.b64encode(stored)  # sent as base64 inhoud (the double decoded it)
    assert doc["formaat"].startswith("image/") and doc["bestandsnaam"].startswith(doc["identificatie"][:8])


def test_a_regisseur_hands_off_only_in_their_own_areas(app, zgw_double, tl, reg):
    configure(app, zgw_double, regisseurs_may_hand_off=True)
    ens = login(app, "ens")  # a gebiedsregisseur of Ens only
    marknesse = new_signal(app, reg)
    assert hand_off(app, ens, marknesse["id"]).status_code == 404  # like any signal out of scope
    own = new_signal(app, ens, location={"lat": 52.6333, "lon": 5.8333, "accuracy_m": 10,
                                         "method": "gps"})
    assert hand_off(app, ens, own["id"]).status_code == 202
    kid = app.post("/api/v1/kwesties", json={"title": "Ens", "signal_ids": [own["id"]]},
                   headers=tl).json()["id"]
    p = app.get("/api/v1/export/zgw/preview", params={"kwestieId": kid}, headers=ens).json()
    assert p["allowed"] and p["zaaktype"] == zgw_double.zaaktype_url
    assert app.get("/api/v1/export/zgw/preview", headers=ens).status_code == 422
    drain(app)
    assert signal(app, ens, own["id"])["zaak"]["state"] == "done"


def kwestie_of(app, tl, ids, title="Samen"):
    r = app.post("/api/v1/kwesties", json={"title": title, "signal_ids": ids}, headers=tl)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_signal_in_a_kwesties_zaak_answers_that_zaak_and_makes_none(app, zgw_double, tl, reg,
                                                                       settings):
    """A signal's `zaak` says whose it is (`kwestie_id`); asking the signal for a zaak (the
    app's "Opnieuw proberen") answers the kwestie's hand-off instead of making a second zaak."""
    configure(app, zgw_double)
    a, b = new_signal(app, reg), new_signal(app, reg)
    own = new_signal(app, reg)
    hand_off(app, tl, own["id"])
    kid = kwestie_of(app, tl, [a["id"], b["id"]])
    app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl)
    drain(app)
    kwestie_zaak = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]
    assert kwestie_zaak["state"] == "done" and kwestie_zaak["kwestie_id"] is None
    shown = signal(app, tl, a["id"])["zaak"]
    assert shown["kwestie_id"] == kid and shown["identificatie"] == kwestie_zaak["identificatie"]
    assert signal(app, tl, own["id"])["zaak"]["kwestie_id"] is None
    listed = {x["id"]: x["zaak"] for x in app.get("/api/v1/signals", headers=tl).json()["items"]}
    assert listed[b["id"]]["kwestie_id"] == kid and listed[own["id"]]["kwestie_id"] is None
    again = hand_off(app, tl, a["id"])
    assert again.status_code == 202, again.text
    assert again.json()["identificatie"] == kwestie_zaak["identificatie"]
    assert again.json()["kwestie_id"] == kid and again.json()["state"] == "done"
    drain(app)
    assert len(zgw_double.zaken) == 2  # the kwestie's and `own`'s, nothing for a
    db = open_database(settings).db
    assert [r[0] for r in db.query("SELECT subject_id FROM zaak_handoffs WHERE"
                                   " subject_kind = 'signal'")] == [own["id"]]
    db.close()


def test_retrying_a_signal_of_a_failed_kwestie_hand_off_requeues_the_kwestie(app, zgw_double,
                                                                             tl, reg, settings):
    configure(app, zgw_double)
    ids = [new_signal(app, reg)["id"] for _ in range(2)]
    kid = kwestie_of(app, tl, ids)
    zgw_double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=1)
    app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl)
    drain(app)
    failed = signal(app, tl, ids[0])["zaak"]
    assert failed["state"] == "failed" and failed["kwestie_id"] == kid
    retried = hand_off(app, tl, ids[0], note="Nog een keer")
    assert retried.status_code == 202
    assert retried.json()["state"] == "queued" and retried.json()["kwestie_id"] == kid
    assert app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["state"] == "queued"
    drain(app)
    [made] = zgw_double.zaken
    assert made["kenmerken"][0]["kenmerk"] == kid and "Nog een keer" in made["toelichting"]
    assert signal(app, tl, ids[1])["zaak"]["state"] == "done"
    db = open_database(settings).db
    assert db.query_one("SELECT count(*) FROM zaak_handoffs WHERE subject_kind = 'signal'")[0] == 0
    db.close()


def test_a_signal_in_a_cbs_buurt_hands_off_its_wijk_and_buurt(settings, users, zgw_double, tmp_path):
    """With the CBS 2024 wijken and buurten imported (the default areas have only kernen), a
    signal in Marknesse becomes a zaak with its woonplaats, wijk and buurt: the double checks
    ObjectWijk/ObjectBuurt against the spec (2-character wijk and buurt codes, a 4-character
    gemGemeenteCode), so the CBS codes must be split (BU01710403 → 0171, 04, 03)."""
    import_cbs(settings, write_cbs_gpkg(tmp_path / "cbs.gpkg"))
    with zgw_app(settings) as app:
        configure(app, zgw_double)
        tl = login(app, "teamleider")
        s = new_signal(app, login(app, "regisseur"))
        assert s["buurt"] is not None and s["buurt"]["code"].startswith("BU017104")
        assert hand_off(app, tl, s["id"]).status_code == 202
        drain(app)
        assert signal(app, tl, s["id"])["zaak"]["state"] == "done"
    code = s["buurt"]["code"]
    objects = {o["objectType"]: o["objectIdentificatie"] for o in zgw_double.zaakobjecten}
    assert set(objects) == {"woonplaats", "wijk", "buurt"}
    assert objects["wijk"] == {"wijkCode": "04", "wijkNaam": s["wijk"]["name"][:40],
                               "gemGemeenteCode": "0171"}
    assert objects["buurt"] == {"buurtCode": code[8:10], "buurtNaam": s["buurt"]["name"][:40],
                                "gemGemeenteCode": "0171", "wykWijkCode": "04"}
    assert zgw_double.violations == []


def test_a_regisseur_hands_off_no_kwestie_with_signals_of_other_areas(app, zgw_double, tl, reg):
    """A gebiedsregisseur may hand off for their own areas only: a kwestie that also holds a
    signal elsewhere is refused (403, preview says why); a team lead hands it off."""
    configure(app, zgw_double, regisseurs_may_hand_off=True)
    ens = login(app, "ens")
    own = new_signal(app, ens, location={"lat": 52.6333, "lon": 5.8333, "accuracy_m": 10,
                                         "method": "gps"})
    elsewhere = new_signal(app, reg)
    kid = kwestie_of(app, tl, [own["id"], elsewhere["id"]])
    p = app.get("/api/v1/export/zgw/preview", params={"kwestieId": kid}, headers=ens).json()
    assert p["allowed"] is False and "buiten uw gebieden" in p["reason"]
    refused = app.post(f"/api/v1/kwesties/{kid}/zaak", headers=ens)
    assert refused.status_code == 403 and "buiten uw gebieden" in refused.json()["detail"]
    assert signal(app, tl, elsewhere["id"])["status"] != "doorgezet" and zgw_double.zaken == []
    assert app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl).status_code == 202
    drain(app)
    answered = hand_off(app, ens, own["id"])  # asking now only answers the kwestie's zaak
    assert answered.status_code == 202 and answered.json()["kwestie_id"] == kid
    assert len(zgw_double.zaken) == 1


def test_an_unexpected_error_is_retried_then_stops_in_dutch(app, zgw_double, tl, reg, monkeypatch):
    """A bug (here a KeyError) is logged and retried like a passing fault, but not forever:
    after the last try the hand-off stops, and the signal says so in Dutch, without the
    exception's name."""
    configure(app, zgw_double)
    s = new_signal(app, reg)
    worker = runtime(app).worker
    monkeypatch.setattr(worker, "max_attempts", 3)

    def broken(row, at):
        raise KeyError("url")
    monkeypatch.setattr(worker.sender, "send", broken)
    hand_off(app, tl, s["id"])
    worker.run_once(time.time())
    waiting = signal(app, tl, s["id"])["zaak"]
    assert waiting["state"] == "queued" and "onverwachts" in waiting["error"]
    drain(app)
    zaak = signal(app, tl, s["id"])["zaak"]
    assert zaak["state"] == "failed" and "Na 3 pogingen opgegeven" in zaak["error"]
    assert "KeyError" not in zaak["error"] and "url" not in zaak["error"]


def test_a_kwestie_with_a_personal_signal_sends_no_personal_data_anywhere(app, zgw_double, tl, reg):
    """Nothing of a personal-data signal reaches the case system unless the mapping allows
    it: not its description, not the kwestie's title and description (a team lead may have
    named the resident there), not its photo, not in a zaakobject; and no author's name."""
    import json

    configure(app, zgw_double)
    secret = new_signal(app, reg, photos=1, contains_personal_data=True,
                        description="Mevrouw De Vries op Hoofdweg 12 belde.")
    plain = new_signal(app, reg, photos=1)
    r = app.post("/api/v1/kwesties", json={"title": "Overlast bij De Vries", "description":
                                           "Zie ook Hoofdweg 12", "signal_ids": [secret["id"], plain["id"]]},
                 headers=tl)
    kid = r.json()["id"]
    assert app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl).status_code == 202
    drain(app)
    assert app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["state"] == "done"
    sent = json.dumps([zgw_double.zaken, zgw_double.statussen, zgw_double.zaakobjecten,
                       zgw_double.documenten, zgw_double.zaakinformatieobjecten])
    for word in ("De Vries", "Hoofdweg", "regisseur", "teamleider"):
        assert word not in sent, word
    [made] = zgw_double.zaken
    assert "persoonsgegevens" in made["toelichting"]
    stored = app.get(f"/api/v1/attachments/{plain['attachments'][0]}", headers=tl).content
    assert [zgw_double.document_content(d["url"]) for d in zgw_double.documenten] == [stored]


def test_one_unreadable_zaak_does_not_stop_the_poll_of_the_others(app, zgw_double, tl, reg,
                                                                   monkeypatch):
    configure(app, zgw_double)
    a, b = new_signal(app, reg), new_signal(app, reg)
    for s in (a, b):
        hand_off(app, tl, s["id"])
    drain(app)
    urls = [signal(app, tl, s["id"])["zaak"]["url"] for s in (a, b)]
    for url in urls:
        zgw_double.close(url)
    progress = runtime(app).progress
    read = progress._read

    def odd(client, zaak_url):  # e.g. a status without its statustype
        if zaak_url == urls[0]:
            raise KeyError("statustype")
        return read(client, zaak_url)
    monkeypatch.setattr(progress, "_read", odd)
    result = runtime(app).poll()
    assert (result.polled, result.errors, result.closed) == (2, 1, 1)
    assert signal(app, tl, b["id"])["status"] == "afgesloten"
    assert signal(app, tl, a["id"])["status"] == "doorgezet"


def test_a_signal_added_to_a_handed_off_kwestie_joins_its_zaak(app, zgw_double, tl, reg):
    """A signal added to a kwestie whose zaak is made shows that zaak (`kwestie_id`), so the
    zaak must hold it too: the hand-off goes again and adds only what is missing (its
    zaakobject and photo), keeping the status the poller read; no second zaak."""
    configure(app, zgw_double)
    a, b = new_signal(app, reg), new_signal(app, reg)
    kid = kwestie_of(app, tl, [a["id"], b["id"]])
    app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl)
    drain(app)
    url = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["url"]
    zgw_double.advance(url)
    runtime(app).poll()
    polled = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["status"]
    late = new_signal(app, reg, photos=1)
    r = app.post(f"/api/v1/kwesties/{kid}/signals", json={"signal_ids": [late["id"]]}, headers=tl)
    assert r.status_code == 200, r.text
    shown = signal(app, tl, late["id"])["zaak"]
    assert shown["kwestie_id"] == kid and shown["state"] == "queued"
    drain(app)
    objects = {o["objectIdentificatie"]["overigeData"]["identificatie"]
               for o in zgw_double.zaakobjecten if o["objectType"] == "overige"}
    assert objects == {a["id"], b["id"], late["id"]}
    assert len(zgw_double.zaken) == 1 and len(zgw_double.documenten) == 1
    assert len(zgw_double.statussen) == 2  # the first and the advanced one, nothing again
    kwestie = app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]
    assert kwestie["state"] == "done" and kwestie["status"] == polled
    # Asking the kwestie again now changes nothing: every signal is in its zaak.
    again = app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl).json()
    assert again["state"] == "done"


def test_a_signal_added_while_the_kwestie_is_being_sent_is_not_lost(app, zgw_double, tl, reg,
                                                                    monkeypatch):
    """The kwestie's zaakobjecten are made from the signals it had when the try began; one
    added during the try (the requeue only takes a finished hand-off) goes with a next try."""
    configure(app, zgw_double)
    a = new_signal(app, reg)
    late = new_signal(app, reg)
    kid = kwestie_of(app, tl, [a["id"]])
    app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl)
    sender = runtime(app).sender
    send = sender.send

    def add_during(row, at):
        out = send(row, at)
        monkeypatch.setattr(sender, "send", send)
        r = app.post(f"/api/v1/kwesties/{kid}/signals", json={"signal_ids": [late["id"]]}, headers=tl)
        assert r.status_code == 200, r.text
        return out
    monkeypatch.setattr(sender, "send", add_during)
    drain(app)
    objects = {o["objectIdentificatie"]["overigeData"]["identificatie"]
               for o in zgw_double.zaakobjecten if o["objectType"] == "overige"}
    assert objects == {a["id"], late["id"]} and len(zgw_double.zaken) == 1
    assert app.get(f"/api/v1/kwesties/{kid}", headers=tl).json()["zaak"]["state"] == "done"


def pull(app, headers, cursor=None):
    r = app.get("/api/v1/sync/pull", params={"limit": 500, **({"cursor": cursor} if cursor else {})},
                headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_failed_hand_off_puts_the_signals_status_back(app, zgw_double, tl, reg):
    """No "Doorgezet" without a zaak: a hand-off that fails for good gives its signals back
    the status they had (by the system user, version up, a sync pull sees it); a signal a
    user changed since keeps the user's status; asking again sets "doorgezet" again."""
    configure(app, zgw_double)
    s = new_signal(app, reg)
    r = app.patch(f"/api/v1/signals/{s['id']}", json={"status": "in_behandeling"}, headers=tl)
    assert r.status_code == 200, r.text
    zgw_double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=1)
    hand_off(app, tl, s["id"])
    handed = signal(app, tl, s["id"])
    assert handed["status"] == "doorgezet"
    cursor = pull(app, tl)["cursor"]
    drain(app)
    back = signal(app, tl, s["id"])
    assert back["zaak"]["state"] == "failed" and back["status"] == "in_behandeling"
    assert back["version"] > handed["version"]
    changed = pull(app, tl, cursor)["changes"]
    assert [c["signal"]["status"] for c in changed if c["signal"]["id"] == s["id"]] == ["in_behandeling"]
    history = app.get(f"/api/v1/signals/{s['id']}/history", headers=tl).json()["items"]
    assert history[-1]["by"] == "zaaksysteem"
    assert history[-1]["changes"] == [{"field": "status", "from": "doorgezet", "to": "in_behandeling"}]
    # Asking again: "doorgezet" again in the same request; now it goes through and stays.
    assert hand_off(app, tl, s["id"]).json()["state"] == "queued"
    assert signal(app, tl, s["id"])["status"] == "doorgezet"
    drain(app)
    done = signal(app, tl, s["id"])
    assert done["zaak"]["state"] == "done" and done["status"] == "doorgezet"


def test_a_users_change_since_the_hand_off_wins_over_putting_back(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    ids = [new_signal(app, reg)["id"] for _ in range(2)]
    kid = kwestie_of(app, tl, ids)
    zgw_double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=1)
    assert app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl).status_code == 202
    assert [signal(app, tl, i)["status"] for i in ids] == ["doorgezet", "doorgezet"]
    r = app.patch(f"/api/v1/signals/{ids[1]}", json={"status": "afgesloten"}, headers=tl)
    assert r.status_code == 200, r.text
    drain(app)
    assert signal(app, tl, ids[0])["zaak"]["state"] == "failed"
    assert [signal(app, tl, i)["status"] for i in ids] == ["nieuw", "afgesloten"]


def test_a_note_longer_than_always_fits_is_refused_with_422(app, zgw_double, tl, reg):
    configure(app, zgw_double)
    s = new_signal(app, reg)
    r = hand_off(app, tl, s["id"], note="n" * 601)
    assert r.status_code == 422 and "note" in [e["name"] for e in r.json()["errors"]]
    assert hand_off(app, tl, s["id"], note="n" * 600).status_code == 202
    drain(app)
    [made] = zgw_double.zaken
    assert "n" * 600 in made["toelichting"] and len(made["toelichting"]) <= 1000
