"""Need-to-know on every path: every route of the served app × every role × a target in and
out of the user's area, with the status each must get and no out-of-area content in any
body. A route added without an entry in ROUTES fails `test_every_route_is_in_the_matrix`."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from server.bootstrap import open_database
from server.db import Database
from server.migrations import MIGRATIONS, migrate
from server.users.store import add_user

from conftest import PASSWORDS, REPO, login, signal_body

ENS_POINT = (52.6333, 5.8333)
ENS = "WK017106"
# Out of the area: unusual decimals, so a leak of the location shows in any body.
EMM_POINT = (52.711234, 5.749876)
OUT_TEXT = "Geheim uit Emmeloord: naam en adres van de buurman"
OUT_AUTHOR = "emmauteur"
ROLES = ("anon", "ens", "tl-ens", "teamleider", "beheerder")
SCOPED = ("anon", "ens", "tl-ens")  # may never see anything of the out-of-area signal
EXTRA = {"tl-ens": "teamleider-ens-secret", OUT_AUTHOR: "emmeloord-auteur-secret"}


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, 40, 90)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    """Signals, photos, alerts and kwesties in Ens (in) and Emmeloord (out)."""

    client: Any
    settings: Any
    headers: dict[str, dict[str, str]]
    emm: str = ""
    signal: dict[str, str] = field(default_factory=dict)
    photo: dict[str, str] = field(default_factory=dict)
    alert: dict[str, str] = field(default_factory=dict)
    kwestie: dict[str, str] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)
    seq: int = 0

    def login(self, role: str) -> dict[str, str]:
        if role == "anon":
            return {}
        r = self.client.post("/api/v1/auth/token",
                             json={"username": role, "password": {**PASSWORDS, **EXTRA}[role]})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def new_signal(self, target: str, **fields) -> str:
        """A fresh signal: in Ens by `regisseur`, or in Emmeloord by the out-of-area author."""
        point, author = (ENS_POINT, "regisseur") if target == "in" else (EMM_POINT, OUT_AUTHOR)
        body = signal_body(*point, **({"description": OUT_TEXT} if target == "out" else {}), **fields)
        r = self.client.post("/api/v1/signals", json=body, headers=self.headers[author])
        assert r.status_code == 201, r.text
        return body["id"]

    def new_kwestie(self, target: str) -> str:
        """A fresh kwestie made by a team lead: the in-area one straddles the border."""
        ids = [self.signal["in"], self.signal["out"]] if target == "in" else [self.signal["out"]]
        r = self.client.post("/api/v1/kwesties", json={"title": f"Kwestie {target}", "signal_ids": ids},
                             headers=self.headers["teamleider"])
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def new_alert(self, signal_ids: list[str]) -> str:
        alert_id = str(uuid.uuid4())
        at = datetime.now(UTC).isoformat()
        db = open_database(self.settings).db
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO alerts (id, key, method, title, category, kern_code, observed, expected,"
                " score, p_value, signal_ids, extent, why, window_start, window_end, created_at,"
                " updated_at) VALUES (?, ?, 'regel', 'Jeugd: signalen dicht bij elkaar', 'jeugd', ?,"
                " ?, NULL, NULL, NULL, ?, ?, 'test', ?, ?, ?, ?)",
                (alert_id, f"test:{alert_id}", ENS, len(signal_ids), json.dumps(signal_ids),
                 json.dumps([EMM_POINT[1], ENS_POINT[0], ENS_POINT[1], EMM_POINT[0]]), at, at, at, at))
        db.close()
        return alert_id


@pytest.fixture
def world(client, settings, users) -> World:
    r = client.get("/api/v1/areas/locate", params={"lat": EMM_POINT[0], "lon": EMM_POINT[1]},
                   headers=login(client, "beheerder"))
    emm = r.json()["kern"]["code"]
    db = open_database(settings).db
    add_user(db, "tl-ens", EXTRA["tl-ens"], "teamleider", [ENS])
    add_user(db, OUT_AUTHOR, EXTRA[OUT_AUTHOR], "gebiedsregisseur", [emm])
    db.close()
    w = World(client, settings, {})
    w.emm = emm
    w.headers = {role: w.login(role) for role in (*ROLES, "regisseur", OUT_AUTHOR)}
    for target, seed in (("in", 1), ("out", 2)):
        data = photo(seed)
        w.photo[target] = hashlib.sha256(data).hexdigest()
        author = "regisseur" if target == "in" else OUT_AUTHOR
        r = client.put(f"/api/v1/attachments/{w.photo[target]}", content=data, headers=w.headers[author])
        assert r.status_code in (200, 201), r.text
        w.signal[target] = w.new_signal(target, attachments=[w.photo[target]],
                                        contains_personal_data=True)
    w.markers = [OUT_TEXT, OUT_AUTHOR, f"{EMM_POINT[0]}", f"{EMM_POINT[1]}", w.photo["out"],
                 w.signal["out"]]
    w.alert = {"in": w.new_alert([w.signal["in"], w.signal["out"]]),  # straddles the border
               "out": w.new_alert([w.signal["out"]])}
    for target, ids in (("in", [w.signal["in"], w.signal["out"]]), ("out", [w.signal["out"]])):
        r = client.post("/api/v1/kwesties", json={"title": f"Kwestie {target}", "signal_ids": ids},
                        headers=w.headers["teamleider"])
        assert r.status_code == 201, r.text
        w.kwestie[target] = r.json()["id"]
    return w


# -- the matrix --------------------------------------------------------------------------

Call = tuple[str, dict[str, Any]]  # (url, keyword arguments for the client)


@dataclass(frozen=True)
class Case:
    """How to call a route for a target, and the status per role (in ROLES order) for the
    target in the user's area and out of it (None: the route has no target)."""

    call: Callable[[World, str], Call]
    inside: tuple
    outside: tuple | None = None


