"""Signals nearby (issue 12), for "hoort bij" at capture: live signals the user may see, of
the same category, within the radius (250 m) and the period (12 weeks), nearest first."""

from __future__ import annotations

import math
from datetime import timedelta

from server.timeutil import now

from conftest import MARKNESSE, login, signal_body

NEARBY = "/api/v1/signals/nearby"
ENS_POINT = (52.6333, 5.8333)
M_PER_DEGREE = 6_371_008.8 * math.pi / 180  # along a meridian


def north(point, metres: float) -> tuple[float, float]:
    return point[0] + metres / M_PER_DEGREE, point[1]


def east(point, metres: float) -> tuple[float, float]:
    return point[0], point[1] + metres / (M_PER_DEGREE * math.cos(math.radians(point[0])))


def create(client, headers, point, weeks_ago: float = 1, **fields) -> str:
    observed = (now() - timedelta(weeks=weeks_ago)).isoformat()
    body = signal_body(*point, observed_at=observed, **fields)
    r = client.post("/api/v1/signals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def nearby(client, headers, point=MARKNESSE, **params) -> list[tuple[str, float]]:
    r = client.get(NEARBY, params={"lat": point[0], "lon": point[1], "category": "jeugd", **params},
                   headers=headers)
    assert r.status_code == 200, r.text
    return [(i["signal"]["id"], i["distance_m"]) for i in r.json()["items"]]


def test_within_250_m_nearest_first_and_not_beyond(client, regisseur):
    inside_n = create(client, regisseur, north(MARKNESSE, 248))
    inside_e = create(client, regisseur, east(MARKNESSE, 248))
    close = create(client, regisseur, north(MARKNESSE, 30))
    create(client, regisseur, north(MARKNESSE, 252))
    create(client, regisseur, east(MARKNESSE, 252))
    found = nearby(client, regisseur)
    assert [i for i, _ in found][0] == close
    assert {i for i, _ in found} == {close, inside_n, inside_e}
    distances = [d for _, d in found]
    assert distances == sorted(distances)
    assert abs(distances[0] - 30) < 0.5 and all(abs(d - 248) < 0.5 for d in distances[1:])
    assert len(nearby(client, regisseur, radius_m=260)) == 5
    assert len(nearby(client, regisseur, radiusM=260)) == 5  # the spelling in the OpenAPI
    assert [i for i, _ in nearby(client, regisseur, radius_m=100)] == [close]


def test_same_category_and_recent_weeks_only(client, regisseur):
    here = north(MARKNESSE, 10)
    recent = create(client, regisseur, here, weeks_ago=11)
    older = create(client, regisseur, here, weeks_ago=13)
    other = create(client, regisseur, here, category="eenzaamheid_zorg", subcategory="mantelzorg")
    assert {i for i, _ in nearby(client, regisseur)} == {recent}
    assert {i for i, _ in nearby(client, regisseur, weeks=14)} == {recent, older}
    assert {i for i, _ in nearby(client, regisseur, category="jeugdoverlast")} == {recent}
    assert {i for i, _ in nearby(client, regisseur, category="eenzaamheid_zorg")} == {other}
    assert {i for i, _ in nearby(client, regisseur, category="mantelzorg")} == {other}
    assert {i for i, _ in nearby(client, regisseur, category="")} == {recent, other}  # any


def test_only_live_signals_the_user_may_see_and_not_the_one_excluded(client, regisseur):
    ens = login(client, "ens")
    in_ens = create(client, regisseur, north(ENS_POINT, 50))
    other_in_ens = create(client, regisseur, north(ENS_POINT, 80))
    marknesse = create(client, regisseur, north(MARKNESSE, 50))
    own = create(client, ens, north(MARKNESSE, 60))  # made by ens: theirs to see
    gone = create(client, regisseur, north(ENS_POINT, 20))
    assert client.delete(f"/api/v1/signals/{gone}", headers=regisseur).status_code == 204
    assert [i for i, _ in nearby(client, ens, ENS_POINT)] == [in_ens, other_in_ens]
    assert [i for i, _ in nearby(client, ens)] == [own]  # not the Marknesse one of regisseur
    assert [i for i, _ in nearby(client, regisseur)] == [marknesse, own]
    assert [i for i, _ in nearby(client, ens, ENS_POINT, exclude=in_ens)] == [other_in_ens]


def test_at_most_20_and_bad_values_are_problems(client, regisseur):
    for k in range(22):
        create(client, regisseur, north(MARKNESSE, k))
    found = nearby(client, regisseur)
    assert len(found) == 20 and found[-1][1] < 20.5
    for params in ({"radius_m": 5001}, {"radius_m": 0}, {"weeks": 0}, {"lat": 91},
                   {"exclude": "geen-uuid"}):
        r = client.get(NEARBY, params={"lat": MARKNESSE[0], "lon": MARKNESSE[1], **params},
                       headers=regisseur)
        assert r.status_code == 400, params
        assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get(NEARBY, params={"lat": MARKNESSE[0]}, headers=regisseur).status_code == 400
    assert client.get(NEARBY, params={"lat": 1, "lon": 1}).status_code == 401
    r = client.get(NEARBY, params={"lat": MARKNESSE[0], "lon": MARKNESSE[1], "radius_m": 5000},
                   headers=regisseur)
    assert r.status_code == 200 and len(r.json()["items"]) == 20
