"""The ZGW test double (tests/zgw_double.py) itself, spoken to with plain httpx and pyjwt.

The double stands in for Open Zaak 1.21 in the hand-off tests; these tests pin the facts it
must reproduce (the facts measured on Open Zaak 1.21.0, listed in README.md's ZGW section
and in zgw_double.py) and its faults, so a wrong double cannot make a
wrong client look right.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time

import httpx
import jwt
import pytest

import zgw_double as zgw_module
from zgw_double import ZgwDouble, camelize, rsin_valid
from zgw_double_catalog import SPECS

CRS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
PLAIN = {"verify": False}    # plain HTTP to 127.0.0.1: skip loading the CA bundle (0.1 s a client)


def token(double: ZgwDouble, *, age: float = 0, secret: str | None = None, **claims) -> str:
    payload = {"iss": double.client_id, "iat": int(time.time() - age), "client_id": double.client_id,
               "user_id": "test", "user_representation": "Test"}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret or double.secret, algorithm="HS256")


def auth(double: ZgwDouble, **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(double, **kw)}"}


@pytest.fixture
def http(zgw_double: ZgwDouble):
    with httpx.Client(timeout=10, **PLAIN) as client:
        yield client


def zaak_body(double: ZgwDouble, **fields) -> dict:
    body = {"bronorganisatie": double.rsin, "verantwoordelijkeOrganisatie": double.rsin,
            "zaaktype": double.zaaktype_url, "startdatum": "2026-12-01",
            "omschrijving": "Overlast: Marknesse", "toelichting": "Jongeren bij het dorpshuis.",
            "registratiedatum": "2026-12-01",
            "zaakgeometrie": {"type": "Point", "coordinates": [5.864, 52.7092]},
            "kenmerken": [{"kenmerk": "signaal-1", "bron": "Gebiedsradar"}],
            "vertrouwelijkheidaanduiding": "intern"}
    body.update(fields)
    return body


def new_zaak(http: httpx.Client, double: ZgwDouble, **fields) -> dict:
    r = http.post(f"{double.zaken_api}/zaken", json=zaak_body(double, **fields),
                  headers={**auth(double), **CRS})
    assert r.status_code == 201, r.text
    return r.json()


def new_document(http: httpx.Client, double: ZgwDouble, **fields) -> dict:
    body = {"bronorganisatie": double.rsin, "creatiedatum": "2026-12-01", "titel": "Foto 1",
            "auteur": "Gebiedsradar", "taal": "dut", "informatieobjecttype": double.informatieobjecttype_url,
            "inhoud": base64.b64encode(b"\xff\xd8 jpeg").decode(), "bestandsnaam": "foto-1.jpg",
            "formaat": "image/jpeg", "vertrouwelijkheidaanduiding": "intern",
            "indicatieGebruiksrecht": False}
    body.update(fields)
    r = http.post(f"{double.documenten_api}/enkelvoudiginformatieobjecten", json=body, headers=auth(double))
    assert r.status_code == 201, r.text
    return r.json()


def refused(double: ZgwDouble, r: httpx.Response, status: int, code: str | None = None) -> dict:
    """Assert an Open Zaak refusal, that it was recorded, and clear the record."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status and problem["title"] and problem["instance"]
    if code is not None:
        assert code in [p["code"] for p in problem["invalidParams"]], problem
    assert len(double.violations) == 1, double.violations
    double.violations.clear()
    return problem


# -- the valid path -----------------------------------------------------------------------


