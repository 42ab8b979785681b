"""Hand-over and "hoort bij" (issue 12): a signal handed to a colleague shows up for them (list,
single read, their phone) until it is handed back; only real, active colleagues can take one;
a signal can belong with an earlier one the user may see, never with itself or in a circle."""

from __future__ import annotations

import uuid

from test_pull_removals import create, removed, sync

from server.bootstrap import open_database
from server.users.accounts import disable

from conftest import EMMELOORD, MARKNESSE, login, signal_body
from sync_device import Device


def _push(client, headers, device: Device) -> list[dict]:
    body = device.push_body()
    r = client.post("/api/v1/sync/push", json=body, headers=headers)
    assert r.status_code == 200, r.text
    device.handle_push(r.json())
    return r.json()["results"]


def _listed(client, headers) -> set[str]:
    r = client.get("/api/v1/signals", params={"limit": 500}, headers=headers)
    assert r.status_code == 200, r.text
    return {s["id"] for s in r.json()["items"]}


def test_assigned_via_rest_the_colleague_sees_it_and_unassigned_their_phone_drops_it(client, regisseur):
    ens, phone = login(client, "ens"), Device("ens")
    sid = create(client, regisseur, MARKNESSE)  # Marknesse: not in Ens's areas
    assert sid not in _listed(client, ens)
    sync(client, ens, phone)
    assert sid not in phone.store

    r = client.patch(f"/api/v1/signals/{sid}", headers=regisseur,
                     json={"assignee": "ens", "assignment_note": "Wil jij dit overnemen?"})
    assert r.status_code == 200, r.text
    assert (r.json()["assignee"], r.json()["assignment_note"]) == ("ens", "Wil jij dit overnemen?")

    assert sid in _listed(client, ens)
    got = client.get(f"/api/v1/signals/{sid}", headers=ens)
    assert got.status_code == 200 and got.json()["assignee"] == "ens"
    sync(client, ens, phone)
    assert phone.store[sid]["assignee"] == "ens"
    assert phone.store[sid]["assignment_note"] == "Wil jij dit overnemen?"

    # The assignee may work on it like any signal they see.
    r = client.patch(f"/api/v1/signals/{sid}", json={"status": "in_behandeling"}, headers=ens)
    assert r.status_code == 200, r.text

    r = client.patch(f"/api/v1/signals/{sid}", json={"assignee": None, "assignment_note": None},
                     headers=regisseur)
    assert r.status_code == 200 and r.json()["assignee"] is None
    pulled = sync(client, ens, phone)
    assert sid in removed(pulled)
    assert sid not in phone.store
    assert sid not in _listed(client, ens)
    assert client.get(f"/api/v1/signals/{sid}", headers=ens).status_code == 404


def test_handed_on_to_someone_else_leaves_the_former_assignee_only_if_they_do_not_see_it_otherwise(
        client, regisseur):
    ens, phone = login(client, "ens"), Device("ens")
    elsewhere = create(client, regisseur, MARKNESSE)
    client.patch(f"/api/v1/signals/{elsewhere}", json={"assignee": "ens"}, headers=regisseur)
    # In Ens's own area: handed on, Ens still sees it there.
    own = create(client, regisseur, (52.6333, 5.8333))
    client.patch(f"/api/v1/signals/{own}", json={"assignee": "ens"}, headers=regisseur)
    sync(client, ens, phone)
    assert {elsewhere, own} <= set(phone.store)

    for sid in (elsewhere, own):
        r = client.patch(f"/api/v1/signals/{sid}", json={"assignee": "teamleider"}, headers=regisseur)
        assert r.status_code == 200, r.text
    sync(client, ens, phone)
    assert elsewhere not in phone.store
    assert phone.store[own]["assignee"] == "teamleider"


def test_assigned_in_a_push_the_colleague_pulls_it(client, regisseur):
    me, ens = Device("regisseur"), login(client, "ens")
    sid = me.create({k: v for k, v in signal_body(*EMMELOORD).items() if k != "id"}
                    | {"assignee": "ens", "assignment_note": "Ken jij deze ondernemer?"})
    [result] = _push(client, regisseur, me)
    assert result["status"] == "applied", result
    assert result["server"]["assignee"] == "ens"

    phone = Device("ens")
    sync(client, ens, phone)
    assert phone.store[sid]["assignment_note"] == "Ken jij deze ondernemer?"

    # Handed back by the maker's phone, offline: Ens's phone drops it on the next pull.
    me.edit(sid, {"assignee": None})
    [result] = _push(client, regisseur, me)
    assert result["status"] == "applied", result
    assert sid in removed(sync(client, ens, phone))
    assert sid not in phone.store