def _s(*codes):
    return tuple(c if isinstance(c, set) else {c} for c in codes)


SIGNED_IN_OK = _s(401, 200, 200, 200, 200)
ANYONE_OK = _s(200, 200, 200, 200, 200)
LEADS_OK = _s(401, 403, 200, 200, 200)
LEADS_IN_OUT = _s(401, 403, 404, 200, 200)
SCOPED_404 = _s(401, 404, 404, 200, 200)
OPTIONS = _s({200, 204}, {200, 204}, {200, 204}, {200, 204}, {200, 204})


def _api(path: str, **kw) -> Callable[[World, str], Call]:
    return lambda w, t: (f"/api/v1{path}", kw)


def _push(w: World, t: str) -> Call:
    w.seq += 1
    return "/api/v1/sync/push", {"json": {"device_id": str(uuid.uuid4()), "mutations": [
        {"id": str(uuid.uuid4()), "seq": w.seq, "op": "update", "signal_id": w.signal[t],
         "base_version": None, "data": {"urgency": "hoog"}}]}}


def _new_kwestie_from_alert(w: World, t: str) -> Call:
    ids = [w.signal["in"], w.signal["out"]] if t == "in" else [w.signal["out"]]
    return f"/api/v1/alerts/{w.new_alert(ids)}/kwestie", {"json": {}}


def _create(w: World, t: str) -> Call:
    point = ENS_POINT if t == "in" else EMM_POINT
    return "/api/v1/signals", {"json": signal_body(point[0] + 0.0001, point[1] + 0.0001)}


