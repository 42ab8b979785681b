"""Signals over the API: create, read, list with filters, update, delete, bad input."""

from __future__ import annotations

import uuid

from conftest import EMMELOORD, IJSSELMEER, MARKNESSE, URK, login, signal_body


def test_create_in_marknesse_derives_kern(client, regisseur):
    body = signal_body()
    r = client.post("/api/v1/signals", json=body, headers=regisseur)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/api/v1/signals/{body['id']}"
    created = r.json()
    assert created["kern"] == {"code": "WK017104", "name": "Marknesse"}
    assert created["version"] == 1
    assert created["created_by"] == "regisseur"
    assert created["outside_areas"] is False

    got = client.get(f"/api/v1/signals/{body['id']}", headers=regisseur)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    signal = got.json()
    assert signal["kern"]["name"] == "Marknesse"
    assert signal["description"] == body["description"]
    assert signal["observed_at"] == "2026-11-28T10:15:00+01:00"
    assert signal["location"] == body["location"]


def test_location_outside_every_area_is_kept_with_kern_null(client, regisseur):
    for lat, lon in (URK, IJSSELMEER):
        r = client.post("/api/v1/signals", json=signal_body(lat, lon), headers=regisseur)
        assert r.status_code == 201, r.text
        assert r.json()["kern"] is None
        assert r.json()["outside_areas"] is True


def test_retry_of_same_create_is_idempotent_and_other_content_wins_and_is_reported(client, regisseur):
    body = signal_body()
    assert client.post("/api/v1/signals", json=body, headers=regisseur).status_code == 201
    again = client.post("/api/v1/signals", json=body, headers=regisseur)
    assert again.status_code == 200
    assert again.json()["version"] == 1
    assert "conflict-fields" not in again.headers
    # The same id with other content: the later create wins, as in sync, and says what it overwrote.
    other = client.post("/api/v1/signals", json={**body, "description": "iets anders"},
                        headers=regisseur)
    assert other.status_code == 200
    assert other.headers["conflict-fields"] == "description"
    assert (other.json()["version"], other.json()["description"]) == (2, "iets anders")
    total = client.get("/api/v1/signals", headers=regisseur).json()["total"]
    assert total == 1


def test_update_raises_version_and_reassigns_area(client, regisseur):
    body = signal_body()
    client.post("/api/v1/signals", json=body, headers=regisseur)
    url = f"/api/v1/signals/{body['id']}"
    r = client.patch(url, json={"status": "in_behandeling",
                                "location": {"lat": EMMELOORD[0], "lon": EMMELOORD[1]}},
                     headers=regisseur)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["version"] == 2
    assert s["status"] == "in_behandeling"
    assert s["kern"]["name"] == "Emmeloord"
    assert s["description"] == body["description"]  # untouched fields stay

    # A change based on version 1 is merged with what happened since: the team lead
    # changed the status; the urgency is the regisseur's.
    lead = login(client, "teamleider")
    stale = client.patch(url, json={"urgency": "hoog", "status": "doorgezet"},
                         headers={**lead, "If-Match": '"1"'})
    assert stale.status_code == 200, stale.text
    assert stale.headers["conflict-fields"] == "status"  # both changed it: the later one won
    assert stale.headers["etag"] == '"3"'
    s = stale.json()
    assert (s["urgency"], s["status"], s["kern"]["name"]) == ("hoog", "doorgezet", "Emmeloord")
    assert client.patch(url, json={"urgency": "acuut"}, headers={**regisseur, "If-Match": "x"}
                        ).status_code == 400
    ok = client.patch(url, json={"urgency": "acuut"}, headers={**regisseur, "If-Match": '"3"'})
    assert ok.json()["version"] == 4 and "conflict-fields" not in ok.headers


def test_changing_category_drops_stale_subcategory(client, regisseur):
    body = signal_body()
    client.post("/api/v1/signals", json=body, headers=regisseur)
    r = client.patch(f"/api/v1/signals/{body['id']}", json={"category": "verkeer"},
                     headers=regisseur)
    assert r.status_code == 200
    assert r.json()["subcategory"] is None


def test_delete_is_a_tombstone(client, regisseur, teamleider):
    body = signal_body()
    client.post("/api/v1/signals", json=body, headers=regisseur)
    url = f"/api/v1/signals/{body['id']}"
    assert client.delete(url, headers=regisseur).status_code == 204
    assert client.get(url, headers=regisseur).status_code == 404
    assert client.get("/api/v1/signals", headers=teamleider).json()["total"] == 0
    # The id is spent: recreating it is a conflict, not a resurrection.
    assert client.post("/api/v1/signals", json=body, headers=regisseur).status_code == 409


def test_only_creator_or_teamleider_deletes(client, regisseur):
    ens = login(client, "ens")
    body = signal_body(52.6333, 5.8333)  # Ens: visible to the Ens regisseur
    client.post("/api/v1/signals", json=body, headers=regisseur)
    r = client.delete(f"/api/v1/signals/{body['id']}", headers=ens)
    assert r.status_code == 403
    assert r.json()["status"] == 403