def test_an_unknown_or_disabled_assignee_is_refused(client, regisseur, settings):
    sid = create(client, regisseur, MARKNESSE)
    r = client.patch(f"/api/v1/signals/{sid}", json={"assignee": "niemand"}, headers=regisseur)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in r.json()["errors"]] == ["assignee"]
    assert "niemand" in r.json()["detail"]

    db = open_database(settings).db
    disable(db, "ens")
    db.close()
    r = client.post("/api/v1/signals", json=signal_body(assignee="ens"), headers=regisseur)
    assert r.status_code == 422, r.text

    phone = Device("regisseur")
    new = phone.create({k: v for k, v in signal_body().items() if k != "id"} | {"assignee": "ens"})
    [result] = _push(client, regisseur, phone)
    assert result["status"] == "rejected"
    assert result["problem"]["errors"][0]["name"] == "assignee"
    assert client.get(f"/api/v1/signals/{new}", headers=regisseur).status_code == 404
    assert client.get(f"/api/v1/signals/{sid}", headers=regisseur).json()["assignee"] is None


def test_hoort_bij_links_to_a_visible_signal_never_itself_nor_a_circle(client, regisseur):
    first = create(client, regisseur, MARKNESSE)
    second = create(client, regisseur, MARKNESSE, related_to=first)
    got = client.get(f"/api/v1/signals/{second}", headers=regisseur).json()
    assert got["related_to"] == first

    def link(sid: str, target: str | None, headers=regisseur):
        return client.patch(f"/api/v1/signals/{sid}", json={"related_to": target}, headers=headers)

    assert link(first, first).status_code == 422
    third = create(client, regisseur, MARKNESSE, related_to=second)
    r = link(first, third)  # first ← second ← third: third → first would close the circle
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["name"] == "related_to"
    assert link(first, str(uuid.uuid4())).status_code == 422  # no such signal

    # A signal the user may not see is answered like one that does not exist.
    ens = login(client, "ens")
    mine = create(client, ens, (52.6333, 5.8333))
    r = link(mine, first, ens)
    assert r.status_code == 422 and "niet zien" in r.json()["errors"][0]["reason"]
    assert client.get(f"/api/v1/signals/{mine}", headers=ens).json()["related_to"] is None
    # Undone, the link can be made again elsewhere.
    assert link(second, None).status_code == 200
    assert link(first, third).status_code == 200

    # Pushed from a phone: the same rules, one mutation refused, the other applied.
    phone = Device("regisseur")
    phone.store[third] = client.get(f"/api/v1/signals/{third}", headers=regisseur).json()
    phone.edit(third, {"related_to": third})
    ok = phone.create({k: v for k, v in signal_body().items() if k != "id"} | {"related_to": third})
    results = _push(client, regisseur, phone)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert client.get(f"/api/v1/signals/{ok}", headers=regisseur).json()["related_to"] == third


def test_a_hand_over_note_is_found_and_erased_on_a_residents_request(client, regisseur, settings, capsys):
    from test_audit import cli

    from server.privacy.blank import ERASURE_MARKER

    sid = create(client, regisseur, MARKNESSE)
    r = client.patch(f"/api/v1/signals/{sid}", headers=regisseur, json={
        "assignee": "ens", "assignment_note": "Bel mevrouw De Boer terug, Zuiderkade 4."})
    assert r.status_code == 200, r.text
    # An earlier note is in a kept version too.
    client.patch(f"/api/v1/signals/{sid}", headers=regisseur,
                 json={"assignment_note": "Terugbellen gedaan."})
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "de boer")
    assert code == 0, err
    assert [line.split("\t")[0] for line in out.splitlines()] == [sid]
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "--yes", sid)
    assert code == 0, err
    got = client.get(f"/api/v1/signals/{sid}", headers=regisseur).json()
    assert (got["description"], got["assignment_note"], got["assignee"]) == (ERASURE_MARKER, None, "ens")
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "terugbellen")
    assert out == ""
