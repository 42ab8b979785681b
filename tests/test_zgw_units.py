"""The parts of the ZGW hand-off that need no case system: RSIN, mapping choice, payload,
error classification, tokens, back-off."""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime

import httpx
import pytest

from server.categories.store import CategoryTree
from server.errors import Invalid
from server.zgw import config as zgw_config
from server.zgw import payload
from server.zgw.client import ZgwClient, classify
from server.zgw.config import ZgwConfig, choose, kwestie_category, rsin_ok
from server.zgw.models import MAX_NOTE, MappingIn, ZgwConfigIn
from server.zgw.outbox import identificatie_for, weblink
from server.zgw.token import make_token, verify
from server.zgw.worker import CAP, backoff

BASE = "http://zaken.example.nl"


def mapping(category: str = "*", **kw) -> MappingIn:
    return MappingIn(category=category, zaaktype=f"{BASE}/catalogi/api/v1/zaaktypen/{category}",
                     statustype=f"{BASE}/catalogi/api/v1/statustypen/1",
                     informatieobjecttype=f"{BASE}/catalogi/api/v1/informatieobjecttypen/1", **kw)


def config_in(**kw) -> ZgwConfigIn:
    body = dict(zaken_api=f"{BASE}/zaken/api/v1", documenten_api=f"{BASE}/documenten/api/v1",
                catalogi_api=f"{BASE}/catalogi/api/v1", client_id="gr", secret="s" * 20,
                rsin="002564440", mappings=[mapping()])
    body.update(kw)
    return ZgwConfigIn(**body)


TREE = CategoryTree({"jeugd": None, "jeugdoverlast": "jeugd", "overlast": None}, frozenset(
    {"jeugd", "jeugdoverlast", "overlast"}))


@pytest.mark.parametrize("rsin, ok", [
    ("002564440", True), ("123456782", True), ("002564441", False), ("12345678", False),
    ("0025644400", False), ("00256444a", False), ("000000000", False), ("", False)])
def test_rsin_eleven_test(rsin, ok):
    assert rsin_ok(rsin) is ok


def test_most_specific_mapping_wins():
    maps = [mapping("*"), mapping("jeugd"), mapping("jeugdoverlast")]
    assert choose(maps, "jeugd", "jeugdoverlast").category == "jeugdoverlast"
    assert choose(maps, "jeugd", None).category == "jeugd"
    assert choose(maps, "overlast", None).category == "*"
    assert choose([mapping("jeugd")], "overlast", None) is None
    assert choose(maps[:2], "jeugd", "jeugdoverlast").category == "jeugd"


def test_a_kwestie_uses_its_most_frequent_category():
    assert kwestie_category([("jeugd", "jeugdoverlast"), ("overlast", None), ("jeugd", None),
                             ("jeugd", "jeugdoverlast")]) == ("jeugd", "jeugdoverlast")
    assert kwestie_category([]) is None


def test_config_check_names_every_wrong_field():
    bad = config_in(rsin="002564441", zaken_api="ftp://x", mappings=[
        mapping("onbekend"), MappingIn(category="jeugd", zaaktype="http://localhost:8000/zt",
                                       statustype=f"{BASE}/catalogi/api/v1/statustypen/1",
                                       informatieobjecttype=f"{BASE}/catalogi/api/v1/iot/1")])
    with pytest.raises(Invalid) as e:
        zgw_config.check(bad, TREE, None)
    names = {i.name for i in e.value.errors}
    assert {"rsin", "zaken_api", "mappings[0].category", "mappings[1].zaaktype"} <= names
    assert "controleer" in e.value.detail
    with pytest.raises(Invalid) as e:
        zgw_config.check(config_in(mappings=[]), TREE, None)
    assert [i.name for i in e.value.errors] == ["mappings"]
    with pytest.raises(Invalid) as e:
        zgw_config.check(config_in(secret=None), TREE, None)
    assert [i.name for i in e.value.errors] == ["secret"]
    kept = zgw_config.check(config_in(secret=None), TREE, "bewaard")
    assert kept.secret == "bewaard"


def facts(**kw) -> payload.SignalFacts:
    base = dict(id="6f1c2d3e-0000-4000-8000-000000000001", category="jeugd",
                subcategory="jeugdoverlast", category_label="Jeugdoverlast",
                description="Jongeren bij het dorpshuis.", urgency="normaal", source="inwoner",
                observed=datetime(2026, 11, 28, 10, 15, tzinfo=UTC), lat=52.7, lon=5.8,
                personal=False, created_by="regisseur",
                kern=payload.Area("WK017104", "Marknesse"), wijk=payload.Area("WK017104", "Marknesse"),
                buurt=payload.Area("BU01710400", "Marknesse-Centrum"), photos=["a" * 64])
    base.update(kw)
    return payload.SignalFacts(**base)