def test_a_whole_hand_off_and_closing_passes_without_violations(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    assert zaak["identificatie"] and zaak["status"] is None and zaak["zaakgeometrie"]["type"] == "Point"
    r = http.post(f"{d.zaken_api}/statussen", headers=auth(d), json={
        "zaak": zaak["url"], "statustype": d.statustype_urls[0], "datumStatusGezet": "2026-12-01T10:00:00Z"})
    assert r.status_code == 201, r.text
    first_status = r.json()["url"]
    r = http.post(f"{d.zaken_api}/zaakobjecten", headers=auth(d), json={
        "zaak": zaak["url"], "objectType": "wijk", "relatieomschrijving": "Wijk van het signaal",
        "objectIdentificatie": {"wijkCode": "06", "wijkNaam": "Marknesse", "gemGemeenteCode": "0171"}})
    assert r.status_code == 201, r.text
    doc = new_document(http, d)
    assert d.document_content(doc["url"]) == b"\xff\xd8 jpeg"
    r = http.post(f"{d.zaken_api}/zaakinformatieobjecten", headers=auth(d),
                  json={"zaak": zaak["url"], "informatieobject": doc["url"], "titel": "Foto 1"})
    assert r.status_code == 201, r.text
    r = http.post(f"{d.zaken_api}/resultaten", headers=auth(d), json={
        "zaak": zaak["url"], "resultaattype": d.resultaattype_url, "toelichting": "Opgelost."})
    assert r.status_code == 201, r.text
    resultaat = r.json()["url"]
    r = http.post(f"{d.zaken_api}/statussen", headers=auth(d), json={
        "zaak": zaak["url"], "statustype": d.eindstatustype_url, "datumStatusGezet": "2026-12-03T09:00:00Z"})
    assert r.status_code == 201, r.text
    eind = r.json()["url"]

    got = http.get(zaak["url"], headers={**auth(d), **CRS}).json()
    assert (got["status"], got["resultaat"], got["einddatum"]) == (eind, resultaat, "2026-12-03")
    assert len(got["zaakobjecten"]) == 1 and len(got["zaakinformatieobjecten"]) == 1
    statussen = http.get(f"{d.zaken_api}/statussen", params={"zaak": zaak["url"]}, headers=auth(d)).json()
    assert statussen["count"] == 2
    assert {s["url"]: s["indicatieLaatstGezetteStatus"] for s in statussen["results"]} == {
        first_status: False, eind: True}
    found = http.get(f"{d.zaken_api}/zaken", params={"identificatie": zaak["identificatie"]},
                     headers={**auth(d), **CRS}).json()
    assert [z["url"] for z in found["results"]] == [zaak["url"]]
    assert d.zaken_by_kenmerk("signaal-1")[0]["url"] == zaak["url"]
    assert len(d.statussen) == 2 and len(d.documenten) == 1 and len(d.resultaten) == 1
    assert ("POST", "/zaken/api/v1/zaken", 201) in d.calls


def test_the_catalogue_reads_like_open_zaak(zgw_double, http):
    d = zgw_double
    listed = http.get(f"{d.catalogi_api}/zaaktypen", headers=auth(d)).json()
    assert [z["url"] for z in listed["results"]] == [d.zaaktype_url]   # concept ones only on request
    alles = http.get(f"{d.catalogi_api}/zaaktypen", params={"status": "alles"}, headers=auth(d)).json()
    assert {z["url"] for z in alles["results"]} == {d.zaaktype_url, d.concept_zaaktype_url}
    zaaktype = http.get(d.zaaktype_url, headers=auth(d)).json()
    assert zaaktype["concept"] is False and zaaktype["omschrijving"] == "Melding openbare ruimte"
    assert zaaktype["informatieobjecttypen"] == [d.informatieobjecttype_url]
    assert http.get(d.concept_zaaktype_url, headers=auth(d)).json()["concept"] is True
    statustypen = http.get(f"{d.catalogi_api}/statustypen", params={"zaaktype": d.zaaktype_url},
                           headers=auth(d)).json()["results"]
    assert [(s["volgnummer"], s["omschrijving"], s["isEindstatus"]) for s in statustypen] == [
        (1, "Ontvangen", False), (2, "In behandeling", False), (3, "Afgehandeld", True)]
    assert [s["url"] for s in statustypen] == d.statustype_urls
    assert statustypen[-1]["url"] == d.eindstatustype_url
    resultaattype = http.get(d.resultaattype_url, headers=auth(d)).json()
    assert resultaattype["archiefnominatie"] == "vernietigen"
    assert http.get(d.informatieobjecttype_url, headers=auth(d)).json()["omschrijving"] == "Foto"
    assert http.get(f"{d.catalogi_api}/zaaktypen/00000000-0000-4000-8000-000000000000",
                    headers=auth(d)).status_code == 404


def test_config_points_at_the_double(zgw_double):
    d = zgw_double
    config = d.config(rsin="123456782")
    assert config["zaken_api"] == f"{d.base}/zaken/api/v1" and config["catalogi_api"].startswith(d.base)
    assert config["rsin"] == "123456782" and config["secret"] == d.secret and len(d.secret) >= 32
    assert config["mappings"] == [{
        "category": "*", "zaaktype": d.zaaktype_url, "statustype": d.statustype_urls[0],
        "informatieobjecttype": d.informatieobjecttype_url, "vertrouwelijkheidaanduiding": "intern",
        "send_personal_data": False}]
    assert rsin_valid(d.config()["rsin"])


def test_lists_are_paged(zgw_double, http, monkeypatch):
    monkeypatch.setattr(zgw_module, "PAGE_SIZE", 2)
    d = zgw_double
    urls = [new_zaak(http, d, kenmerken=[])["url"] for _ in range(3)]
    page1 = http.get(f"{d.zaken_api}/zaken", headers={**auth(d), **CRS}).json()
    assert page1["count"] == 3 and page1["previous"] is None and len(page1["results"]) == 2
    page2 = http.get(page1["next"], headers={**auth(d), **CRS}).json()
    assert page2["next"] is None and [z["url"] for z in page1["results"] + page2["results"]] == urls


# -- Open Zaak's rules --------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["Accept-Crs", "Content-Crs"])
def test_zaken_calls_without_a_crs_header_are_412(zgw_double, http, missing):
    d = zgw_double
    headers = {**auth(d), **{k: v for k, v in CRS.items() if k != missing}}
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers=headers)
    assert missing in refused(d, r, 412)["detail"]
    assert d.zaken == []
    zaak = new_zaak(http, d)
    refused(d, http.get(zaak["url"], headers=headers), 412)
    refused(d, http.get(f"{d.zaken_api}/zaken", headers=headers), 412)