ROUTES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/health"): Case(_api("/health"), ANYONE_OK),
    ("POST", "/api/v1/auth/token"): Case(
        _api("/auth/token", json={"username": "ens", "password": PASSWORDS["ens"]}), ANYONE_OK),
    ("POST", "/api/v1/auth/logout"): Case(_api("/auth/logout"), _s(401, *[{200, 204}] * 4)),
    ("GET", "/api/v1/me"): Case(_api("/me"), SIGNED_IN_OK),
    ("GET", "/api/v1/categories"): Case(_api("/categories"), SIGNED_IN_OK),
    ("GET", "/api/v1/areas"): Case(_api("/areas", params={"level": "kern"}), SIGNED_IN_OK),
    ("GET", "/api/v1/areas/offline"): Case(_api("/areas/offline"), SIGNED_IN_OK),
    ("GET", "/api/v1/areas/locate"): Case(
        lambda w, t: ("/api/v1/areas/locate", {"params": dict(zip(
            ("lat", "lon"), ENS_POINT if t == "in" else EMM_POINT, strict=True))}),
        SIGNED_IN_OK, SIGNED_IN_OK),
    ("GET", "/api/v1/users"): Case(_api("/users"), _s(401, 403, 403, 403, 200)),
    ("GET", "/api/v1/signals"): Case(
        lambda w, t: ("/api/v1/signals", {"params": {"area": ENS if t == "in" else w.emm}}),
        SIGNED_IN_OK, SIGNED_IN_OK),
    ("POST", "/api/v1/signals"): Case(_create, _s(401, 201, 201, 201, 201), _s(401, 201, 201, 201, 201)),
    ("GET", "/api/v1/signals/{signal_id:uuid}"): Case(
        lambda w, t: (f"/api/v1/signals/{w.signal[t]}", {}), SIGNED_IN_OK, SCOPED_404),
    ("GET", "/api/v1/signals/{signal_id:uuid}/history"): Case(
        lambda w, t: (f"/api/v1/signals/{w.signal[t]}/history", {}), SIGNED_IN_OK, SCOPED_404),
    ("GET", "/api/v1/signals/nearby"): Case(  # out: an empty list for whom may not see it
        lambda w, t: ("/api/v1/signals/nearby", {"params": dict(zip(
            ("lat", "lon"), ENS_POINT if t == "in" else EMM_POINT, strict=True), category="jeugd")}),
        SIGNED_IN_OK, SIGNED_IN_OK),
    ("PATCH", "/api/v1/signals/{signal_id:uuid}"): Case(
        lambda w, t: (f"/api/v1/signals/{w.signal[t]}", {"json": {"urgency": "hoog"}}),
        SIGNED_IN_OK, SCOPED_404),
    ("DELETE", "/api/v1/signals/{signal_id:uuid}"): Case(
        lambda w, t: (f"/api/v1/signals/{w.new_signal(t)}", {}),
        _s(401, 403, 204, 204, 204), _s(401, 404, 404, 204, 204)),
    ("POST", "/api/v1/sync/push"): Case(_push, SIGNED_IN_OK, SIGNED_IN_OK),
    ("GET", "/api/v1/sync/pull"): Case(_api("/sync/pull"), SIGNED_IN_OK),
    ("PUT", "/api/v1/attachments/{sha256:str}"): Case(
        lambda w, t: (f"/api/v1/attachments/{hashlib.sha256(photo(9)).hexdigest()}",
                      {"content": photo(9)}), _s(401, *[{200, 201}] * 4)),
    ("GET", "/api/v1/attachments/{sha256:str}"): Case(
        lambda w, t: (f"/api/v1/attachments/{w.photo[t]}", {}), SIGNED_IN_OK, SCOPED_404),
    ("GET", "/api/v1/stats/areas"): Case(_api("/stats/areas"), LEADS_OK),
    ("GET", "/api/v1/stats/areas/{code:str}"): Case(
        lambda w, t: (f"/api/v1/stats/areas/{ENS if t == 'in' else w.emm}", {}), LEADS_OK, LEADS_IN_OUT),
    ("GET", "/api/v1/stats/regisseurs"): Case(_api("/stats/regisseurs"), LEADS_OK),
    ("GET", "/api/v1/alerts"): Case(_api("/alerts"), SIGNED_IN_OK),
    ("GET", "/api/v1/alerts/{alert_id:str}"): Case(
        lambda w, t: (f"/api/v1/alerts/{w.alert[t]}", {}), SIGNED_IN_OK, SCOPED_404),
    ("POST", "/api/v1/alerts/{alert_id:str}/acknowledge"): Case(
        lambda w, t: (f"/api/v1/alerts/{w.alert[t]}/acknowledge", {"json": {"status": "bekeken"}}),
        LEADS_OK, LEADS_IN_OUT),
    ("POST", "/api/v1/alerts/{alert_id:str}/kwestie"): Case(
        _new_kwestie_from_alert, _s(401, 403, 201, 201, 201), _s(401, 403, 404, 201, 201)),
    # Kwesties (issue 12): every role works on those holding a signal it may see.
    ("GET", "/api/v1/kwesties"): Case(_api("/kwesties"), SIGNED_IN_OK),
    ("POST", "/api/v1/kwesties"): Case(
        lambda w, t: ("/api/v1/kwesties", {"json": {"title": "Nieuw", "signal_ids": [w.signal[t]]}}),
        _s(401, 201, 201, 201, 201), _s(401, 422, 422, 201, 201)),
    ("GET", "/api/v1/kwesties/{kwestie_id:str}"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.kwestie[t]}", {}), SIGNED_IN_OK, SCOPED_404),
    ("PATCH", "/api/v1/kwesties/{kwestie_id:str}"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.kwestie[t]}", {"json": {"title": "Hernoemd"}}),
        SIGNED_IN_OK, SCOPED_404),
    ("POST", "/api/v1/kwesties/{kwestie_id:str}/signals"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.kwestie[t]}/signals", {"json": {"signal_ids": [w.signal[t]]}}),
        SIGNED_IN_OK, SCOPED_404),
    ("DELETE", "/api/v1/kwesties/{kwestie_id:str}/signals/{signal_id:str}"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.new_kwestie(t)}/signals/{w.signal[t]}", {}),
        _s(401, 204, 204, 204, 204), _s(401, 404, 404, 204, 204)),
    ("POST", "/api/v1/kwesties/{kwestie_id:str}/updates"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.kwestie[t]}/updates", {"json": {"text": "Gesprek gehad."}}),
        _s(401, 201, 201, 201, 201), _s(401, 404, 404, 201, 201)),
    # Exports and Open311 (issue 13): team leads, within their areas; settings: beheerder.
    ("GET", "/api/v1/export/signals.csv"): Case(_api("/export/signals.csv"), LEADS_OK),
    ("GET", "/api/v1/export/signals.geojson"): Case(_api("/export/signals.geojson"), LEADS_OK),
    ("GET", "/api/v1/export/open311/config"): Case(_api("/export/open311/config"), _s(401, 403, 403, 403, 200)),
    ("PUT", "/api/v1/export/open311/config"): Case(
        _api("/export/open311/config", json={"include_descriptions": False, "location_rounding_m": 100,
                                             "agency_responsible": "Gemeente Noordoostpolder"}),
        _s(401, 403, 403, 403, 200)),
    ("GET", "/api/v1/open311/services.json"): Case(_api("/open311/services.json"), LEADS_OK),
    ("GET", "/api/v1/open311/services.xml"): Case(_api("/open311/services.xml"), LEADS_OK),
    ("GET", "/api/v1/open311/requests.json"): Case(_api("/open311/requests.json"), LEADS_OK),
    ("GET", "/api/v1/open311/requests.xml"): Case(_api("/open311/requests.xml"), LEADS_OK),
    ("GET", "/api/v1/open311/requests/{request_file:str}"): Case(  # public signals only: fresh ones
        lambda w, t: (f"/api/v1/open311/requests/{w.new_signal(t)}.json", {}), LEADS_OK, LEADS_IN_OUT),
    # ZGW hand-off (issue 13 §1): not configured yet here, so a lead's hand-off is 409; the
    # configuration is the beheerder's (its PUT comes after the hand-offs in this order).
    ("POST", "/api/v1/signals/{signal_id:uuid}/zaak"): Case(
        lambda w, t: (f"/api/v1/signals/{w.signal[t]}/zaak", {"json": {"note": "Graag oppakken"}}),
        _s(401, 403, 409, 409, 409), _s(401, 403, 404, 409, 409)),
    ("POST", "/api/v1/kwesties/{kwestie_id:str}/zaak"): Case(
        lambda w, t: (f"/api/v1/kwesties/{w.kwestie[t]}/zaak", {"json": {}}),
        _s(401, 403, 409, 409, 409), _s(401, 403, 404, 409, 409)),
    ("GET", "/api/v1/export/zgw/preview"): Case(
        lambda w, t: (f"/api/v1/export/zgw/preview?signalId={w.signal[t]}", {}),
        SIGNED_IN_OK, SCOPED_404),
    ("GET", "/api/v1/export/zgw/config"): Case(_api("/export/zgw/config"), _s(401, 403, 403, 403, 404)),
    ("PUT", "/api/v1/export/zgw/config"): Case(_api("/export/zgw/config", json={
        "zaken_api": "http://127.0.0.1:9/zaken/api/v1", "documenten_api": "http://127.0.0.1:9/documenten/api/v1",
        "catalogi_api": "http://127.0.0.1:9/catalogi/api/v1", "client_id": "gebiedsradar",
        "secret": "geheim-van-de-test", "rsin": "002564440", "mappings": [{
            "category": "*", "zaaktype": "http://127.0.0.1:9/catalogi/api/v1/zaaktypen/1",
            "statustype": "http://127.0.0.1:9/catalogi/api/v1/statustypen/1",
            "informatieobjecttype": "http://127.0.0.1:9/catalogi/api/v1/informatieobjecttypen/1"}]}),
        _s(401, 403, 403, 403, 200)),
    ("POST", "/api/v1/notificaties/zgw"): Case(_api("/notificaties/zgw", json={
        "kanaal": "zaken", "hoofdObject": "http://127.0.0.1:9/zaken/api/v1/zaken/1", "resource": "status",
        "resourceUrl": "http://127.0.0.1:9/zaken/api/v1/statussen/1", "actie": "create",
        "aanmaakdatum": "2026-12-02T10:00:00Z", "kenmerken": {}}), _s(401, 403, 403, 403, 403)),
    ("GET", "/api/v1/openapi.json"): Case(_api("/openapi.json"), ANYONE_OK),
    ("GET", "/api/v1/_schema"): Case(_api("/_schema"), SIGNED_IN_OK),
    ("GET", "/api/v1/_schema/openapi.json"): Case(_api("/_schema/openapi.json"), SIGNED_IN_OK),
    ("GET", "/api/v1/_schema/{path:str}"): Case(
        _api("/_schema/onbekend"), _s(401, *[{200, 404}] * 4)),
}