def test_zaak_body_of_a_signal():
    cfg = ZgwConfig(config_in())
    s = payload.Subject("signal", facts().id, [facts()])
    body = payload.zaak_body(s, mapping(), cfg, "GR-2026-S6F1C2D3E0000", date(2026, 12, 2),
                             "Jeugdoverlast", "Graag snel", "vernietigen")
    assert body["omschrijving"] == "Jeugdoverlast in Marknesse"
    assert body["toelichting"].startswith("Notitie: Graag snel\n\nJongeren bij het dorpshuis.")
    assert "regisseur" not in body["toelichting"]
    assert body["startdatum"] == "2026-11-28" and body["registratiedatum"] == "2026-12-02"
    assert body["zaakgeometrie"] == {"type": "Point", "coordinates": [5.8, 52.7]}
    assert body["kenmerken"] == [{"kenmerk": s.id, "bron": "Gebiedsradar"}]
    assert body["bronorganisatie"] == body["verantwoordelijkeOrganisatie"] == "002564440"
    assert body["archiefnominatie"] == "vernietigen"
    named = ZgwConfig(config_in(send_author=True))
    assert "regisseur" in payload.toelichting(s, mapping(), named, None)


def test_long_texts_are_clipped():
    long = facts(category_label="Heel lange categorie " * 10, description="woord " * 400)
    s = payload.Subject("signal", long.id, [long])
    body = payload.zaak_body(s, mapping(), ZgwConfig(config_in()), "GR", date(2026, 12, 2),
                             long.category_label, "n" * 900)
    assert len(body["omschrijving"]) <= 80 and body["omschrijving"].endswith("…")
    assert len(body["toelichting"]) <= 1000


def test_the_note_gets_its_room_first_and_the_description_is_cut_to_what_is_left():
    """A 1,900-character description and a note as long as the API takes: the whole note
    reaches the zaak, the description is cut visibly, the facts stay; at most 1000."""
    long = facts(description="beschrijving " * 146)  # 1,898 characters
    s = payload.Subject("signal", long.id, [long])
    note = "notitie " * 74 + "eind"  # 596 characters
    text = payload.toelichting(s, mapping(), ZgwConfig(config_in()), note)
    assert len(text) <= 1000
    assert text.startswith(f"Notitie: {note}\n\nbeschrijving")
    described = text.split("\n\n")[1]
    assert described.endswith("…") and len(described) > 100
    assert text.endswith("Doorgezet vanuit Gebiedsradar door Team gebiedsregie.")
    assert len(note) <= MAX_NOTE


def test_a_note_longer_than_fits_is_cut_visibly():
    s = payload.Subject("signal", facts().id, [facts()])
    text = payload.toelichting(s, mapping(), ZgwConfig(config_in()), "x" * 1500)
    assert len(text) <= 1000 and text.startswith("Notitie: xxx")
    noted = text.split("\n\n")[0]
    assert noted.endswith("…") and len(noted) > 400
    assert "Waargenomen:" in text


def test_personal_data_is_left_out_unless_the_mapping_allows_it():
    secret = facts(personal=True, description="Meneer Jansen op nummer 4")
    s = payload.Subject("signal", secret.id, [secret])
    text = payload.toelichting(s, mapping(), ZgwConfig(config_in()), None)
    assert "Jansen" not in text and "persoonsgegevens" in text and "weggelaten" in text
    assert payload.sends_photos(s, mapping()) == []
    allowed = mapping(send_personal_data=True)
    assert "Jansen" in payload.toelichting(s, allowed, ZgwConfig(config_in()), None)
    assert payload.sends_photos(s, allowed) == [(secret.id, "a" * 64)]


def test_zaakobjecten_and_their_keys_come_back_camelcased():
    a, b = facts(), facts(id="6f1c2d3e-0000-4000-8000-000000000002", photos=[])
    s = payload.Subject("kwestie", "k1", [a, b], "Titel")
    bodies = dict(payload.object_bodies(s, "http://z/1"))
    kinds = sorted(b["objectType"] for b in bodies.values())
    assert kinds == ["buurt", "overige", "overige", "wijk", "woonplaats"]
    buurt = bodies["buurt:0171:04:00"]["objectIdentificatie"]
    assert buurt == {"buurtCode": "00", "buurtNaam": "Marknesse-Centrum", "gemGemeenteCode": "0171",
                     "wykWijkCode": "04"}
    # The case system answers with keys camelCased (and could change their case): same key.
    for key, body in bodies.items():
        answered = {**body, "objectIdentificatie": {k[0].upper() + k[1:]: v for k, v in
                                                    body["objectIdentificatie"].items()}}
        assert payload.object_key(answered) == key


