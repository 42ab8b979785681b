"""GET /api/v1/export/signals.csv and .geojson: the file read back, the list's filters and
access rule, the pseudonymised option, the audit log, and that it really streams."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import shapely.geometry
from litestar.response import Stream

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.exports.columns import COLUMNS, columns
from server.exports.rounding import round_point
from server.exports.stream import SignalExport
from server.signals.queries import SignalFilter
from server.users.models import User
from server.users.store import add_user

from conftest import EMMELOORD, MARKNESSE, PASSWORDS, login, signal_body

ENS = "WK017106"
ENS_POINT = (52.6333, 5.8333)
LONDON = (51.5072, -0.1276)  # outside every area: kept, with a negative longitude
DUTCH = "Café ‘De Zwaan’: overlast na tienen; buren (ë, ï, é) \"klagen\"\nTweede regel."
FORMULAS = ["=HYPERLINK(\"http://x\")", "+31612345678", "-2+3", "@SUM(A1)", "\tverborgen", "\rterug"]


def _when(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()


@pytest.fixture
def data(client, settings, users):
    """Signals in Emmeloord, Marknesse, Ens and London, by two authors; some with personal
    data, one without a location, one closed, one with formula-like text."""
    db = open_database(settings).db
    add_user(db, "tl-ens", "teamleider-ens-secret", "teamleider", [ENS])
    db.close()
    reg, tl = login(client, "regisseur"), login(client, "teamleider")
    made = {}

    def make(name, point, headers, **fields):
        body = signal_body(*point, **fields) if point else {**signal_body(), "location": None, **fields}
        r = client.post("/api/v1/signals", json=body, headers=headers)
        assert r.status_code == 201, r.text
        made[name] = body["id"]

    make("dutch", EMMELOORD, reg, description=DUTCH, category="overlast", subcategory="geluid",
         observed_at=_when(3))
    for i, text in enumerate(FORMULAS):
        make(f"formula{i}", MARKNESSE, reg, description=text, observed_at=_when(10 + i))
    make("personal", EMMELOORD, reg, contains_personal_data=True, description="Mevrouw Jansen, nr 12",
         observed_at=_when(5))
    make("ens", ENS_POINT, reg, observed_at=_when(1), status="in_behandeling")
    make("ens_personal", ENS_POINT, reg, observed_at=_when(2), contains_personal_data=True)
    make("london", LONDON, tl, observed_at=_when(40), status="afgesloten", category="verkeer",
         subcategory="snelheid", description="Ver weg")
    make("nowhere", None, tl, observed_at=_when(60), description="Zonder plek")
    return made


def _csv(r) -> tuple[list[str], list[dict[str, str]]]:
    assert r.status_code == 200, r.text
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and text.endswith("\r\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def _number(cell: str) -> float:
    return float(cell.replace(",", "."))


def test_csv_reads_back_with_fixed_columns_dutch_text_and_no_formulas(client, data):
    tl = login(client, "teamleider")
    r = client.get("/api/v1/export/signals.csv", headers=tl)
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="gebiedsradar-signalen-')
    assert r.headers["content-disposition"].endswith('.csv"')
    header, rows = _csv(r)
    assert header == [c.name for c in COLUMNS]
    assert {"id", "observed_at", "category", "subcategory", "kern_code", "kern_name", "wijk_code",
            "wijk_name", "buurt_code", "buurt_name", "lat", "lon", "urgency", "status", "source",
            "follow_up_date", "zaak_identificatie", "description", "created_by",
            "contains_personal_data"} <= set(header)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == set(data.values())
    dutch = by_id[data["dutch"]]
    assert dutch["description"] == DUTCH  # accents, quotes, ; and a line break round-trip
    assert (dutch["kern_name"], dutch["category"], dutch["subcategory"]) == ("Emmeloord", "overlast", "geluid")
    assert dutch["observed_at"].endswith(("+01:00", "+02:00"))  # Dutch time with its offset
    sent = client.get(f"/api/v1/signals/{data['dutch']}", headers=tl).json()["observed_at"]
    assert datetime.fromisoformat(dutch["observed_at"]) == datetime.fromisoformat(sent)
    assert (_number(dutch["lat"]), _number(dutch["lon"])) == EMMELOORD  # decimal comma
    for i, text in enumerate(FORMULAS):
        assert by_id[data[f"formula{i}"]]["description"] == "'" + text
    london = by_id[data["london"]]
    assert london["lon"].startswith("-") and _number(london["lon"]) == LONDON[1]  # a number, untouched
    assert (london["kern_code"], london["status"]) == ("", "afgesloten")
    nowhere = by_id[data["nowhere"]]
    assert (nowhere["lat"], nowhere["lon"]) == ("", "")
    assert by_id[data["personal"]]["contains_personal_data"] == "ja"
    assert dutch["contains_personal_data"] == "nee" and dutch["created_by"] == "regisseur"
    # Oldest observation first.
    assert [row["id"] for row in rows][0] == data["nowhere"]


def test_geojson_is_a_valid_feature_collection(client, data):
    r = client.get("/api/v1/export/signals.geojson", headers=login(client, "beheerder"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["content-disposition"].endswith('.geojson"')
    doc = json.loads(r.content)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    features = {f["id"]: f for f in doc["features"]}
    assert set(features) == set(data.values())
    for f in doc["features"]:
        assert f["type"] == "Feature" and set(f) == {"type", "id", "geometry", "properties"}
        assert list(f["properties"]) == [c.name for c in COLUMNS]
        if f["geometry"] is not None:
            point = shapely.geometry.shape(f["geometry"])
            assert point.geom_type == "Point" and point.is_valid
            assert (point.x, point.y) == (f["properties"]["lon"], f["properties"]["lat"])
    assert features[data["nowhere"]]["geometry"] is None
    assert features[data["london"]]["geometry"]["coordinates"] == [LONDON[1], LONDON[0]]
    assert features[data["dutch"]]["properties"]["description"] == DUTCH
    assert features[data["personal"]]["properties"]["contains_personal_data"] is True


FILTERS = [{}, {"area": ENS}, {"category": "overlast"}, {"category": "geluid"},
           {"status": "afgesloten"}, {"since": _when(4)[:10]}, {"until": _when(30)},
           {"since": _when(50), "until": _when(2)}, {"q": "zwaan"}, {"mine": "true"},
           {"followUp": "due"}, {"area": ENS, "status": "in_behandeling"}]


@pytest.mark.parametrize("who", ["teamleider", "tl-ens"])
def test_filters_give_what_the_list_gives(client, data, who):
    headers = (login(client, who) if who in PASSWORDS else {"Authorization": "Bearer " + client.post(
        "/api/v1/auth/token", json={"username": who, "password": "teamleider-ens-secret"}).json()["access_token"]})
    for params in FILTERS:
        listed = client.get("/api/v1/signals", params={**params, "limit": 500}, headers=headers).json()
        _, rows = _csv(client.get("/api/v1/export/signals.csv", params=params, headers=headers))
        assert {r["id"] for r in rows} == {s["id"] for s in listed["items"]}, params
        assert len(rows) == listed["total"], params
        doc = client.get("/api/v1/export/signals.geojson", params=params, headers=headers).json()
        assert len(doc["features"]) == listed["total"], params


def test_a_teamleider_with_areas_exports_only_those(client, data):
    tl_ens = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "tl-ens", "password": "teamleider-ens-secret"}).json()["access_token"]}
    _, rows = _csv(client.get("/api/v1/export/signals.csv", headers=tl_ens))
    assert {r["id"] for r in rows} == {data["ens"], data["ens_personal"]}
    out = client.get("/api/v1/export/signals.csv", params={"area": "WK017101"}, headers=tl_ens)
    assert _csv(out)[1] == []  # Emmeloord is not theirs: nothing, not an error


def test_pseudonymised_drops_texts_and_authors_and_rounds_locations(client, data):
    tl = login(client, "teamleider")
    r = client.get("/api/v1/export/signals.csv", params={"pseudonymised": "true"}, headers=tl)
    assert "gepseudonimiseerd" in r.headers["content-disposition"]
    header, rows = _csv(r)
    assert header == [c.name for c in columns(True)]
    assert not {"description", "created_by", "assignee"} & set(header)
    body = r.content.decode("utf-8-sig")
    assert "Zwaan" not in body and "Jansen" not in body and "regisseur" not in body
    by_id = {row["id"]: row for row in rows}
    lat, lon = round_point(*EMMELOORD, 100)
    assert (_number(by_id[data["dutch"]]["lat"]), _number(by_id[data["dutch"]]["lon"])) == (lat, lon)
    assert (lat, lon) != EMMELOORD and abs(lat - EMMELOORD[0]) < 0.001 and abs(lon - EMMELOORD[1]) < 0.0015
    for name in ("personal", "ens_personal"):  # personal data: no location, no buurt
        row = by_id[data[name]]
        assert (row["lat"], row["lon"], row["buurt_code"], row["buurt_name"]) == ("", "", "", "")
        assert row["kern_code"] and row["contains_personal_data"] == "ja"
    doc = client.get("/api/v1/export/signals.geojson", params={"pseudonymised": "true"}, headers=tl).json()
    features = {f["id"]: f for f in doc["features"]}
    assert features[data["personal"]]["geometry"] is None
    assert features[data["dutch"]]["geometry"]["coordinates"] == [lon, lat]
    assert "description" not in features[data["dutch"]]["properties"]
    # The grid follows the Open311 setting.
    beheerder = login(client, "beheerder")
    assert client.put("/api/v1/export/open311/config", json={"location_rounding_m": 1000},
                      headers=beheerder).status_code == 200
    _, rows = _csv(client.get("/api/v1/export/signals.csv", params={"pseudonymised": "true"}, headers=tl))
    row = {r["id"]: r for r in rows}[data["dutch"]]
    assert (_number(row["lat"]), _number(row["lon"])) == round_point(*EMMELOORD, 1000)


def _audit(settings, action):
    db = open_database(settings).db
    rows = db.query("SELECT username, object, result FROM audit_log WHERE action = ? ORDER BY id", (action,))
    db.close()
    return [tuple(r) for r in rows]


def test_every_export_is_one_audit_entry_with_filter_and_rows(client, data, settings):
    tl = login(client, "teamleider")
    new = client.get("/api/v1/signals", params={"status": "nieuw"}, headers=tl).json()["total"]
    before = len(_audit(settings, "signal_read_personal"))
    _csv(client.get("/api/v1/export/signals.csv", params={"area": ENS, "q": "Mevrouw Jansen"}, headers=tl))
    client.get("/api/v1/export/signals.geojson", params={"status": "nieuw", "pseudonymised": "true"},
               headers=tl)
    _csv(client.get("/api/v1/export/signals.csv", headers=tl))
    entries = _audit(settings, "export_signals")
    assert entries == [
        ("teamleider", f"signals.csv area={ENS} q=(2 woorden) rows=0", "allowed"),
        ("teamleider", f"signals.geojson status=nieuw pseudonymised rows={new}", "allowed"),
        ("teamleider", f"signals.csv rows={len(data)}", "allowed")]
    # The full export showed two signals with personal data: one read entry each; the
    # pseudonymised one showed none of their details.
    reads = _audit(settings, "signal_read_personal")[before:]
    assert sorted(r[1] for r in reads) == sorted([data["personal"], data["ens_personal"]])
    assert {r[0] for r in reads} == {"teamleider"}


def test_who_may_export(client, data):
    for path in ("/api/v1/export/signals.csv", "/api/v1/export/signals.geojson"):
        assert client.get(path).status_code == 401
        r = client.get(path, headers=login(client, "regisseur"))
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
        assert client.get(path, headers=login(client, "beheerder")).status_code == 200
    bad = client.get("/api/v1/export/signals.csv", params={"since": "gisteren"}, headers=login(client, "teamleider"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["name"] == "since"


def test_the_zaak_identificatie_of_a_handed_off_signal(client, data, settings):
    db = open_database(settings).db
    with db.transaction() as conn:  # what the ZGW worker records once the zaak exists
        for state, name, ident in (("done", "dutch", "ZAAK-2026-0001"), ("queued", "ens", "ZAAK-2026-0002")):
            conn.execute("INSERT INTO zaak_handoffs (subject_kind, subject_id, state, identificatie,"
                         " requested_by, requested_at, updated_at) VALUES ('signal', ?, ?, ?, 't', ?, ?)",
                         (data[name], state, ident, _when(0), _when(0)))
    db.close()
    _, rows = _csv(client.get("/api/v1/export/signals.csv", headers=login(client, "teamleider")))
    by_id = {r["id"]: r for r in rows}
    assert by_id[data["dutch"]]["zaak_identificatie"] == "ZAAK-2026-0001"
    assert by_id[data["ens"]]["zaak_identificatie"] == ""  # not made yet in the case system


def test_the_route_streams_and_the_generator_reads_chunk_by_chunk(client, data, settings):
    r = client.get("/api/v1/export/signals.csv", headers=login(client, "teamleider"))
    assert "content-length" not in r.headers  # sent as it is made, not as one body
    handler = client.app.route_handler_method_map["/api/v1/export/signals.csv"]["GET"]
    assert handler.parsed_fn_signature.return_type.annotation is Stream
    db = open_database(settings).db
    export = SignalExport(db, AreaCatalog(db), User(username="t", role="beheerder"), SignalFilter(),
                          "csv", chunk=2)
    assert next(export).startswith(b"\xef\xbb\xbfid;")  # the header, before any row is read
    assert export.rows == 0
    first = next(export)
    assert export.rows == 2 and first.count(b"\r\n") == 2  # two rows read, two sent
    rest = b"".join(export)
    assert export.rows == len(data) and export.finished
    assert rest.count(b"\r\n") >= len(data) - 2
    last = db.query_one("SELECT object FROM audit_log WHERE action = 'export_signals' ORDER BY id DESC")
    assert last[0] == f"signals.csv rows={len(data)}"
    db.close()


def test_a_stream_stopped_early_is_logged_as_failed(data, settings):
    db = open_database(settings).db
    export = SignalExport(db, AreaCatalog(db), User(username="t", role="beheerder"),
                          SignalFilter(), "geojson", chunk=3)
    next(export), next(export)
    export.close()  # the client went away
    last = db.query_one("SELECT object, result FROM audit_log WHERE action = 'export_signals'"
                        " ORDER BY id DESC")
    assert tuple(last) == ("signals.geojson rows=3 afgebroken", "failed")
    db.close()


def test_deleted_signals_are_not_exported(client, data):
    tl = login(client, "teamleider")
    assert client.delete(f"/api/v1/signals/{data['london']}", headers=tl).status_code == 204
    _, rows = _csv(client.get("/api/v1/export/signals.csv", headers=tl))
    assert {r["id"] for r in rows} == set(data.values()) - {data["london"]}