def test_other_zaken_api_resources_need_no_crs_headers(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    r = http.post(f"{d.zaken_api}/statussen", headers=auth(d), json={
        "zaak": zaak["url"], "statustype": d.statustype_urls[0], "datumStatusGezet": "2026-12-01T10:00:00Z"})
    assert r.status_code == 201, r.text


def test_tokens(zgw_double, http):
    d = zgw_double
    url = f"{d.catalogi_api}/zaaktypen"
    refused(d, http.get(url), 401)
    refused(d, http.get(url, headers=auth(d, age=3601)), 403)
    assert http.get(url, headers=auth(d, age=3500)).status_code == 200
    refused(d, http.get(url, headers=auth(d, secret="een-ander-geheim-van-minstens-32-tekens")), 403)
    refused(d, http.get(url, headers=auth(d, client_id=None)), 403)
    refused(d, http.get(url, headers=auth(d, client_id="iemand-anders")), 403)
    refused(d, http.get(url, headers=auth(d, iss=None)), 403)


def test_a_token_ages_with_the_doubles_clock(zgw_double, http):
    d = zgw_double
    headers = auth(d)
    d.clock = lambda: time.time() + 3700
    refused(d, http.get(f"{d.catalogi_api}/zaaktypen", headers=headers), 403)


def test_a_zaaktype_url_on_another_host_is_unknown_service(zgw_double, http):
    d = zgw_double
    other = d.zaaktype_url.replace("127.0.0.1", "localhost")
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, zaaktype=other), headers={**auth(d), **CRS})
    refused(d, r, 400, "unknown-service")
    # the same the other way round: the request to localhost, the zaaktype on 127.0.0.1
    r = http.post(f"{d.zaken_api}/zaken".replace("127.0.0.1", "localhost"), json=zaak_body(d),
                  headers={**auth(d), **CRS})
    refused(d, r, 400, "unknown-service")
    assert d.zaken == []


