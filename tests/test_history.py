"""A signal's history (issue 12): who changed which field from what to what, and when, oldest
first; only for whom may see the signal; a read of personal data is logged; content removed
on purpose (a delete, an erasure) does not come back through the history."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.privacy.requests import erase

from conftest import EMMELOORD, MARKNESSE, login, signal_body

SIGNALS = "/api/v1/signals"


def create(client, headers, **fields) -> str:
    body = signal_body(**fields)
    r = client.post(SIGNALS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def patch(client, headers, signal_id: str, **fields) -> None:
    r = client.patch(f"{SIGNALS}/{signal_id}", json=fields, headers=headers)
    assert r.status_code == 200, r.text


def history(client, headers, signal_id: str) -> list[dict]:
    r = client.get(f"{SIGNALS}/{signal_id}/history", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_history_says_who_changed_which_field_from_what_to_what(client, regisseur, teamleider):
    signal_id = create(client, regisseur, description="Jongeren bij het dorpshuis")
    patch(client, regisseur, signal_id, status="in_behandeling", description="Jongeren bij de kerk")
    patch(client, teamleider, signal_id, urgency="hoog", follow_up_date="2026-12-24")
    patch(client, regisseur, signal_id, location={"lat": EMMELOORD[0], "lon": EMMELOORD[1]})
    patch(client, teamleider, signal_id, status="afgesloten", contains_personal_data=True)

    items = history(client, regisseur, signal_id)
    assert [(i["op"], i["by"]) for i in items] == [
        ("create", "regisseur"), ("update", "regisseur"), ("update", "teamleider"),
        ("update", "regisseur"), ("update", "teamleider")]
    times = [datetime.fromisoformat(i["at"]) for i in items]
    assert times == sorted(times)
    assert items[0]["changes"] == []
    assert items[1]["changes"] == [
        {"field": "description", "from": "Jongeren bij het dorpshuis", "to": "Jongeren bij de kerk"},
        {"field": "status", "from": "nieuw", "to": "in_behandeling"}]
    assert items[2]["changes"] == [
        {"field": "urgency", "from": "normaal", "to": "hoog"},
        {"field": "follow_up_date", "from": None, "to": "2026-12-24"}]
    assert items[3]["changes"] == [{"field": "location",
                                    "from": {"lat": MARKNESSE[0], "lon": MARKNESSE[1],
                                             "accuracy_m": 12, "method": "gps"},
                                    "to": {"lat": EMMELOORD[0], "lon": EMMELOORD[1],
                                           "accuracy_m": None, "method": "gps"}}]
    assert items[4]["changes"] == [
        {"field": "status", "from": "in_behandeling", "to": "afgesloten"},
        {"field": "contains_personal_data", "from": False, "to": True}]


def test_a_change_through_sync_is_in_the_history_with_its_user(client, regisseur):
    signal_id = create(client, regisseur)
    r = client.post("/api/v1/sync/push", headers=regisseur, json={
        "device_id": str(uuid.uuid4()), "mutations": [
            {"id": str(uuid.uuid4()), "seq": 1, "op": "update", "signal_id": signal_id,
             "base_version": 1, "data": {"status": "doorgezet"}}]})
    assert r.status_code == 200, r.text
    items = history(client, login(client, "teamleider"), signal_id)
    assert items[-1]["by"] == "regisseur"
    assert items[-1]["changes"] == [{"field": "status", "from": "nieuw", "to": "doorgezet"}]


def test_history_only_for_whom_may_see_the_signal(client, regisseur):
    signal_id = create(client, regisseur)  # in Marknesse: not in the areas of `ens`
    r = client.get(f"{SIGNALS}/{signal_id}/history", headers=login(client, "ens"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"{SIGNALS}/{uuid.uuid4()}/history", headers=regisseur).status_code == 404
    assert client.get(f"{SIGNALS}/{signal_id}/history").status_code == 401


def test_a_deleted_signal_has_a_history_for_the_beheerder_only_without_content(client, regisseur):
    signal_id = create(client, regisseur, description="Geheim: naam van de buurman")
    patch(client, regisseur, signal_id, description="Nog steeds de buurman")
    assert client.delete(f"{SIGNALS}/{signal_id}", headers=regisseur).status_code == 204
    for user in ("regisseur", "teamleider"):
        r = client.get(f"{SIGNALS}/{signal_id}/history", headers=login(client, user))
        assert r.status_code == 404, user
    r = client.get(f"{SIGNALS}/{signal_id}/history", headers=login(client, "beheerder"))
    assert r.status_code == 200
    assert [(i["op"], i["changes"]) for i in r.json()["items"]] == [
        ("create", []), ("update", []), ("delete", [])]
    assert "buurman" not in r.text


def test_erased_text_does_not_come_back_through_the_history(client, regisseur, settings):
    signal_id = create(client, regisseur, description="Mevrouw Jansen, Hoofdweg 3, valt vaak",
                       contains_personal_data=True)
    patch(client, regisseur, signal_id, description="Mevrouw Jansen krijgt nu thuiszorg")
    assert "Hoofdweg" in client.get(f"{SIGNALS}/{signal_id}/history", headers=regisseur).text
    erase(client.app.state.db, [signal_id], settings.attachments_dir, by="test")
    r = client.get(f"{SIGNALS}/{signal_id}/history", headers=regisseur)
    assert r.status_code == 200
    assert "Jansen" not in r.text
    assert [i["op"] for i in r.json()["items"]] == ["create", "update", "update"]


def test_reading_the_history_of_personal_data_is_logged(client, regisseur):
    personal = create(client, regisseur, contains_personal_data=True)
    plain = create(client, regisseur)
    db = client.app.state.db

    def reads() -> list[tuple]:
        return [tuple(r) for r in db.query(
            "SELECT username, object FROM audit_log WHERE action = 'signal_read_personal'")]

    before = reads()
    history(client, regisseur, plain)
    assert reads() == before
    history(client, regisseur, personal)
    assert reads() == [*before, ("regisseur", personal)]


def test_the_history_of_a_signal_once_marked_personal_is_a_logged_read(client, regisseur):
    """The mark taken off later does not make the old text shown by the history unlogged."""
    signal_id = create(client, regisseur, description="Meneer Jansen van nummer 4 belde",
                       contains_personal_data=True)
    patch(client, regisseur, signal_id, description="Een buurtbewoner belde",
          contains_personal_data=False)
    db = client.app.state.db
    before = db.query("SELECT count(*) FROM audit_log WHERE action = 'signal_read_personal'"
                      " AND object = ?", (signal_id,))[0][0]
    items = history(client, regisseur, signal_id)
    assert items[1]["changes"][0]["from"] == "Meneer Jansen van nummer 4 belde"
    after = db.query("SELECT count(*) FROM audit_log WHERE action = 'signal_read_personal'"
                     " AND object = ?", (signal_id,))[0][0]
    assert after == before + 1


def test_a_hand_over_is_in_the_history(client, regisseur):
    signal_id = create(client, regisseur)
    patch(client, regisseur, signal_id, assignee="teamleider", assignment_note="Graag bellen")
    assert history(client, regisseur, signal_id)[-1]["changes"] == [
        {"field": "assignee", "from": None, "to": "teamleider"},
        {"field": "assignment_note", "from": None, "to": "Graag bellen"}]
