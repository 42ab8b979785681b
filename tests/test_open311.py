"""Open311 GeoReport v2 (read side), read back by an independent client library: `georeport`
(PyPI; requests + xmltodict) against a real `gebiedsradar serve`, in JSON and XML; plus the
specification's fields, what is withheld (personal data, exact locations, descriptions),
the status mapping, the date filters and paging."""

from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
import requests
import xmltodict
from georeport import GeoReport

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.exports.models import Open311Request, Open311Service
from server.exports.rounding import round_point
from server.settings import Settings
from server.signals.models import Location, SignalCreate
from server.users.store import add_user

from conftest import EMMELOORD, MARKNESSE, store_signals
from live import start_server

ENS_POINT = (52.6333, 5.8333)
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORDS = {"teamleider": "teamleider-secret", "beheerder": "beheerder-secret",
             "tl-ens": "teamleider-ens-secret", "regisseur": "regisseur-secret"}


def _signal(days: int, point, category: str, subcategory: str | None = None, **fields) -> SignalCreate:
    return SignalCreate(category=category, subcategory=subcategory, source="inwoner",
                        description=fields.pop("description", f"Openbare melding {category}"),
                        observed_at=NOW - timedelta(days=days),
                        location=Location(lat=point[0], lon=point[1]) if point else None, **fields)