def served_routes(app) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in app.route_handler_method_map.items()
            for method in methods if method not in ("OPTIONS", "HEAD")}


def test_every_route_is_in_the_matrix(client):
    served = served_routes(client.app)
    assert served - set(ROUTES) == set(), "routes without an authorization entry"
    assert set(ROUTES) - served == set(), "entries for routes that are not served"


def test_every_route_for_every_role_in_and_out_of_area(world):
    failures = []
    client = world.client
    cases = [(key, case, target) for key, case in ROUTES.items()
             for target in (("in", "out") if case.outside is not None else ("-",))]
    cases += [(("OPTIONS", path), Case(_api(path.removeprefix("/api/v1")), OPTIONS), "-")
              for path in sorted({p for _, p in ROUTES}) if "{" not in path]
    for (method, path), case, target in cases:
        expected = case.outside if target == "out" else case.inside
        for role, allowed in zip(ROLES, expected, strict=True):
            url, kw = case.call(world, "in" if target == "-" else target)
            headers = world.login(role) if path.endswith("/logout") else world.headers[role]
            r = client.request(method, url, headers=headers, **kw)
            if r.status_code not in allowed:
                failures.append(f"{method} {path} [{target}] as {role}: {r.status_code}"
                                f" (expected {sorted(allowed)}) {r.text[:160]}")
            if role in SCOPED:
                body = r.content.decode("utf-8", "replace")
                sent = url + json.dumps(kw.get("json"))  # an id the request named may be echoed
                leaked = [m for m in world.markers if m in body and m not in sent]
                if leaked:
                    failures.append(f"{method} {path} [{target}] as {role}: leaks {leaked}")
    assert failures == [], "\n".join(failures)