def test_urls_must_resolve(zgw_double, http):
    d = zgw_double
    missing = f"{d.catalogi_api}/zaaktypen/00000000-0000-4000-8000-000000000000"
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, zaaktype=missing), headers={**auth(d), **CRS})
    refused(d, r, 400, "does-not-exist")
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, zaaktype=d.statustype_urls[0]),
                  headers={**auth(d), **CRS})
    refused(d, r, 400, "bad-url")


@pytest.mark.parametrize("field", ["bronorganisatie", "verantwoordelijkeOrganisatie"])
def test_an_rsin_failing_the_11_proef_is_refused(zgw_double, http, field):
    d = zgw_double
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, **{field: "002564441"}), headers={**auth(d), **CRS})
    assert refused(d, r, 400, "invalid")["invalidParams"][0]["name"] == field


def test_rsin_11_proef():
    assert rsin_valid("002564440") and rsin_valid("123456782")
    assert not rsin_valid("002564441") and not rsin_valid("12345678") and not rsin_valid("00256444a")


def test_identificatie_is_unique_per_bronorganisatie(zgw_double, http):
    d = zgw_double
    new_zaak(http, d, identificatie="GR-1")
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, identificatie="GR-1"), headers={**auth(d), **CRS})
    refused(d, r, 400, "identificatie-niet-uniek")
    new_zaak(http, d, identificatie="GR-1", bronorganisatie="123456782")


def test_a_concept_zaaktype_cannot_start_a_zaak(zgw_double, http):
    d = zgw_double
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, zaaktype=d.concept_zaaktype_url),
                  headers={**auth(d), **CRS})
    refused(d, r, 400, "not-published")


