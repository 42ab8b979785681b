"""Working on a kwestie in the app (issue 12): a gebiedsregisseur creates one by hand from the
signals of their area, renames it, adds and removes signals, writes short updates and closes it
with an outcome; a team lead works on all; signals outside one's area stay counted, never shown."""

from __future__ import annotations

from server.privacy.blank import ERASURE_MARKER
from server.privacy.requests import erase, find

from conftest import EMMELOORD, login, signal_body

ENS_STREET = (52.6335, 5.8330)


def _signal(client, headers, point, **fields) -> str:
    r = client.post("/api/v1/signals", headers=headers, json=signal_body(*point, **fields))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _actions(client, kwestie_id: str) -> list[str]:
    return [r["action"] for r in client.app.state.db.query(
        "SELECT action FROM audit_log WHERE object = ? ORDER BY rowid", (kwestie_id,))]


def test_a_regisseur_works_a_kwestie_of_their_area_from_start_to_close(client):
    ens = login(client, "ens")  # a gebiedsregisseur of Ens
    first, second = _signal(client, ens, ENS_STREET), _signal(client, ens, ENS_STREET)
    r = client.post("/api/v1/kwesties", headers=ens, json={"title": "Jeugd bij dorpshuis",
                                                             "signal_ids": [first, second]})
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    assert [k["id"] for k in client.get("/api/v1/kwesties", headers=ens).json()] == [kid]

    r = client.patch(f"/api/v1/kwesties/{kid}", headers=ens, json={"title": "Jeugd bij De Ruif"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Jeugd bij De Ruif" and r.json()["status"] == "open"

    r = client.delete(f"/api/v1/kwesties/{kid}/signals/{second}", headers=ens)
    assert r.status_code == 204
    detail = client.get(f"/api/v1/kwesties/{kid}", headers=ens).json()
    assert [s["id"] for s in detail["timeline"]] == [first] and detail["signal_count"] == 1
    assert client.delete(f"/api/v1/kwesties/{kid}/signals/{second}", headers=ens).status_code == 404

    for text in ("Gesprek met jongerenwerk gehad.", "Buurtbewoners geïnformeerd."):
        r = client.post(f"/api/v1/kwesties/{kid}/updates", headers=ens, json={"text": text})
        assert r.status_code == 201, r.text
        assert r.json()["by"] == "ens" and r.json()["text"] == text and r.json()["at"]
    assert client.post(f"/api/v1/kwesties/{kid}/updates", headers=ens, json={"text": ""}).status_code == 422
    assert client.post(f"/api/v1/kwesties/{kid}/updates", headers=ens,
                       json={"text": "x" * 2001}).status_code == 422
    updates = client.get(f"/api/v1/kwesties/{kid}", headers=ens).json()["updates"]
    assert [u["text"] for u in updates] == ["Gesprek met jongerenwerk gehad.", "Buurtbewoners geïnformeerd."]

    # Closing needs an outcome: a problem in Dutch naming the field, and nothing changes.
    r = client.patch(f"/api/v1/kwesties/{kid}", headers=ens, json={"status": "gesloten"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["name"] == "outcome" and "uitkomst" in r.json()["detail"]
    assert client.get(f"/api/v1/kwesties/{kid}", headers=ens).json()["status"] == "open"
    r = client.patch(f"/api/v1/kwesties/{kid}", headers=ens,
                     json={"status": "gesloten", "outcome": "Hangplek verplaatst naar het sportveld."})
    closed = r.json()
    assert r.status_code == 200 and closed["status"] == "gesloten" and closed["closed_at"]
    assert closed["outcome"] == "Hangplek verplaatst naar het sportveld."
    # Reopening clears closed_at (the outcome stays as what was found then).
    reopened = client.patch(f"/api/v1/kwesties/{kid}", headers=ens, json={"status": "open"}).json()
    assert reopened["status"] == "open" and reopened["closed_at"] is None

    assert _actions(client, kid) == ["kwestie_create", "kwestie_update", "kwestie_remove_signal",
                                     "kwestie_note", "kwestie_note", "kwestie_close", "kwestie_reopen"]


def test_out_of_area_signals_are_counted_never_shown_or_touched(client, teamleider):
    ens = login(client, "ens")
    inside = _signal(client, ens, ENS_STREET)
    outside = _signal(client, teamleider, EMMELOORD)
    kid = client.post("/api/v1/kwesties", headers=teamleider, json={
        "title": "Over de grens", "signal_ids": [inside, outside]}).json()["id"]
    detail = client.get(f"/api/v1/kwesties/{kid}", headers=ens).json()
    assert [s["id"] for s in detail["timeline"]] == [inside] and detail["hidden_signals"] == 1
    # The regisseur can neither remove nor add a signal outside their area.
    assert client.delete(f"/api/v1/kwesties/{kid}/signals/{outside}", headers=ens).status_code == 404
    assert client.post("/api/v1/kwesties", headers=ens, json={
        "title": "x", "signal_ids": [outside]}).status_code == 422
    # A kwestie with only out-of-area signals is not theirs: not listed, 404 for every change.
    other = client.post("/api/v1/kwesties", headers=teamleider, json={
        "title": "Emmeloord", "signal_ids": [outside]}).json()["id"]
    assert other not in [k["id"] for k in client.get("/api/v1/kwesties", headers=ens).json()]
    assert client.patch(f"/api/v1/kwesties/{other}", headers=ens, json={"title": "y"}).status_code == 404
    assert client.post(f"/api/v1/kwesties/{other}/updates", headers=ens,
                       json={"text": "z"}).status_code == 404
    # Turning an alert into a kwestie stays with team leads.
    assert client.post("/api/v1/alerts/x/kwestie", headers=ens, json={}).status_code == 403
    # The team lead may remove the Emmeloord signal.
    assert client.delete(f"/api/v1/kwesties/{kid}/signals/{outside}", headers=teamleider).status_code == 204


def test_update_texts_are_found_and_erased_on_a_privacy_request(client, tmp_path):
    ens = login(client, "ens")
    kid = client.post("/api/v1/kwesties", headers=ens, json={
        "title": "Overlast speeltuin", "signal_ids": [_signal(client, ens, ENS_STREET)]}).json()["id"]
    client.post(f"/api/v1/kwesties/{kid}/updates", headers=ens, json={"text": "Gesproken met mevrouw Jansen."})
    client.patch(f"/api/v1/kwesties/{kid}", headers=ens,
                 json={"status": "gesloten", "outcome": "Jansen verhuist."})
    db = client.app.state.db
    assert [m.signal_id for m in find(db, "jansen", by="test")] == [kid]
    assert erase(db, [kid], tmp_path, by="test").kwesties == 1
    assert find(db, "jansen", by="test") == []
    detail = client.get(f"/api/v1/kwesties/{kid}", headers=ens).json()
    assert [u["text"] for u in detail["updates"]] == [ERASURE_MARKER]
    assert detail["outcome"] == ERASURE_MARKER