# -- regressions of the leaks found (issue 11, finding 1) -------------------------------


def test_alert_across_the_border_shows_only_in_area_signals(world):
    c, ens = world.client, world.headers["ens"]
    detail = c.get(f"/api/v1/alerts/{world.alert['in']}", headers=ens).json()
    assert [s["id"] for s in detail["signals"]] == [world.signal["in"]]
    assert detail["signal_ids"] == [world.signal["in"]] and detail["hidden_signals"] == 1
    lat, lon = ENS_POINT
    assert detail["extent"] == [lon, lat, lon, lat]  # framed on what is shown only
    listed = {a["id"]: a for a in c.get("/api/v1/alerts", headers=ens).json()}
    assert set(listed) == {world.alert["in"]}  # the Emmeloord-only alert is not listed
    everything = c.get(f"/api/v1/alerts/{world.alert['in']}", headers=world.headers["teamleider"]).json()
    assert len(everything["signals"]) == 2 and everything["hidden_signals"] == 0


def test_kwestie_of_an_area_bound_teamleider(world):
    c, tl = world.client, world.headers["tl-ens"]
    detail = c.get(f"/api/v1/kwesties/{world.kwestie['in']}", headers=tl).json()
    assert [s["id"] for s in detail["timeline"]] == [world.signal["in"]]
    assert (detail["signal_count"], detail["hidden_signals"]) == (1, 1)
    assert [k["id"] for k in c.get("/api/v1/kwesties", headers=tl).json()] == [world.kwestie["in"]]
    assert c.get(f"/api/v1/kwesties/{world.kwestie['out']}", headers=tl).status_code == 404
    # From an alert across the border: only the signals in scope go in.
    made = c.post(f"/api/v1/alerts/{world.alert['in']}/kwestie", json={}, headers=tl).json()
    assert [s["id"] for s in made["timeline"]] == [world.signal["in"]]