def test_identificatie_and_weblink():
    ident = identificatie_for("signal", "6f1c2d3e-aaaa-4000-8000-000000000001", 2026)
    assert ident == "GR-2026-S6F1C2D3EAAAA" and len(ident) <= 40
    assert identificatie_for("kwestie", "6f1c2d3e-aaaa", 2027).startswith("GR-2027-K")
    assert weblink("https://z.nl/zaak/{identificatie}?u={uuid}", ident, "http://x/zaken/abc") \
        == f"https://z.nl/zaak/{ident}?u=abc"
    assert weblink(None, ident, "http://x/zaken/abc") is None


def _response(status: int, body: dict) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://x"))


def test_errors_are_sorted_into_permanent_and_transient():
    refused = classify(_response(400, {"detail": "Ongeldige invoer.", "invalidParams": [
        {"name": "zaaktype", "code": "unknown-service", "reason": "De service is onbekend."}]}),
        "het aanmaken van de zaak")
    assert refused.permanent and "zaaktype: De service is onbekend." in refused.message
    assert "het aanmaken van de zaak" in refused.message
    assert classify(_response(403, {"detail": "Geen toestemming"}), "x").permanent
    assert classify(_response(401, {}), "x").permanent
    for status in (500, 502, 503, 504, 429):
        assert not classify(_response(status, {}), "x").permanent


def test_tokens_are_fresh_and_checked():
    now = time.time()
    geheim, ander = "geheim-" + "g" * 32, "ander-" + "a" * 32
    token = make_token("gr", geheim, at=now)
    assert verify(token, "gr", geheim, at=now + 10)
    assert not verify(token, "gr", ander, at=now)
    assert not verify(token, "ander", geheim, at=now)
    assert not verify(token, "gr", geheim, at=now + 3600 + 120)  # older than an hour
    assert not verify("geen-jwt", "gr", geheim)


def test_backoff_doubles_up_to_an_hour_with_jitter():
    rng = random.Random(1)
    for attempt in range(1, 40):
        wait = backoff(attempt, rng)
        assert min(CAP, 2 ** attempt) * 0.5 <= wait <= min(CAP, 2 ** attempt)


def test_wijken_and_buurten_of_two_gemeenten_with_the_same_short_codes_are_two_objects():
    """The Zaken API takes a wijk as gemeente + 2-character code: wijk 01 of Noordoostpolder
    (WK017101) and of Urk (WK018401) are different wijken, and the zaak gets both."""
    a = facts(wijk=payload.Area("WK017101", "Emmeloord"), buurt=payload.Area("BU01710101", "Centrum"))
    b = facts(id="6f1c2d3e-0000-4000-8000-000000000002", wijk=payload.Area("WK018401", "Urk"),
              buurt=payload.Area("BU01840101", "Oude dorp"))
    bodies = [body for _, body in payload.object_bodies(payload.Subject("kwestie", "k", [a, b]), "z")]
    wijken = sorted((o["objectIdentificatie"]["gemGemeenteCode"], o["objectIdentificatie"]["wijkCode"])
                    for o in bodies if o["objectType"] == "wijk")
    assert wijken == [("0171", "01"), ("0184", "01")]
    assert len([o for o in bodies if o["objectType"] == "buurt"]) == 2
    assert payload.cbs_parts("BU01710101", "BU") == ("0171", "01", "01")
    assert payload.cbs_parts("WK017104", "WK") == ("0171", "04", "")
    assert payload.cbs_parts("GM0171", "WK") is None and payload.cbs_parts("BU0171010", "BU") is None


def test_the_archiefnominatie_a_zaaktype_gives_comes_from_its_resultaattypen():
    """Catalogi API 1.3.1: a ZaakType has no archiefnominatie, its ResultaatTypen each have
    one; the zaak gets it only when they all agree."""
    weg, bewaar = {"archiefnominatie": "vernietigen"}, {"archiefnominatie": "blijvend_bewaren"}
    assert payload.archiefnominatie({}, [weg, dict(weg)]) == "vernietigen"
    assert payload.archiefnominatie({}, [weg, bewaar]) is None
    assert payload.archiefnominatie({}, []) is None
    assert payload.archiefnominatie({}, [{"archiefnominatie": ""}]) is None
    assert payload.archiefnominatie({"archiefnominatie": "blijvend_bewaren"}, [weg]) == "blijvend_bewaren"


