"""A status change made offline does not undo a closing by arrival time (issue 12): the
signal stays afgesloten, and the phone is told its change was lost, with both values."""

from __future__ import annotations

from conftest import MARKNESSE, signal_body
from sync_device import Device


def _push(client, headers, device: Device) -> list[dict]:
    r = client.post("/api/v1/sync/push", json=device.push_body(), headers=headers)
    assert r.status_code == 200, r.text
    device.handle_push(r.json())
    return r.json()["results"]


def _on_phone(client, headers, device: Device) -> str:
    sid = device.create({k: v for k, v in signal_body(*MARKNESSE).items() if k != "id"})
    [created] = _push(client, headers, device)
    assert created["status"] == "applied" and device.store[sid]["version"] == 1
    return sid


def test_doorgezet_offline_does_not_reopen_a_signal_closed_meanwhile(client, regisseur, teamleider):
    phone = Device("regisseur")
    sid = _on_phone(client, regisseur, phone)
    phone.edit(sid, {"status": "doorgezet", "urgency": "hoog"})  # offline, based on version 1

    r = client.patch(f"/api/v1/signals/{sid}", json={"status": "afgesloten"}, headers=teamleider)
    assert r.status_code == 200, r.text

    [result] = _push(client, regisseur, phone)
    assert result["status"] == "conflict"
    assert result["lost"] == {"status": "doorgezet"}
    assert result["server"]["status"] == "afgesloten"
    assert result["server"]["urgency"] == "hoog"  # what nobody else changed is still taken
    assert [e["name"] for e in result["problem"]["errors"]] == ["status"]
    stored = client.get(f"/api/v1/signals/{sid}", headers=teamleider).json()
    assert (stored["status"], stored["urgency"]) == ("afgesloten", "hoog")
    assert phone.store[sid]["status"] == "afgesloten"

    # Sent again (a lost answer): the same outcome, the same lost value.
    again = client.post("/api/v1/sync/push", headers=regisseur, json={
        "device_id": phone.device_id, "mutations": [{
            "id": result["id"], "seq": 2, "op": "update", "signal_id": sid, "base_version": 1,
            "data": {"status": "doorgezet", "urgency": "hoog"}}]}).json()["results"][0]
    assert (again["status"], again.get("lost")) == ("duplicate", {"status": "doorgezet"})


def test_only_a_status_change_is_a_conflict_with_nothing_stored(client, regisseur, teamleider):
    phone = Device("regisseur")
    sid = _on_phone(client, regisseur, phone)
    phone.edit(sid, {"status": "doorgezet"})
    client.patch(f"/api/v1/signals/{sid}", json={"status": "afgesloten"}, headers=teamleider)
    [result] = _push(client, regisseur, phone)
    assert (result["status"], result["lost"], result["version"]) == (
        "conflict", {"status": "doorgezet"}, 2)
    assert result["server"]["status"] == "afgesloten"


def test_reopening_a_signal_the_phone_saw_closed_is_taken(client, regisseur, teamleider):
    phone = Device("regisseur")
    sid = _on_phone(client, regisseur, phone)
    phone.edit(sid, {"status": "afgesloten"})
    _push(client, regisseur, phone)
    phone.edit(sid, {"status": "in_behandeling"})  # based on the closed version
    [result] = _push(client, regisseur, phone)
    assert result["status"] == "applied" and "lost" not in result
    assert result["server"]["status"] == "in_behandeling"


def test_both_changed_otherwise_the_later_change_still_wins(client, regisseur, teamleider):
    phone = Device("regisseur")
    sid = _on_phone(client, regisseur, phone)
    phone.edit(sid, {"status": "doorgezet"})
    client.patch(f"/api/v1/signals/{sid}", json={"status": "in_behandeling"}, headers=teamleider)
    [result] = _push(client, regisseur, phone)
    assert result["status"] == "conflict"
    assert result["server"]["status"] == "doorgezet"
    assert "lost" not in result  # the phone's change won: nothing lost


def test_rest_patch_with_if_match_keeps_afgesloten(client, regisseur, teamleider):
    r = client.post("/api/v1/signals", json=signal_body(), headers=regisseur)
    sid = r.json()["id"]
    client.patch(f"/api/v1/signals/{sid}", json={"status": "afgesloten"}, headers=teamleider)
    r = client.patch(f"/api/v1/signals/{sid}", json={"status": "doorgezet", "urgency": "hoog"},
                     headers={**regisseur, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["urgency"]) == ("afgesloten", "hoog")
    assert r.headers["Conflict-Fields"] == "status"
    # Without a base version the change is made on what the user sees now: taken.
    r = client.patch(f"/api/v1/signals/{sid}", json={"status": "doorgezet"}, headers=regisseur)
    assert r.json()["status"] == "doorgezet"


def test_a_lost_subcategory_does_not_say_the_signal_was_closed(client, regisseur, teamleider):
    """The category changed elsewhere, so the phone's new subcategory did not fit and was not
    taken: the answer names that reason, not a closing that never happened."""
    phone = Device("regisseur")
    sid = phone.create({k: v for k, v in signal_body(*MARKNESSE, subcategory=None).items()
                        if k != "id"})
    _push(client, regisseur, phone)
    phone.edit(sid, {"category": "jeugd", "subcategory": "ontmoetingsplek"})
    r = client.patch(f"/api/v1/signals/{sid}", json={"category": "overlast"}, headers=teamleider)
    assert r.status_code == 200, r.text
    [result] = _push(client, regisseur, phone)
    assert (result["status"], result["lost"]) == ("conflict", {"subcategory": "ontmoetingsplek"})
    assert result["server"]["status"] == "nieuw"
    assert "afgesloten" not in result["problem"]["detail"]
    assert "categorie" in result["problem"]["detail"]


def test_a_subcategory_that_no_longer_fits_loses_to_the_one_set_with_the_new_category(
        client, regisseur, teamleider):
    """The team lead moved the signal to another category with a fitting subcategory; the
    phone's older subcategory change does not fit it: the lead's subcategory stays (not
    emptied), and the phone is told its value was lost."""
    phone = Device("regisseur")
    sid = _on_phone(client, regisseur, phone)  # jeugd / jeugdoverlast
    phone.edit(sid, {"category": "jeugd", "subcategory": "ontmoetingsplek"})
    r = client.patch(f"/api/v1/signals/{sid}", json={"category": "overlast", "subcategory": "geluid"},
                     headers=teamleider)
    assert r.status_code == 200, r.text
    [result] = _push(client, regisseur, phone)
    assert result["status"] == "conflict"
    assert (result["server"]["category"], result["server"]["subcategory"]) == ("overlast", "geluid")
    assert result["lost"] == {"subcategory": "ontmoetingsplek"}
    stored = client.get(f"/api/v1/signals/{sid}", headers=teamleider).json()
    assert (stored["category"], stored["subcategory"]) == ("overlast", "geluid")