def test_an_eindstatus_needs_a_resultaat_first(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    r = http.post(f"{d.zaken_api}/statussen", headers=auth(d), json={
        "zaak": zaak["url"], "statustype": d.eindstatustype_url, "datumStatusGezet": "2026-12-01T10:00:00Z"})
    refused(d, r, 400, "resultaat-does-not-exist")
    assert d.statussen == [] and http.get(zaak["url"], headers={**auth(d), **CRS}).json()["einddatum"] is None


def test_closing_needs_indicatie_gebruiksrecht_on_every_document(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    doc = new_document(http, d, indicatieGebruiksrecht=None)
    r = http.post(f"{d.zaken_api}/zaakinformatieobjecten", headers=auth(d),
                  json={"zaak": zaak["url"], "informatieobject": doc["url"]})
    assert r.status_code == 201, r.text
    with pytest.raises(AssertionError, match="indicatieGebruiksrecht"):
        d.close(zaak["url"])


def test_a_document_of_a_type_the_zaaktype_does_not_list_cannot_be_linked(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    doc = new_document(http, d, informatieobjecttype=d.other_informatieobjecttype_url)
    r = http.post(f"{d.zaken_api}/zaakinformatieobjecten", headers=auth(d),
                  json={"zaak": zaak["url"], "informatieobject": doc["url"]})
    refused(d, r, 400, "missing-zaaktype-informatieobjecttype-relation")
    assert d.zaakinformatieobjecten == []


def test_object_identificatie_keys_come_back_camelcased(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    r = http.post(f"{d.zaken_api}/zaakobjecten", headers=auth(d), json={
        "zaak": zaak["url"], "objectType": "overige", "objectTypeOverige": "cbs_gebied",
        "objectIdentificatie": {"overigeData": {"cbs_code": "BU01710601", "buurt_naam": "Marknesse"}}})
    assert r.status_code == 201, r.text
    listed = http.get(f"{d.zaken_api}/zaakobjecten", params={"zaak": zaak["url"]}, headers=auth(d)).json()
    data = listed["results"][0]["objectIdentificatie"]["overigeData"]
    assert data == {"cbsCode": "BU01710601", "buurtNaam": "Marknesse"}
    assert camelize({"a_b": [{"c_d_e": 1}]}) == {"aB": [{"cDE": 1}]}


# -- the specification --------------------------------------------------------------------


def test_a_missing_required_field_is_a_violation(zgw_double, http):
    d = zgw_double
    body = zaak_body(d)
    del body["startdatum"]
    r = http.post(f"{d.zaken_api}/zaken", json=body, headers={**auth(d), **CRS})
    problem = refused(d, r, 400, "required")
    assert problem["invalidParams"][0]["name"] == "startdatum"
    assert d.zaken == []


def test_a_too_long_omschrijving_is_a_violation(zgw_double, http):
    d = zgw_double
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, omschrijving="x" * 81), headers={**auth(d), **CRS})
    assert refused(d, r, 400, "max_length")["invalidParams"][0]["name"] == "omschrijving"
    new_zaak(http, d, omschrijving="x" * 80)


def test_a_zaakobject_is_checked_against_the_schema_its_object_type_picks(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    r = http.post(f"{d.zaken_api}/zaakobjecten", headers=auth(d), json={
        "zaak": zaak["url"], "objectType": "buurt",
        "objectIdentificatie": {"buurtCode": "BU01710601", "buurtNaam": "Marknesse",
                                "gemGemeenteCode": "0171", "wykWijkCode": "06"}})
    assert refused(d, r, 400, "max_length")["invalidParams"][0]["name"] == "objectIdentificatie.buurtCode"


def test_unknown_fields_are_recorded_but_ignored_like_open_zaak_does(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d, zaakGeometry={"type": "Point", "coordinates": [5.8, 52.7]})
    assert "zaakGeometry" not in zaak
    assert len(d.violations) == 1 and "zaakGeometry" in d.violations[0]
    d.violations.clear()


def test_wrong_values_in_headers_and_bodies(zgw_double, http):
    d = zgw_double
    r = http.post(f"{d.zaken_api}/zaken", content=b"bronorganisatie=002564440",
                  headers={**auth(d), **CRS, "Content-Type": "application/x-www-form-urlencoded"})
    refused(d, r, 415)
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS, "Accept-Crs": "EPSG:28992"})
    refused(d, r, 406)
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, startdatum="1-12-2026"), headers={**auth(d), **CRS})
    refused(d, r, 400, "invalid")
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, einddatum="2026-12-05"), headers={**auth(d), **CRS})
    refused(d, r, 400, "read-only")


def test_the_doubles_own_answers_are_checked_against_the_specification(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    d._store["zaken"][zaak["url"]]["omschrijving"] = "x" * 81     # a double gone wrong
    http.get(zaak["url"], headers={**auth(d), **CRS})
    assert len(d.violations) == 1 and "antwoord van de double" in d.violations[0]
    assert "omschrijving" in d.violations[0]
    d.violations.clear()


def test_an_operation_the_double_does_not_serve_is_a_violation(zgw_double, http):
    d = zgw_double
    refused(d, http.get(f"{d.zaken_api}/rollen", headers=auth(d)), 501)
    refused(d, http.get(f"{d.zaken_api}/nergens", headers=auth(d)), 404)


# -- a case worker ------------------------------------------------------------------------


def test_advance_and_close_progress_a_zaak_like_a_case_worker(zgw_double, http):
    d = zgw_double
    changes: list[str] = []
    d.on_change = changes.append
    zaak = new_zaak(http, d)["url"]
    d.advance(zaak)
    d.advance(zaak)
    current = http.get(zaak, headers={**auth(d), **CRS}).json()
    status = http.get(current["status"], headers=auth(d)).json()
    assert status["statustype"] == d.statustype_urls[1] and current["einddatum"] is None
    d.close(zaak, toelichting="Jongeren gesproken.")
    closed = http.get(zaak, headers={**auth(d), **CRS}).json()
    assert closed["einddatum"] is not None and closed["resultaat"]
    assert http.get(closed["status"], headers=auth(d)).json()["statustype"] == d.eindstatustype_url
    assert http.get(closed["resultaat"], headers=auth(d)).json()["resultaattype"] == d.resultaattype_url
    assert changes == [zaak, zaak, zaak]
    with pytest.raises(AssertionError):
        d.advance(zaak)


# -- faults -------------------------------------------------------------------------------


def test_fail_answers_an_error_without_doing_anything(zgw_double, http):
    d = zgw_double
    d.fail("POST", r"/zaken$", status=503, times=2)
    for _ in range(2):
        assert http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS}).status_code == 503
    assert d.zaken == []
    new_zaak(http, d)
    d.fail("POST", r"/zaken$", status=403)
    problem = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS}).json()
    assert problem["code"] == "permission_denied" and problem["status"] == 403
    d.fail("POST", r"/zaken$", status=400)
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS})
    assert r.status_code == 400 and r.json()["invalidParams"]
    assert len(d.zaken) == 1 and d.violations == []   # injected answers are not the client's fault


