"""The team lead's overview (issue 12): per gebiedsregisseur their open signals (made by or
handed to them), how many are overdue for follow-up, and how many are assigned to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.bootstrap import open_database
from server.timeutil import LOCAL
from server.users.store import add_user

from conftest import EMMELOORD, login, signal_body

ENS_STREET = (52.6335, 5.8330)
TODAY = datetime.now(LOCAL).date()


def _signal(client, headers, point=ENS_STREET, follow_up: int | None = None, **fields) -> str:
    r = client.post("/api/v1/signals", headers=headers, json=signal_body(*point, **fields))
    assert r.status_code == 201, r.text
    if follow_up is not None:  # set in the database: the API may refuse a date in the past
        day = (TODAY + timedelta(days=follow_up)).isoformat()
        with client.app.state.db.transaction() as conn:
            conn.execute("UPDATE signals SET follow_up_date = ? WHERE id = ?", (day, r.json()["id"]))
    return r.json()["id"]


def test_open_overdue_and_assigned_per_regisseur(client, settings, teamleider):
    db = open_database(settings).db
    add_user(db, "vertrokken", "vertrokken-secret-1", "gebiedsregisseur", ["WK017106"])
    with db.transaction() as conn:
        conn.execute("UPDATE users SET active = 0 WHERE username = 'vertrokken'")
    db.close()
    ens, regisseur = login(client, "ens"), login(client, "regisseur")
    _signal(client, ens, follow_up=-1)                     # overdue since yesterday
    _signal(client, ens, follow_up=0)                      # due today: not overdue
    _signal(client, ens, status="afgesloten", follow_up=-5)  # closed: not open
    gone = _signal(client, ens, follow_up=-3)
    assert client.delete(f"/api/v1/signals/{gone}", headers=ens).status_code == 204
    _signal(client, regisseur, follow_up=-2, assignee="ens",  # handed to ens: counts for both
            assignment_note="Neem jij dit over?")

    r = client.get("/api/v1/stats/regisseurs", headers=teamleider)
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [
        {"username": "ens", "open": 3, "overdue": 2, "assigned_open": 1},
        {"username": "regisseur", "open": 1, "overdue": 1, "assigned_open": 0},
    ]}  # sorted by name; no team leads, no inactive regisseur
    assert client.get("/api/v1/stats/regisseurs", headers=login(client, "beheerder")).status_code == 200
    assert client.get("/api/v1/stats/regisseurs", headers=ens).status_code == 403


def test_a_team_lead_of_one_area_sees_their_area_only(client, settings):
    db = open_database(settings).db
    add_user(db, "tl-ens", "teamleider-ens-secret", "teamleider", ["WK017106"])
    add_user(db, "emmeloorder", "emmeloord-secret-1", "gebiedsregisseur", ["WK017100"])
    db.close()
    tl = client.post("/api/v1/auth/token", json={"username": "tl-ens", "password": "teamleider-ens-secret"})
    tl = {"Authorization": f"Bearer {tl.json()['access_token']}"}
    emm = client.post("/api/v1/auth/token", json={"username": "emmeloorder", "password": "emmeloord-secret-1"})
    emm = {"Authorization": f"Bearer {emm.json()['access_token']}"}
    _signal(client, emm, EMMELOORD, follow_up=-1)
    _signal(client, login(client, "regisseur"), EMMELOORD)
    _signal(client, login(client, "regisseur"), follow_up=-1)
    items = client.get("/api/v1/stats/regisseurs", headers=tl).json()["items"]
    # ens shares the area (no signals yet); regisseur has one open in Ens; the Emmeloord
    # regisseur is not named, and Emmeloord signals are not counted.
    assert items == [{"username": "ens", "open": 0, "overdue": 0, "assigned_open": 0},
                     {"username": "regisseur", "open": 1, "overdue": 1, "assigned_open": 0}]