def test_photo_of_an_out_of_area_and_of_a_deleted_signal(world):
    c, ens = world.client, world.headers["ens"]
    url = f"/api/v1/attachments/{world.photo['in']}"
    r = c.get(url, headers=ens)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-cache"
    assert r.headers["etag"] == f'"{world.photo["in"]}"'
    again = c.get(url, headers={**ens, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    out = c.get(f"/api/v1/attachments/{world.photo['out']}", headers=ens)
    unknown = c.get(f"/api/v1/attachments/{'0' * 64}", headers=ens)
    assert out.status_code == unknown.status_code == 404
    assert out.json()["detail"] == unknown.json()["detail"]
    # Deleted: nobody gets the photo any more, not even from a cache that revalidates.
    assert c.delete(f"/api/v1/signals/{world.signal['in']}", headers=world.headers["beheerder"]).status_code == 204
    for role in ("ens", "teamleider", "beheerder"):
        assert c.get(url, headers={**world.headers[role], "If-None-Match": r.headers["etag"]}).status_code == 404


def test_statistics_of_an_area_bound_teamleider(world):
    c = world.client
    body = c.get("/api/v1/stats/areas", headers=world.headers["tl-ens"]).json()
    counts = {f["id"]: f["properties"]["count"] for f in body["features"]}
    assert counts[ENS] == 1 and counts[world.emm] is None
    assert all(n is None for code, n in counts.items() if code != ENS)
    full = c.get("/api/v1/stats/areas", headers=world.headers["teamleider"]).json()
    assert {f["id"]: f["properties"]["count"] for f in full["features"]}[world.emm] == 1
    assert c.get(f"/api/v1/stats/areas/{world.emm}", headers=world.headers["tl-ens"]).status_code == 404
    assert c.get("/api/v1/stats/areas", headers=world.headers["ens"]).status_code == 403


def test_out_of_scope_answers_exactly_like_unknown(world):
    c, ens = world.client, world.headers["tl-ens"]
    unknown = str(uuid.uuid4())
    for method, path, kw in (("GET", "/signals/{}", {}), ("PATCH", "/signals/{}", {"json": {"urgency": "laag"}}),
                             ("DELETE", "/signals/{}", {}), ("GET", "/alerts/{}", {}),
                             ("GET", "/kwesties/{}", {})):
        kind = path.split("/")[1]
        hidden = {"signals": world.signal, "alerts": world.alert, "kwesties": world.kwestie}[kind]["out"]
        a = c.request(method, "/api/v1" + path.format(hidden), headers=ens, **kw)
        b = c.request(method, "/api/v1" + path.format(unknown), headers=ens, **kw)
        assert a.status_code == b.status_code == 404, (method, path, a.text)
        assert a.json()["detail"].replace(hidden, "X") == b.json()["detail"].replace(unknown, "X")


def test_no_areas_means_own_signals_only_and_a_bound_teamleider_is_bound(world, settings):
    db = open_database(settings).db
    add_user(db, "zonder", "zonder-gebied-secret", "gebiedsregisseur")
    db.close()
    c = world.client
    headers = {"Authorization": "Bearer " + c.post("/api/v1/auth/token", json={
        "username": "zonder", "password": "zonder-gebied-secret"}).json()["access_token"]}
    me = c.get("/api/v1/me", headers=headers).json()
    assert me["all_areas"] is False and me["areas"] == []
    assert c.get("/api/v1/signals", headers=headers).json()["total"] == 0
    own = signal_body(*EMM_POINT, description="eigen signaal")
    assert c.post("/api/v1/signals", json=own, headers=headers).status_code == 201
    assert [s["id"] for s in c.get("/api/v1/signals", headers=headers).json()["items"]] == [own["id"]]
    bound = c.get("/api/v1/signals", headers=world.headers["tl-ens"]).json()
    assert {s["id"] for s in bound["items"]} == {world.signal["in"]}
    users = {u["username"]: u for u in c.get("/api/v1/users", headers=world.headers["beheerder"]).json()}
    assert users["teamleider"]["all_areas"] is True and users["tl-ens"]["all_areas"] is False


def test_reads_of_personal_data_are_logged_on_every_path(world, settings):
    c, tl = world.client, world.headers["tl-ens"]
    c.get("/api/v1/signals", headers=tl)
    c.get(f"/api/v1/signals/{world.signal['in']}", headers=tl)
    c.get("/api/v1/sync/pull", headers=tl)
    c.get(f"/api/v1/alerts/{world.alert['in']}", headers=tl)
    c.get(f"/api/v1/kwesties/{world.kwestie['in']}", headers=tl)
    db = open_database(settings).db
    reads = db.query("SELECT object FROM audit_log WHERE action = 'signal_read_personal'"
                     " AND username = 'tl-ens'")
    db.close()
    # Five reads of the signal in scope; the one out of scope was never returned, nor logged.
    assert [r[0] for r in reads] == [world.signal["in"]] * 5


def test_upgrade_keeps_everyone_seeing_what_they_saw(tmp_path):
    """m007: users who saw every signal before keep it, now explicitly."""
    db = Database(tmp_path / "old.db")
    before = [(n, f) for n, f in MIGRATIONS if n < "m007"]
    import server.migrations as m

    saved = list(m.MIGRATIONS)
    m.MIGRATIONS[:] = before
    try:
        migrate(db)
    finally:
        m.MIGRATIONS[:] = saved
    with db.transaction() as conn:
        for name, role, areas in (("r0", "gebiedsregisseur", []), ("r1", "gebiedsregisseur", [ENS]),
                                  ("t0", "teamleider", []), ("t1", "teamleider", [ENS]),
                                  ("b0", "beheerder", [])):
            conn.execute("INSERT INTO users (username, password_hash, role, areas, created_at)"
                         " VALUES (?, 'x', ?, ?, '2026-01-01')", (name, role, json.dumps(areas)))
    migrate(db)
    got = {r[0]: r[1] for r in db.query("SELECT username, all_areas FROM users")}
    assert got == {"r0": 1, "r1": 0, "t0": 1, "t1": 0, "b0": 1}
    assert db.query_one("SELECT count(*) FROM user_scopes WHERE generation = 1")[0] == 5


def test_cli_all_areas(tmp_path):
    def run(*args, stdin="een-lang-wachtwoord-42\n"):
        return subprocess.run([sys.executable, "-m", "server.cli", "--db", str(tmp_path / "c.db"), *args],
                              input=stdin, capture_output=True, text=True, cwd=REPO)

    both = run("users", "add", "x", "--role", "teamleider", "--all-areas", "--area", ENS, "--password-stdin")
    assert both.returncode == 2 and "--all-areas" in both.stderr and "\n" not in both.stderr.strip()
    assert run("users", "add", "alle", "--role", "teamleider", "--all-areas", "--password-stdin").returncode == 0
    assert run("users", "add", "eigen", "--role", "gebiedsregisseur", "--password-stdin").returncode == 0
    assert run("users", "add", "ens", "--role", "teamleider", "--area", ENS, "--password-stdin").returncode == 0
    listed = dict(line.split("\t", 1) for line in run("users", "list").stdout.splitlines())
    assert listed == {"alle": "teamleider\t*", "eigen": "gebiedsregisseur\t-", "ens": f"teamleider\t{ENS}"}