def test_drop_after_commit_stores_the_zaak_and_sends_nothing(zgw_double, http):
    d = zgw_double
    d.drop("POST", r"/zaken$")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS})
    assert len(d.zaken_by_kenmerk("signaal-1")) == 1
    assert d.calls[-1] == ("POST", "/zaken/api/v1/zaken", 0)
    found = http.get(f"{d.zaken_api}/zaken", headers={**auth(d), **CRS}).json()
    assert found["count"] == 1


def test_drop_before_commit_stores_nothing(zgw_double, http):
    d = zgw_double
    d.drop("POST", r"/zaken$", after_commit=False)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS})
    assert d.zaken == []
    new_zaak(http, d)


def test_delay_holds_the_answer_and_still_does_the_work(zgw_double):
    d = zgw_double
    d.delay("POST", r"/zaken$", seconds=0.5)
    with httpx.Client(timeout=httpx.Timeout(10, read=0.05), **PLAIN) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS})
    deadline = time.monotonic() + 10
    while not d.zaken and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(d.zaken) == 1


def test_decide_drives_every_call(zgw_double, http):
    d = zgw_double
    schedule = iter([("fail", 502), ("drop_before",), ("drop_after",), None])
    seen: list[tuple[str, str]] = []

    def decide(method, path):
        seen.append((method, path))
        return next(schedule, None)

    d.decide = decide
    url, kw = f"{d.zaken_api}/zaken", {"json": zaak_body(d), "headers": {**auth(d), **CRS}}
    assert http.post(url, **kw).status_code == 502
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(url, **kw)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(url, **kw)
    assert len(d.zaken) == 1
    r = http.post(url, json=zaak_body(d, kenmerken=[]), headers={**auth(d), **CRS})
    assert r.status_code == 201 and len(d.zaken) == 2
    assert seen[0] == ("POST", "/zaken/api/v1/zaken")
    d.clear_faults()
    assert d.decide is None


def test_faults_are_thread_safe(zgw_double, http):
    d = zgw_double
    d.fail("POST", r"/zaken$", status=503, times=5)
    statuses: list[int] = []

    def send(n: int) -> None:
        r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d, kenmerken=[{"kenmerk": f"s{n}", "bron": "x"}]),
                      headers={**auth(d), **CRS})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] * 7 + [503] * 5
    assert len(d.zaken) == 7 and len({z["identificatie"] for z in d.zaken}) == 7


def test_unknown_query_parameters_are_recorded_but_ignored_like_open_zaak_does(zgw_double, http):
    d = zgw_double
    new_zaak(http, d)
    listed = http.get(f"{d.zaken_api}/zaken", params={"kenmerk": "signaal-2"}, headers={**auth(d), **CRS}).json()
    assert listed["count"] == 1     # the filter does not exist: everything comes back
    assert len(d.violations) == 1 and "kenmerk" in d.violations[0]
    d.violations.clear()


