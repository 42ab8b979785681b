"""NL API Design Rules conventions: headers, problem+json, no trailing slash, categories, areas."""

from __future__ import annotations

from server.settings import API_VERSION


def test_health_is_public_and_versioned(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["api-version"] == API_VERSION
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_errors_carry_version_header_and_problem_json(client):
    for r in (client.get("/api/v1/nope"), client.get("/api/v1/signals")):
        assert r.headers["api-version"] == API_VERSION
        assert r.headers["content-type"].startswith("application/problem+json")


def test_trailing_slash_is_404_not_redirect(client, regisseur):
    r = client.get("/api/v1/signals/", headers=regisseur, follow_redirects=False)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["api-version"] == API_VERSION


def test_method_not_allowed_is_problem(client, regisseur):
    r = client.put("/api/v1/categories", headers=regisseur, json={})
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("application/problem+json")


def test_openapi_is_public_with_cors_and_versioned_server(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["version"] == API_VERSION
    assert doc["servers"][0]["url"] == "/api/v1"
    for path in ("/signals", "/signals/{signal_id}", "/areas", "/areas/locate", "/auth/token",
                 "/me", "/categories", "/health", "/openapi.json"):
        assert path in doc["paths"], path


def test_categories_are_the_dutch_default_list(client, regisseur):
    cats = client.get("/api/v1/categories", headers=regisseur).json()
    codes = [c["code"] for c in cats]
    assert codes == ["woonomgeving", "overlast", "jeugd", "verkeer", "burenconflict",
                     "eenzaamheid_zorg", "veiligheid", "initiatief", "dienstverlening_gemeente"]
    jeugd = next(c for c in cats if c["code"] == "jeugd")
    assert jeugd["name"] == "Jeugd"
    assert {"code": "jeugdoverlast", "name": "Jeugdoverlast"} in jeugd["subcategories"]


def test_areas_geojson_and_locate(client, regisseur):
    r = client.get("/api/v1/areas", params={"level": "kern"}, headers=regisseur)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    names = sorted(f["properties"]["name"] for f in fc["features"])
    assert names == sorted(["Emmeloord", "Bant", "Creil", "Ens", "Espel", "Kraggenburg",
                            "Luttelgeest", "Marknesse", "Nagele", "Rutten", "Tollebeek"])
    props = fc["features"][0]["properties"]
    assert set(props) >= {"code", "name", "level", "inhabitants", "parent_code"}
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client.get("/api/v1/areas", params={"level": "buurt"}, headers=regisseur).json()["features"] == []

    loc = client.get("/api/v1/areas/locate", params={"lat": 52.7092, "lon": 5.8640}, headers=regisseur)
    assert loc.json() == {"kern": {"code": "WK017104", "name": "Marknesse"}, "wijk": None, "buurt": None}
    urk = client.get("/api/v1/areas/locate", params={"lat": 52.663, "lon": 5.601}, headers=regisseur)
    assert urk.json() == {"kern": None, "wijk": None, "buurt": None}
    bad = client.get("/api/v1/areas/locate", params={"lat": 95, "lon": 5.8}, headers=regisseur)
    assert bad.status_code == 400
    assert [e["name"] for e in bad.json()["errors"]] == ["lat"]
    assert client.get("/api/v1/areas", params={"level": "land"}, headers=regisseur).status_code == 400


def test_app_is_served_with_fallback_and_cache_rules(tmp_path, settings, users):
    from dataclasses import replace

    from litestar.testing import TestClient

    from server.app import create_app

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Gebiedsradar</title>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)")
    with TestClient(app=create_app(replace(settings, pwa_dist=dist))) as c:
        root = c.get("/")
        assert root.status_code == 200 and "Gebiedsradar" in root.text
        assert root.headers["cache-control"] == "no-cache"
        assert "frame-ancestors 'none'" in root.headers["content-security-policy"]
        assert c.get("/sw.js").headers["cache-control"] == "no-cache"
        assert "immutable" in c.get("/assets/index-abc123.js").headers["cache-control"]
        deep = c.get("/signalen/123")  # the app routes in the browser
        assert deep.status_code == 200 and "Gebiedsradar" in deep.text
        api = c.get("/api/v1/onbekend")
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/problem+json")


def test_openapi_declares_what_the_server_does(client):
    """Public operations need no token; bodies Litestar cannot see are declared; OPTIONS has Allow."""
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert doc["security"] == [{"bearerAuth": []}]
    for path, method in (("/health", "get"), ("/auth/token", "post"), ("/openapi.json", "get")):
        op = paths[path][method]
        assert op["security"] == [], path
        assert "403" not in op["responses"], path
    assert "401" not in paths["/health"]["get"]["responses"]  # /auth/token: 401 for a wrong password
    offline = paths["/areas/offline"]["get"]["responses"]
    assert offline["200"]["content"]["application/geo+json"]["schema"]["type"] == "object"
    assert "304" in offline
    assert set(paths["/attachments/{sha256}"]["put"]["requestBody"]["content"]) >= {"image/jpeg"}
    for path, item in paths.items():
        assert "Allow" in item["options"]["responses"]["204"]["headers"], path
        for method, op in item.items():
            if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert "415" in op["responses"], (path, method)
