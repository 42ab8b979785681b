"""Copies never outlive access: a pull tells the phone to drop a signal that left the user's
scope (moved by an edit or an area import, deleted, or the user's areas changed)."""

from __future__ import annotations

import uuid

from geo.areas import Area
from geo.boundaries import Boundaries
from server.areas.importer import import_boundaries
from server.areas.store import AreaCatalog, load_areas
from server.bootstrap import open_database
from server.signals.service import SignalService
from server.users.store import add_user

from conftest import EMMELOORD, MARKNESSE, PASSWORDS, login, signal_body
from sync_device import Device

ENS = (52.6333, 5.8333)
ENS_CODE = "WK017106"


def at(point: tuple[float, float]) -> dict:
    return {"lat": point[0], "lon": point[1], "accuracy_m": 10, "method": "gps"}


def create(client, headers, point: tuple[float, float], **fields) -> str:
    body = signal_body(*point, **fields)
    r = client.post("/api/v1/signals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def sync(client, headers, device: Device) -> list[dict]:
    """Push the outbox and pull until done, as the app does; returns the changes pulled."""
    while (body := device.push_body()) is not None:
        r = client.post("/api/v1/sync/push", json=body, headers=headers)
        assert r.status_code == 200, r.text
        device.handle_push(r.json())
    pulled: list[dict] = []
    more = True
    while more:
        params = {"cursor": device.cursor} if device.cursor else {}
        r = client.get("/api/v1/sync/pull", params=params, headers=headers)
        assert r.status_code == 200, r.text
        pulled += r.json()["changes"]
        more = device.handle_pull(r.json())
    return pulled


def removed(changes: list[dict]) -> set[str]:
    return {c["deleted"] for c in changes if "deleted" in c}


def test_a_signal_moved_out_by_an_edit_is_removed_from_the_phone(client, regisseur):
    ens, phone = login(client, "ens"), Device("ens")
    moving = create(client, regisseur, ENS)
    staying = create(client, regisseur, ENS)
    elsewhere = create(client, regisseur, EMMELOORD)
    sync(client, ens, phone)
    assert set(phone.store) == {moving, staying}
    r = client.patch(f"/api/v1/signals/{moving}", json={"location": at(EMMELOORD)}, headers=regisseur)
    assert r.status_code == 200, r.text
    client.patch(f"/api/v1/signals/{elsewhere}", json={"urgency": "hoog"}, headers=regisseur)
    pulled = sync(client, ens, phone)
    assert set(phone.store) == {staying}
    # Only what the user had: nothing about a signal they could never see.
    assert pulled == [{"deleted": moving, "version": 2}]
    # A later pull sends nothing more; moving it back brings it back.
    assert sync(client, ens, phone) == []
    client.patch(f"/api/v1/signals/{moving}", json={"location": at(ENS)}, headers=regisseur)
    sync(client, ens, phone)
    assert set(phone.store) == {moving, staying}


def test_a_deleted_signal_is_removed_from_the_phone(client, regisseur):
    ens, phone = login(client, "ens"), Device("ens")
    sid = create(client, regisseur, ENS)
    sync(client, ens, phone)
    assert sid in phone.store
    assert client.delete(f"/api/v1/signals/{sid}", headers=regisseur).status_code == 204
    assert sync(client, ens, phone) == [{"deleted": sid, "version": 2}]
    assert phone.store == {}


def test_a_signal_moved_out_by_an_area_import_is_removed(client, regisseur, settings):
    ens, phone = login(client, "ens"), Device("ens")
    sid = create(client, regisseur, ENS)
    other = create(client, regisseur, MARKNESSE)
    sync(client, ens, phone)
    assert set(phone.store) == {sid}
    # New official boundaries give Ens another code: its signals leave the user's area.
    db = open_database(settings).db
    areas = [Area(**{**{f: getattr(a, f) for f in Area.__dataclass_fields__},
                     "code": "WK017199" if a.code == ENS_CODE else a.code})
             for a in load_areas(db.conn)]
    report = import_boundaries(SignalService(db, AreaCatalog(db)),
                               Boundaries(areas=areas, municipalities=["GM0171"]))
    assert report.signals_changed >= 1
    db.close()
    pulled = sync(client, ens, phone)
    assert phone.store == {}
    assert removed(pulled) == {sid} and other not in str(pulled)


def test_a_changed_area_list_removes_what_is_no_longer_in_scope(client, regisseur, settings):
    ens, phone = login(client, "ens"), Device("ens")
    in_ens = [create(client, regisseur, ENS) for _ in range(3)]
    mine = create(client, ens, EMMELOORD)  # made by the user: stays whatever their areas
    in_marknesse = create(client, regisseur, MARKNESSE)
    sync(client, ens, phone)
    assert set(phone.store) == {*in_ens, mine}
    # The beheerder moves the user from Ens to Marknesse.
    db = open_database(settings).db
    marknesse = db.query_one("SELECT kern_code FROM signals WHERE id = ?", (in_marknesse,))[0]
    add_user(db, "ens", PASSWORDS["ens"], "gebiedsregisseur", [marknesse], replace=True)
    db.close()
    ens = login(client, "ens")
    pages = []
    while True:  # removals come in pages too
        r = client.get("/api/v1/sync/pull", params={"cursor": phone.cursor, "limit": 2}, headers=ens)
        pages.append(r.json()["changes"])
        if not phone.handle_pull(r.json()):
            break
    assert set(removed([c for p in pages for c in p])) == set(in_ens)
    # The new area's signals arrive too, though none changed since the last pull.
    assert set(phone.store) == {mine, in_marknesse}
    assert sync(client, ens, phone) == []
    # Back to all areas: nothing to remove, everything to get.
    db = open_database(settings).db
    add_user(db, "ens", PASSWORDS["ens"], "gebiedsregisseur", all_areas=True, replace=True)
    db.close()
    ens = login(client, "ens")
    sync(client, ens, phone)
    assert set(phone.store) == {*in_ens, mine, in_marknesse}


def test_a_cursor_of_another_user_starts_from_the_beginning(client, regisseur):
    ens, phone = login(client, "ens"), Device("ens")
    sid = create(client, regisseur, ENS)
    sync(client, regisseur, phone)
    r = client.get("/api/v1/sync/pull", params={"cursor": phone.cursor}, headers=ens)
    assert r.status_code == 200
    assert [c["signal"]["id"] for c in r.json()["changes"]] == [sid]


def test_a_made_up_cursor_is_400(client, regisseur):
    r = client.get("/api/v1/sync/pull", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=regisseur)
    assert r.status_code == 400


def test_pull_and_list_log_reads_of_personal_data(client, regisseur, settings):
    personal = create(client, regisseur, ENS, contains_personal_data=True)
    create(client, regisseur, ENS)
    ens = login(client, "ens")
    sync(client, ens, Device("ens"))
    client.get("/api/v1/signals", headers=ens)
    db = open_database(settings).db
    reads = db.query("SELECT username, object FROM audit_log WHERE action = 'signal_read_personal'")
    db.close()
    assert [tuple(r) for r in reads] == [("ens", personal), ("ens", personal)]
    assert uuid.UUID(personal)


def test_a_push_answered_with_the_stored_signal_logs_that_read(client, regisseur, settings):
    # A conflict answers with the merged stored signal (others' changes included): a read.
    from test_sync import mutation, push

    personal = create(client, regisseur, ENS, contains_personal_data=True)
    r = client.patch(f"/api/v1/signals/{personal}", json={"urgency": "hoog"}, headers=regisseur)
    assert r.status_code == 200, r.text
    ens = login(client, "ens")
    result = push(client, ens, mutation("update", personal, {"urgency": "laag"}, base=1))["results"][0]
    assert result["status"] == "conflict" and result["server"]["contains_personal_data"]
    db = open_database(settings).db
    reads = db.query("SELECT username, object, device_id FROM audit_log WHERE action = 'signal_read_personal'")
    db.close()
    assert [(r["username"], r["object"]) for r in reads] == [("ens", personal)]
    assert reads[0]["device_id"] is not None
