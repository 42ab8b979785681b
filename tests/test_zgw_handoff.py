"""Hand-off of signals and kwesties to the ZGW test double (issue 13 §1)."""

from __future__ import annotations

import pytest

from conftest import login
from zgw_world import configure, drain, hand_off, new_signal, zgw_app


@pytest.fixture
def app(settings, users):
    with zgw_app(settings) as c:
        yield c


def test_signal_becomes_a_zaak(app, zgw_double):
    configure(app, zgw_double)
    tl = login(app, "teamleider")
    s = new_signal(app, login(app, "regisseur"), photos=2)
    r = hand_off(app, tl, s["id"], note="Graag oppakken")
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "queued"
    drain(app)
    got = app.get(f"/api/v1/signals/{s['id']}", headers=tl).json()
    assert got["status"] == "doorgezet"
    assert got["zaak"]["state"] == "done", got["zaak"]
    zaken = zgw_double.zaken_by_kenmerk(s["id"])
    assert len(zaken) == 1
    assert got["zaak"]["url"] == zaken[0]["url"]
    assert len(zgw_double.statussen) == 1
    assert len(zgw_double.documenten) == 2 and len(zgw_double.zaakinformatieobjecten) == 2
    print(zgw_double.zaakobjecten)