def test_patch_a_zaak_and_download_a_document(zgw_double, http):
    d = zgw_double
    zaak = new_zaak(http, d)
    r = http.patch(zaak["url"], json={"omschrijving": "Nieuwe omschrijving"}, headers={**auth(d), **CRS})
    assert r.status_code == 200 and r.json()["omschrijving"] == "Nieuwe omschrijving"
    assert d.zaken[0]["omschrijving"] == "Nieuwe omschrijving"
    r = http.patch(zaak["url"], json={"zaaktype": d.concept_zaaktype_url}, headers={**auth(d), **CRS})
    refused(d, r, 400, "wijzigen-niet-toegelaten")
    doc = new_document(http, d)
    r = http.get(doc["inhoud"], headers=auth(d))
    assert r.status_code == 200 and r.content == b"\xff\xd8 jpeg"
    assert doc["bestandsomvang"] == len(b"\xff\xd8 jpeg")


def test_a_bug_in_the_double_is_a_500_and_a_violation_not_a_dropped_connection(zgw_double, http, monkeypatch):
    d = zgw_double

    def broken(*args, **kwargs):
        raise KeyError("kapot")

    monkeypatch.setattr(d, "_create_zaken", broken)
    r = http.post(f"{d.zaken_api}/zaken", json=zaak_body(d), headers={**auth(d), **CRS})
    assert r.status_code == 500
    assert len(d.violations) == 1 and "fout in de double" in d.violations[0] and "kapot" in d.violations[0]
    d.violations.clear()


def test_fault_options(zgw_double, http):
    d = zgw_double
    body = {"type": "x", "code": "throttled", "title": "Te veel verzoeken", "status": 429, "detail": "Wacht even.",
            "instance": "urn:uuid:1"}
    d.fail("*", r"/zaaktypen", status=429, times=None, body=body)
    for _ in range(3):
        r = http.get(f"{d.catalogi_api}/zaaktypen", headers=auth(d))
        assert (r.status_code, r.json()) == (429, body)
    assert http.get(d.statustype_urls[0], headers=auth(d)).status_code == 200   # other paths untouched
    d.clear_faults()
    assert http.get(f"{d.catalogi_api}/zaaktypen", headers=auth(d)).status_code == 200
    d.decide = lambda method, path: ("delay", 0.01) if path.endswith("/zaaktypen") else None
    assert http.get(f"{d.catalogi_api}/zaaktypen", headers=auth(d)).status_code == 200
    assert d.calls[-1] == ("GET", "/catalogi/api/v1/zaaktypen", 200)


def test_query_parameters_are_checked_against_their_schemas(zgw_double, http):
    d = zgw_double
    headers = {**auth(d), **CRS}
    assert refused(d, http.get(f"{d.zaken_api}/zaken", params={"page": "twee"}, headers=headers),
                   400, "invalid")["invalidParams"][0]["name"] == "page"
    refused(d, http.get(f"{d.zaken_api}/zaken", params={"zaaktype": "zaaktype-1"}, headers=headers), 400, "invalid")
    assert http.get(f"{d.zaken_api}/zaken", params={"startdatum__gt": "2026-01-01", "page": "1"},
                    headers=headers).status_code == 200


def test_the_specifications_are_the_published_files():
    published = {  # tests/data/README.md
        "zaken-api-1.5.1.yaml": "2944c846ce5c8458c4fcc6655e2788705b664cab8412e3b2de0dbe77e2492bd0",
        "documenten-api-1.4.2.yaml": "c665b42c35104028c13e6af40cd6ff2ef25fba3d6c2277a38d0a7573432252c4",
        "catalogi-api-1.3.1.yaml": "40a5b8bbc17d675a9a603d32a3a5fbdba12662afa7b0d9c882548e2abb4acde0",
    }
    for name, digest in published.items():
        assert hashlib.sha256((SPECS / name).read_bytes()).hexdigest() == digest, name