def test_list_filters_and_paging(client, regisseur, teamleider):
    bodies = [
        signal_body(*MARKNESSE, observed_at="2026-11-01T09:00:00+01:00"),
        signal_body(*MARKNESSE, category="verkeer", subcategory=None,
                    observed_at="2026-11-10T09:00:00+01:00", status="afgesloten"),
        signal_body(*EMMELOORD, observed_at="2026-11-20T23:30:00+01:00"),
        signal_body(*URK, observed_at="2026-10-01T09:00:00+02:00"),
    ]
    for b in bodies:
        assert client.post("/api/v1/signals", json=b, headers=regisseur).status_code == 201

    def ids(**params):
        r = client.get("/api/v1/signals", params=params, headers=teamleider)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["items"]]

    assert ids(area="WK017104") == [bodies[1]["id"], bodies[0]["id"]]
    assert ids(category="verkeer") == [bodies[1]["id"]]
    assert ids(category="jeugdoverlast") == [bodies[2]["id"], bodies[0]["id"], bodies[3]["id"]]
    assert ids(status="afgesloten") == [bodies[1]["id"]]
    assert ids(since="2026-11-05") == [bodies[2]["id"], bodies[1]["id"]]
    # A bare `until` date includes that whole (Dutch) day: 23:30 on the 20th counts.
    assert ids(since="2026-11-05", until="2026-11-20") == [bodies[2]["id"], bodies[1]["id"]]
    assert ids(until="2026-11-20T23:00:00+01:00", since="2026-11-05T00:00:00Z") == [bodies[1]["id"]]

    page = client.get("/api/v1/signals", params={"limit": 2, "offset": 1}, headers=teamleider).json()
    assert page["total"] == 4
    assert [s["id"] for s in page["items"]] == [bodies[1]["id"], bodies[0]["id"]]


def test_regisseur_with_areas_sees_only_their_areas_and_own(client, regisseur):
    ens = login(client, "ens")
    in_ens = signal_body(52.6333, 5.8333)
    in_marknesse = signal_body()
    client.post("/api/v1/signals", json=in_ens, headers=regisseur)
    client.post("/api/v1/signals", json=in_marknesse, headers=regisseur)
    own = signal_body(*EMMELOORD)
    client.post("/api/v1/signals", json=own, headers=ens)
    seen = {s["id"] for s in client.get("/api/v1/signals", headers=ens).json()["items"]}
    assert seen == {in_ens["id"], own["id"]}
    assert client.get(f"/api/v1/signals/{in_marknesse['id']}", headers=ens).status_code == 404


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["status"] == status and p["title"] and p["detail"] and p["type"]
    return p


def _field_names(p: dict) -> set[str]:
    return {e["name"] for e in p.get("errors", [])}


def test_bad_input_is_refused_with_field_names_and_changes_nothing(client, regisseur):
    cases = [
        (signal_body(lat=91.0), "location.lat"),
        (signal_body(lon=-181.0), "location.lon"),
        (signal_body(category="onzin"), "category"),
        (signal_body(subcategory="snelheid"), "subcategory"),
        (signal_body(description="x" * 4001), "description"),
        (signal_body(description=""), "description"),
        (signal_body(urgency="heel erg"), "urgency"),
        (signal_body(source="roddel"), "source"),
        (signal_body(observed_at="2026-11-28T10:15:00"), "observed_at"),
        (signal_body(attachments=["not-a-hash"]), "attachments"),
        ({**signal_body(), "location": {"lat": "noord", "lon": 5.8}}, "location.lat"),
        ({k: v for k, v in signal_body().items() if k != "category"}, "category"),
    ]
    for body, field in cases:
        p = _problem(client.post("/api/v1/signals", json=body, headers=regisseur), 422)
        assert any(n == field or n.startswith(field + "[") for n in _field_names(p)), (field, p)
    malformed = client.post("/api/v1/signals", content=b'{"category": "jeugd",',
                            headers={**regisseur, "Content-Type": "application/json"})
    _problem(malformed, 400)
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 0


def test_bad_query_values_are_400(client, regisseur):
    p = _problem(client.get("/api/v1/signals", params={"limit": 501}, headers=regisseur), 400)
    assert "limit" in _field_names(p)
    p = _problem(client.get("/api/v1/signals", params={"since": "gisteren"}, headers=regisseur), 400)
    assert "since" in _field_names(p)
    p = _problem(client.get("/api/v1/signals", params={"status": "weg"}, headers=regisseur), 400)
    assert "status" in _field_names(p)
    _problem(client.get("/api/v1/signals/not-a-uuid", headers=regisseur), 404)
    _problem(client.get(f"/api/v1/signals/{uuid.uuid4()}", headers=regisseur), 404)


def test_bad_patch_changes_nothing(client, regisseur):
    body = signal_body()
    client.post("/api/v1/signals", json=body, headers=regisseur)
    url = f"/api/v1/signals/{body['id']}"
    p = _problem(client.patch(url, json={"status": "klaar"}, headers=regisseur), 422)
    assert "status" in _field_names(p)
    p = _problem(client.patch(url, json={"category": "onzin"}, headers=regisseur), 422)
    assert "category" in _field_names(p)
    s = client.get(url, headers=regisseur).json()
    assert (s["version"], s["status"], s["category"]) == (1, "nieuw", "jeugd")


def test_near_border_flag_follows_gps_accuracy(client, regisseur):
    # Halfway between Emmeloord and Marknesse lies the border of the two kernen.
    vague = client.post("/api/v1/signals", headers=regisseur, json=signal_body(
        52.7099, 5.8052, location={"lat": 52.7099, "lon": 5.8052, "accuracy_m": 400}))
    assert vague.json()["near_border"] is True
    sharp = client.post("/api/v1/signals", headers=regisseur, json=signal_body())
    assert sharp.json()["near_border"] is False