def test_the_zaaks_dates_are_days_in_the_netherlands():
    """Observed at 23:30 UTC on 28 November is 29 November in Amsterdam: startdatum and the
    toelichting say the 29th (and a zaak never starts after its registratiedatum)."""
    late = facts(observed=datetime(2026, 11, 28, 23, 30, tzinfo=UTC))
    s = payload.Subject("signal", late.id, [late])
    body = payload.zaak_body(s, mapping(), ZgwConfig(config_in()), "GR", date(2026, 12, 2),
                             "Jeugdoverlast", None)
    assert body["startdatum"] == "2026-11-29" and "Waargenomen: 2026-11-29." in body["toelichting"]
    k = payload.Subject("kwestie", "k", [late, facts(id="x", observed=datetime(2026, 11, 30, 23, 5,
                                                                              tzinfo=UTC))])
    assert "van 2026-11-29 tot 2026-12-01" in payload.toelichting(k, mapping(), ZgwConfig(config_in()), None)
    assert payload.zaak_body(s, mapping(), ZgwConfig(config_in()), "GR", date(2026, 11, 28),
                             "J", None)["startdatum"] == "2026-11-28"


def test_what_a_user_reads_of_a_failure_is_dutch_text_not_code():
    """A proxy's HTML page, a JSON body without a problem, a connection error: the message on
    the signal has no markup, no JSON and no English class name."""
    html = httpx.Response(403, text="<html><body><h1>403 Forbidden</h1></body></html>",
                          request=httpx.Request("POST", "http://x"))
    message = classify(html, "het aanmaken van de zaak").message
    assert "<" not in message and "weigert toegang (403)" in message
    odd = classify(_response(400, {"detail": {"nested": ["x"]}, "invalidParams": [
        {"name": "zaak", "reason": {"raw": 1}}]}), "x").message
    assert "{" not in odd and "[" not in odd

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    from server.zgw.client import ZgwError

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    client = ZgwClient(ZgwConfig(config_in(secret="s" * 40)), http=http)
    with http, pytest.raises(ZgwError) as caught:
        client.get(f"{BASE}/zaken/api/v1/zaken", "het zoeken van de zaak")
    assert not caught.value.permanent
    assert "ConnectError" not in caught.value.message and "Errno" not in caught.value.message
    assert "geen verbinding" in caught.value.message


def test_every_zaken_call_has_the_crs_headers_and_a_fresh_token():
    """Open Zaak answers 412 on a /zaken call without Accept-Crs and Content-Crs, also on a
    zaak URL it handed back with another scheme or host than the configured base; the other
    resources go without. Every call carries a token of its own, `iat` now."""
    import jwt

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = ZgwClient(ZgwConfig(config_in(secret="s" * 40)), http=http)
    with http:
        client.get(f"{BASE}/zaken/api/v1/zaken", "x", {"identificatie": "GR"})
        client.get("https://other.example.nl/zaken/api/v1/zaken/abc/", "x")
        client.post(f"{BASE}/zaken/api/v1/zaken", "x", {})
        client.post(f"{BASE}/zaken/api/v1/zaakobjecten", "x", {})
        client.get(f"{BASE}/catalogi/api/v1/zaaktypen/1", "x")
    crs = [(r.headers.get("Accept-Crs"), r.headers.get("Content-Crs")) for r in seen]
    assert crs == [("EPSG:4326", "EPSG:4326")] * 3 + [(None, None)] * 2
    for r in seen:
        claims = jwt.decode(r.headers["Authorization"].removeprefix("Bearer "), "s" * 40,
                            algorithms=["HS256"])
        assert abs(claims["iat"] - time.time()) < 60 and claims["client_id"] == "gr"


def test_the_identificatie_has_the_year_in_dutch_time(tmp_path):
    from server.bootstrap import open_database
    from server.settings import Settings
    from server.zgw import outbox

    db = open_database(Settings(db_path=tmp_path / "z.db")).db
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC).timestamp()  # 00:30 on 1 January here
    with db.transaction() as conn:
        row, queued = outbox.enqueue(conn, "signal", "6f1c2d3e-aaaa-4000-8000-000000000001",
                                     mapping(), None, "tl", new_year)
    db.close()
    assert queued and row["identificatie"] == "GR-2027-S6F1C2D3EAAAA"
