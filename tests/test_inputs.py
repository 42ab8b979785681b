"""Bad input never stops the service: it is refused with a problem naming what was wrong.

Plausible observation times, period filters that answer any readable time, paging values
beyond what SQLite takes, deeply nested JSON, bodies that are not JSON, text with NUL or
direction controls, and OPTIONS on every path (no token, no 500).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.timeutil import from_utc_text, utc_text

from conftest import login, signal_body

PROBLEM = "application/problem+json"


def _problem(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    if field is not None:
        assert field in [e["name"] for e in body.get("errors", [])], body
    return body


def _push(client, headers, data: dict, op: str = "create", signal_id: str | None = None) -> dict:
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "op": op,
                "signal_id": signal_id or str(uuid.uuid4()), "data": data}
    r = client.post("/api/v1/sync/push", headers=headers,
                    json={"device_id": str(uuid.uuid4()), "mutations": [mutation]})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


# -- observed_at: only plausible times ---------------------------------------------------------

def _far_ahead() -> str:
    return (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize("observed_at", [
    "0001-01-01T00:00:00+01:00",     # was a 500 (year 0 in UTC)
    "0001-01-01T00:00:00Z",          # was stored as `1-01-01…` and broke every detection run
    "1999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-05:00",     # was a 500
    "far ahead",
])
def test_an_implausible_observation_time_is_refused_naming_the_field(client, regisseur, observed_at):
    observed_at = _far_ahead() if observed_at == "far ahead" else observed_at
    r = client.post("/api/v1/signals", headers=regisseur, json=signal_body(observed_at=observed_at))
    body = _problem(r, 422, "observed_at")
    assert "2000-01-01" in body["detail"] or "dag na nu" in body["detail"]
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 0
    # The same rule on a change and on a sync push (one mutation rejected, not the batch).
    made = client.post("/api/v1/signals", headers=regisseur, json=signal_body()).json()
    r = client.patch(f"/api/v1/signals/{made['id']}", headers=regisseur,
                     json={"observed_at": observed_at})
    _problem(r, 422, "observed_at")
    result = _push(client, regisseur, signal_body(observed_at=observed_at))
    assert result["status"] == "rejected"
    assert "observed_at" in [e["name"] for e in result["problem"]["errors"]]


def test_the_edges_of_the_plausible_range_are_taken(client, regisseur):
    for observed_at in ("2000-01-01T00:00:00Z", "2000-01-01T01:00:00+01:00",
                        (datetime.now(UTC) + timedelta(hours=23)).isoformat()):
        r = client.post("/api/v1/signals", headers=regisseur, json=signal_body(observed_at=observed_at))
        assert r.status_code == 201, (observed_at, r.text)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(moments=st.lists(st.tuples(
    st.one_of(st.datetimes(),  # any year, 1 … 9999, and its edges
              st.sampled_from([datetime.min, datetime.max]),
              st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 11, 30))),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1)), min_size=1, max_size=6))
def test_any_aware_time_is_refused_or_stored_as_sortable_utc_text(client, regisseur, db_path, moments):
    """Any RFC 3339 time with any offset: a 4xx, or stored so that text order is time order."""
    stored: list[tuple[datetime, str]] = []
    for naive, minutes in moments:
        moment = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
        r = client.post("/api/v1/signals", headers=regisseur,
                        json=signal_body(observed_at=moment.isoformat()))
        assert r.status_code in (201, 422), r.text
        if r.status_code == 201:
            back = datetime.fromisoformat(r.json()["observed_at"])
            assert back == moment and back.utcoffset() == moment.utcoffset()  # what the user saw
            with sqlite3.connect(db_path) as conn:
                text, = conn.execute("SELECT observed_utc FROM signals WHERE id = ?",
                                     (r.json()["id"],)).fetchone()
            assert len(text) == 27 and text == utc_text(moment) and from_utc_text(text) == moment
            stored.append((moment, text))
    assert sorted(stored, key=lambda s: s[1]) == sorted(stored, key=lambda s: (s[0], s[1]))


def test_server_times_are_stored_as_fixed_width_utc(client, regisseur, db_path):
    client.post("/api/v1/signals", headers=regisseur, json=signal_body())
    no_time = {k: v for k, v in signal_body().items() if k != "observed_at"}
    client.post("/api/v1/signals", headers=regisseur, json=no_time)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT created_at, updated_at, observed_utc FROM signals").fetchall()
    assert len(rows) == 2
    for text in (t for row in rows for t in row):
        assert len(text) == 27 and text.endswith("Z"), text
        assert utc_text(from_utc_text(text)) == text


# -- period filters: any readable value answers ------------------------------------------------

FILTERS = [("/api/v1/signals", "since", "until"), ("/api/v1/stats/areas", "from", "to")]
EXTREMES = ["9999-12-31", "0001-01-01", "0001-01-01T00:00:00+23:59", "0001-01-01T00:00:00-23:59",
            "9999-12-31T23:59:59+23:59", "9999-12-31T23:59:59-23:59", "2026-11-28T10:00:00.123456+05:45"]


UNREADABLE = ["2026-13-01", "gisteren", "2026-11-28T10:00:00", "2026-11-28T10:00:00+24:00",
              "2026-11-28T23:59:60Z", "10000-01-01"]


@pytest.mark.parametrize(("path", "start", "end"), FILTERS)
def test_extreme_period_bounds_are_clamped_not_a_server_error(client, path, start, end):
    headers = login(client, "teamleider")
    for value in EXTREMES:
        for name in (start, end):
            r = client.get(path, params={name: value}, headers=headers)
            assert r.status_code == 200, (name, value, r.text)  # these were 500s


@pytest.mark.parametrize(("path", "start", "end"), FILTERS)
def test_unreadable_period_bounds_are_a_400_naming_the_parameter(client, path, start, end):
    headers = login(client, "teamleider")
    for value in UNREADABLE:
        for name in (start, end):
            _problem(client.get(path, params={name: value}, headers=headers), 400, name)


def test_until_far_ahead_includes_everything(client, regisseur):
    client.post("/api/v1/signals", headers=regisseur, json=signal_body())
    page = client.get("/api/v1/signals", params={"until": "9999-12-31", "since": "0001-01-01"},
                      headers=regisseur).json()
    assert page["total"] == 1


# -- paging ---------------------------------------------------------------------------------

def test_paging_values_out_of_range_are_a_400(client, regisseur):
    for name, value in [("offset", 2**63), ("offset", 2**64), ("offset", -1), ("limit", 0),
                        ("limit", 501), ("limit", 2**63), ("limit", -(2**63) - 1)]:
        _problem(client.get("/api/v1/signals", params={name: value}, headers=regisseur), 400, name)
    for value in (0, 1001, 2**63, 2**64):
        _problem(client.get("/api/v1/sync/pull", params={"limit": value}, headers=regisseur), 400, "limit")
    lead = login(client, "teamleider")
    for value in (0, 261, 2**63):
        _problem(client.get("/api/v1/stats/areas/WK017104", params={"weeks": value}, headers=lead),
                 400, "weeks")


def test_the_largest_offset_is_an_empty_page(client, regisseur):
    r = client.get("/api/v1/signals", params={"offset": 2**63 - 1, "limit": 500}, headers=regisseur)
    assert r.status_code == 200 and r.json()["items"] == []


# -- bodies ---------------------------------------------------------------------------------

JSON_OPERATIONS = [("POST", "/api/v1/signals"), ("POST", "/api/v1/sync/push"),
                   ("POST", "/api/v1/kwesties"), ("POST", "/api/v1/auth/token")]


def test_json_nested_a_thousand_deep_is_a_400(client):
    lead = login(client, "teamleider")
    for method, path in JSON_OPERATIONS:
        for nesting in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
            r = client.request(method, path, headers={**lead, "content-type": "application/json"},
                               content=nesting)
            _problem(r, 400)  # was a 500 (RecursionError)


def test_a_body_not_sent_as_json_is_a_415(client):
    lead = login(client, "teamleider")
    for method, path in JSON_OPERATIONS:
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {**lead, **({"content-type": content_type} if content_type else {})}
            r = client.request(method, path, headers=headers, content=json.dumps(signal_body()).encode())
            if content_type is None:  # httpx sends no type for raw bytes
                assert "content-type" not in r.request.headers
            body = _problem(r, 415)  # text/plain was read as JSON
            assert "application/json" in body["detail"]


def test_json_with_a_charset_or_a_json_suffix_is_taken(client, regisseur):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        r = client.post("/api/v1/signals", headers={**regisseur, "content-type": content_type},
                        content=json.dumps(signal_body()).encode())
        assert r.status_code == 201, r.text


# -- text: no NUL, no direction controls ------------------------------------------------------

FORBIDDEN = ["\u0000", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
             "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


def test_text_with_nul_or_a_direction_control_is_refused_naming_the_field(client, regisseur):
    for char in FORBIDDEN:
        r = client.post("/api/v1/signals", headers=regisseur,
                        json=signal_body(description=f"Overlast bij {char}het dorpshuis"))
        body = _problem(r, 422, "description")
        assert "NUL" in body["errors"][0]["reason"]
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 0


@pytest.mark.parametrize("char", ["\u0000", "\u202e", "\u2067"], ids=lambda c: f"U+{ord(c):04X}")
def test_the_text_rule_holds_for_every_text_field_and_path(client, regisseur, char):
    _problem(client.post("/api/v1/signals", headers=regisseur, json=signal_body(category=f"jeugd{char}")),
             422, "category")
    made = client.post("/api/v1/signals", headers=regisseur, json=signal_body()).json()
    _problem(client.patch(f"/api/v1/signals/{made['id']}", headers=regisseur,
                          json={"description": f"x{char}"}), 422, "description")
    result = _push(client, regisseur, signal_body(description=f"x{char}"))
    assert result["status"] == "rejected"
    assert "data.description" in [e["name"] for e in result["problem"]["errors"]] \
        or "description" in [e["name"] for e in result["problem"]["errors"]]
    lead = login(client, "teamleider")
    _problem(client.post("/api/v1/kwesties", headers=lead,
                         json={"title": f"Titel{char}", "signal_ids": [made["id"]]}), 422, "title")


def test_ordinary_dutch_and_other_scripts_are_taken(client, regisseur):
    text = "Café ‘t Hoekje: overlast — zie foto’s. Arabisch: مرحبا, emoji 🙂, tab\tand\nnewline"
    r = client.post("/api/v1/signals", headers=regisseur, json=signal_body(description=text))
    assert r.status_code == 201, r.text
    assert r.json()["description"] == text


# -- methods --------------------------------------------------------------------------------

def _documented(client) -> dict[str, set[str]]:
    doc = client.get("/api/v1/openapi.json").json()
    return {path: {m.upper() for m in item} for path, item in doc["paths"].items()}


def _concrete(path: str) -> str:
    return "/api/v1" + path.replace("{signal_id}", str(uuid.uuid4())).replace("{", "x").replace("}", "")


def test_options_answers_the_methods_on_every_path_without_a_token(client):
    for path, methods in _documented(client).items():
        r = client.options(_concrete(path))
        assert r.status_code == 204, (path, r.text)  # was a 500 on role-guarded paths
        assert set(r.headers["allow"].split(", ")) == methods, path
        assert r.content == b""


def test_a_method_a_path_does_not_have_is_a_405_with_allow(client, regisseur):
    for path, methods in _documented(client).items():
        missing = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in methods)
        r = client.request(missing, _concrete(path), headers=regisseur)
        _problem(r, 405)
        assert set(r.headers["allow"].split(", ")) == methods, path


def test_times_stored_before_one_format_are_rewritten(client, regisseur, db_path):
    """m012: `isoformat()` times of older databases become the fixed-width UTC text."""
    from server.db import Database
    from server.migrations import migrate

    made = client.post("/api/v1/signals", headers=regisseur, json=signal_body()).json()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE signals SET created_at = '2026-11-28T09:15:00+00:00',"
                     " updated_at = '2026-11-28T09:15:00.250000+00:00' WHERE id = ?", (made["id"],))
        conn.execute("DELETE FROM _migrations WHERE name = 'm012_fixed_width_times'")
    db = Database(db_path)
    try:
        assert "m012_fixed_width_times" in migrate(db)
    finally:
        db.close()
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT created_at, updated_at, observed_at FROM signals WHERE id = ?",
                           (made["id"],)).fetchone()
    assert row[:2] == ("2026-11-28T09:15:00.000000Z", "2026-11-28T09:15:00.250000Z")
    assert row[2] == "2026-11-28T10:15:00+01:00"  # as the client sent it
    back = client.get(f"/api/v1/signals/{made['id']}", headers=regisseur).json()
    assert datetime.fromisoformat(back["updated_at"]) == datetime(2026, 11, 28, 9, 15, 0, 250000, tzinfo=UTC)


def test_a_log_in_name_with_a_direction_control_is_refused_before_it_reaches_the_audit_log(client):
    r = client.post("/api/v1/auth/token", json={"username": "regisseur\u202e", "password": "x" * 12})
    _problem(r, 422, "username")