SIGNALS = {
    "emmeloord": _signal(2, EMMELOORD, "jeugd", "jeugdoverlast"),
    "marknesse": _signal(10, MARKNESSE, "verkeer", "snelheid", status="afgesloten"),
    "ens": _signal(40, ENS_POINT, "overlast", status="doorgezet", description="Stank bij de loods <&>"),
    "old": _signal(120, EMMELOORD, "woonomgeving", "groen"),
    "nowhere": _signal(3, None, "initiatief"),
    "personal": _signal(1, EMMELOORD, "jeugd", contains_personal_data=True,
                        description="Zoon van de familie Bakker, Lange Nering 12"),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real server with the signals above; yields (base URL, ids by name, headers by user)."""
    path = tmp_path_factory.mktemp("open311") / "open311.db"
    db = open_database(Settings(db_path=path)).db
    add_user(db, "teamleider", PASSWORDS["teamleider"], "teamleider", all_areas=True)
    add_user(db, "beheerder", PASSWORDS["beheerder"], "beheerder")
    add_user(db, "tl-ens", PASSWORDS["tl-ens"], "teamleider", ["WK017106"])
    add_user(db, "regisseur", PASSWORDS["regisseur"], "gebiedsregisseur", all_areas=True)
    rows = store_signals(db, AreaCatalog(db), list(SIGNALS.values()))
    db.close()
    ids = {name: row["id"] for name, row in zip(SIGNALS, rows, strict=True)}
    proc, base = start_server(path)
    try:
        headers = {}
        for user, password in PASSWORDS.items():
            r = httpx.post(base + "/api/v1/auth/token", json={"username": user, "password": password})
            headers[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield types.SimpleNamespace(base=base, ids=ids, headers=headers)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def client(live, monkeypatch, fmt: str, user: str = "teamleider") -> GeoReport:
    """The library as published; only its HTTP calls get our bearer token (it has no way to
    send one: the Open311 read side here is not public, the contract gives it to team leads)."""
    auth = live.headers[user]
    monkeypatch.setattr("georeport.georeport.requests", types.SimpleNamespace(
        get=lambda url, params=None, **kw: requests.get(url, params=params, headers=auth, timeout=30)))
    return GeoReport(live.base + "/api/v1/open311", output_format=fmt)


def _as_list(found):
    return found if isinstance(found, list) else [found]  # xmltodict: one element is no list


PUBLIC_RECENT = {"emmeloord", "marknesse", "ens", "nowhere"}  # the last 90 days, no personal data


def test_services_in_json_and_xml(live, monkeypatch):
    as_json = client(live, monkeypatch, "json").get_service_list()
    as_xml = _as_list(client(live, monkeypatch, "xml").get_service_list())
    assert [s["service_code"] for s in as_json] == [s["service_code"] for s in as_xml]
    codes = {s["service_code"] for s in as_json}
    assert {"jeugd", "jeugdoverlast", "verkeer", "snelheid", "initiatief"} <= codes
    for s in as_json:
        assert list(s) == SERVICE_FIELDS == list(Open311Service.__struct_fields__)
        assert s["metadata"] is False and s["type"] == "realtime" and s["service_name"]
    by_code = {s["service_code"]: s for s in as_xml}
    assert by_code["snelheid"]["group"] == "Verkeer" and by_code["snelheid"]["metadata"] == "false"
    assert "Te hard rijden" in by_code["verkeer"]["keywords"]


def _check_request(q: dict, ids: dict, *, xml: bool = False) -> None:
    assert list(q) == REQUEST_FIELDS == list(Open311Request.__struct_fields__)
    name = next(n for n, i in ids.items() if i == q["service_request_id"])
    spec = SIGNALS[name]
    empty = None
    assert q["status"] == ("closed" if spec.status == "afgesloten" else "open")
    assert q["service_code"] == (spec.subcategory or spec.category)
    assert q["description"] is empty  # not allowed by default
    assert q["agency_responsible"] == "Gemeente Noordoostpolder"
    requested = datetime.fromisoformat(q["requested_datetime"])
    assert requested.utcoffset() is not None and requested == spec.observed_at
    assert datetime.fromisoformat(q["updated_datetime"]).utcoffset() is not None
    assert q["media_url"] is empty and q["zipcode"] is empty and q["address_id"] is empty
    if spec.location is None:
        assert q["lat"] is empty and q["long"] is empty
    else:
        lat, lon = (float(q["lat"]), float(q["long"])) if xml else (q["lat"], q["long"])
        assert (lat, lon) == round_point(spec.location.lat, spec.location.lon, 100)
        assert (lat, lon) != (spec.location.lat, spec.location.lon)


def test_requests_in_json_read_back(live, monkeypatch):
    found = client(live, monkeypatch, "json").get_service_requests()
    assert {q["service_request_id"] for q in found} == {live.ids[n] for n in PUBLIC_RECENT}
    for q in found:
        _check_request(q, live.ids)
    by_id = {q["service_request_id"]: q for q in found}
    assert by_id[live.ids["ens"]]["status_notes"] == "Doorgezet naar de organisatie"
    assert by_id[live.ids["emmeloord"]]["address"] == "Emmeloord"
    assert [q["requested_datetime"] for q in found] == sorted((q["requested_datetime"] for q in found),
                                                              reverse=True)


def test_requests_in_xml_read_back(live, monkeypatch):
    raw = httpx.get(live.base + "/api/v1/open311/requests.xml", headers=live.headers["teamleider"])
    assert raw.headers["content-type"].startswith("application/xml")
    assert raw.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>')
    found = _as_list(client(live, monkeypatch, "xml").get_service_requests())
    assert {q["service_request_id"] for q in found} == {live.ids[n] for n in PUBLIC_RECENT}
    for q in found:
        _check_request(q, live.ids, xml=True)
    ens = next(q for q in found if q["service_request_id"] == live.ids["ens"])
    assert ens["status"] == "open"


def test_one_request_in_json_and_xml(live, monkeypatch):
    for fmt in ("json", "xml"):
        q = client(live, monkeypatch, fmt).get_service_request(live.ids["marknesse"])
        _check_request(q, live.ids, xml=fmt == "xml")
        assert q["status"] == "closed" and q["service_name"] == "Te hard rijden"
    # A signal with personal data does not exist here, in either format; nor does a typo.
    for name in ("personal",):
        for fmt in ("json", "xml"):
            with pytest.raises(requests.HTTPError) as e:
                client(live, monkeypatch, fmt).get_service_request(live.ids[name])
            assert e.value.response.status_code == 404
    r = httpx.get(f"{live.base}/api/v1/open311/requests/{live.ids['emmeloord']}.csv",
                  headers=live.headers["teamleider"])
    assert r.status_code in (400, 404) and r.headers["content-type"] == "application/problem+json"


def test_personal_data_is_never_published(live, monkeypatch):
    texts = [httpx.get(live.base + path, params={"start_date": "2000-01-01"},
                       headers=live.headers["beheerder"]).text
             for path in ("/api/v1/open311/requests.json", "/api/v1/open311/requests.xml")]
    for text in texts:
        assert live.ids["personal"] not in text and "Bakker" not in text
    exact = {(spec.location.lat, spec.location.lon) for spec in SIGNALS.values() if spec.location}
    published = {(q["lat"], q["long"]) for q in msgspec.json.decode(texts[0]) if q["lat"] is not None}
    assert published and not published & exact  # rounded only


def test_filters_as_open311_clients_send_them(live, monkeypatch):
    c = client(live, monkeypatch, "json")
    ids = live.ids

    def got(**params):
        return {q["service_request_id"] for q in c.get_service_requests(**params)}

    assert got(service_code="verkeer") == {ids["marknesse"]}  # a category: its subcategories too
    assert got(service_code="snelheid,jeugdoverlast") == {ids["marknesse"], ids["emmeloord"]}
    assert got(status="closed") == {ids["marknesse"]}
    assert got(status="open") == {ids[n] for n in PUBLIC_RECENT - {"marknesse"}}
    start = (NOW - timedelta(days=200)).isoformat().replace("+00:00", "Z")
    assert got(start_date=start) == {ids[n] for n in PUBLIC_RECENT | {"old"}}
    assert got(start_date=(NOW - timedelta(days=15)).isoformat(),
               end_date=(NOW - timedelta(days=2, hours=12)).isoformat()) == {ids["marknesse"], ids["nowhere"]}
    assert got(end_date=(NOW - timedelta(days=100)).isoformat()) == {ids["old"]}  # 90 days before it
    assert got(service_request_id=f"{ids['old']},{ids['personal']}") == {ids["old"]}  # overrides the rest
    # The same filters under the document's camelCase names.
    r = httpx.get(live.base + "/api/v1/open311/requests.json", headers=live.headers["teamleider"],
                  params={"serviceCode": "verkeer", "startDate": start, "status": "closed"})
    assert [q["service_request_id"] for q in r.json()] == [ids["marknesse"]]
    bad = httpx.get(live.base + "/api/v1/open311/requests.json", headers=live.headers["teamleider"],
                    params={"status": "dicht"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["name"] == "status"


def test_paging(live):
    seen = []
    for page in (1, 2, 3):
        for name in ("page_size", "pageSize"):
            r = httpx.get(live.base + "/api/v1/open311/requests.json", headers=live.headers["teamleider"],
                          params={"start_date": "2000-01-01", "page": page, name: 2})
            assert r.status_code == 200
        seen.append([q["service_request_id"] for q in r.json()])
    assert [len(p) for p in seen] == [2, 2, 1]
    assert {i for p in seen for i in p} == {live.ids[n] for n in PUBLIC_RECENT | {"old"}}


def test_descriptions_only_when_the_beheerder_allows_it(live, monkeypatch):
    url = live.base + "/api/v1/export/open311/config"
    beheerder = live.headers["beheerder"]
    assert httpx.get(url, headers=beheerder).json() == {
        "include_descriptions": False, "location_rounding_m": 100,
        "agency_responsible": "Gemeente Noordoostpolder"}
    assert httpx.put(url, headers=live.headers["teamleider"], json={}).status_code == 403
    assert httpx.put(url, headers=beheerder, json={"location_rounding_m": 5}).status_code == 422
    try:
        r = httpx.put(url, headers=beheerder, json={"include_descriptions": True, "location_rounding_m": 500,
                                                    "agency_responsible": "Gemeente Noordoostpolder, Sociaal Domein"})
        assert r.status_code == 200
        for fmt in ("json", "xml"):
            q = client(live, monkeypatch, fmt).get_service_request(live.ids["ens"])
            assert q["description"] == "Stank bij de loods <&>"  # escaped in XML, read back whole
            assert q["agency_responsible"] == "Gemeente Noordoostpolder, Sociaal Domein"
            assert (float(q["lat"]), float(q["long"])) == round_point(*ENS_POINT, 500)
        assert live.ids["personal"] not in httpx.get(live.base + "/api/v1/open311/requests.json",
                                                     headers=beheerder).text
    finally:
        httpx.put(url, headers=beheerder, json={})
    assert client(live, monkeypatch, "json").get_service_request(live.ids["ens"])["description"] is None


def test_who_may_read_it(live, monkeypatch):
    c = client(live, monkeypatch, "json", user="tl-ens")
    assert {q["service_request_id"] for q in c.get_service_requests()} == {live.ids["ens"]}  # their area
    with pytest.raises(requests.HTTPError) as e:
        c.get_service_request(live.ids["emmeloord"])
    assert e.value.response.status_code == 404
    for path in ("services.json", "requests.xml", f"requests/{live.ids['ens']}.json"):
        assert httpx.get(f"{live.base}/api/v1/open311/{path}").status_code == 401
        assert httpx.get(f"{live.base}/api/v1/open311/{path}", headers=live.headers["regisseur"]).status_code == 403


def test_xml_documents_parse_with_the_declared_encoding(live):
    for path in ("services.xml", "requests.xml", f"requests/{live.ids['ens']}.xml"):
        r = httpx.get(f"{live.base}/api/v1/open311/{path}", headers=live.headers["teamleider"])
        assert r.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        doc = xmltodict.parse(r.content)
        assert list(doc) == ["services" if path.startswith("services") else "service_requests"]


def test_xml_drops_what_xml_cannot_hold_and_escapes_the_rest():
    from server.exports.open311_xml import requests_xml

    q = Open311Request(service_request_id="x", status="open", status_notes=None, service_name="Jeugd",
                       service_code="jeugd", description="a\x01b\x0bc <d> & \"e\" \U0001F600 ‘café’",
                       agency_responsible="G", service_notice=None, requested_datetime=NOW,
                       updated_datetime=NOW, expected_datetime=None, address=None, address_id=None,
                       zipcode=None, lat=52.1, long=-0.5, media_url=None)
    doc = xmltodict.parse(requests_xml([q]))["service_requests"]["request"]
    assert doc["description"] == "abc <d> & \"e\" \U0001F600 ‘café’"
    assert doc["requested_datetime"] == NOW.isoformat() and doc["long"] == "-0.5"
    assert doc["media_url"] is None and list(doc) == REQUEST_FIELDS
