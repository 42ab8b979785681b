"""Early warning, the rule: N signals of one category within R metres within D days."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from server.alerts.detect import detect_rule_clusters
from server.alerts.rules import RuleSettings
from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.settings import Settings
from server.signals.models import Location, SignalCreate
from server.users.models import User

from conftest import signal_body, store_signals

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ENS_STREET = (52.6335, 5.8330)
USER = User(username="t", role="beheerder")


def store(db, catalog, points, category="jeugd", sub="jeugdoverlast", days_ago=None):
    store_signals(db, catalog, [
        SignalCreate(category=category, subcategory=sub, description="x", source="inwoner",
                     location=Location(lat=lat, lon=lon),
                     observed_at=NOW - timedelta(days=days_ago[i] if days_ago else i, hours=1))
        for i, (lat, lon) in enumerate(points)], user=USER)


def fresh(tmp_path):
    db = open_database(Settings(db_path=tmp_path / "alerts.db")).db
    return db, AreaCatalog(db)


def near(point, metres, rng):
    return (point[0] + rng.uniform(-1, 1) * metres / 111_000,
            point[1] + rng.uniform(-1, 1) * metres / 68_000)


def test_a_street_in_ens_raises_one_alert_with_evidence(tmp_path):
    db, catalog = fresh(tmp_path)
    rng = random.Random(1)
    store(db, catalog, [near(ENS_STREET, 100, rng) for _ in range(5)])
    ids = detect_rule_clusters(db, catalog, NOW)
    assert len(ids) == 1
    alert = db.query_one("SELECT * FROM alerts")
    assert alert["title"] == "Jeugdoverlast in Ens: 5 signalen in 14 dagen binnen 300 m"
    assert alert["observed"] == 5 and alert["kern_code"] == "WK017106" and alert["status"] == "nieuw"
    # Running detection again adds nothing.
    assert detect_rule_clusters(db, catalog, NOW) == ids
    assert db.query_one("SELECT count(*) FROM alerts")[0] == 1


def test_ordinary_spread_raises_nothing(tmp_path):
    db, catalog = fresh(tmp_path)
    rng = random.Random(2)
    # 40 signals over 14 days spread over the whole polder: no street-level cluster.
    points = [(rng.uniform(52.64, 52.80), rng.uniform(5.66, 5.93)) for _ in range(40)]
    store(db, catalog, points, days_ago=[rng.uniform(0, 13) for _ in points])
    assert detect_rule_clusters(db, catalog, NOW) == []


def test_old_signals_and_other_categories_do_not_count(tmp_path):
    db, catalog = fresh(tmp_path)
    rng = random.Random(3)
    store(db, catalog, [near(ENS_STREET, 80, rng) for _ in range(3)])
    store(db, catalog, [near(ENS_STREET, 80, rng) for _ in range(3)], days_ago=[20, 21, 22])
    store(db, catalog, [near(ENS_STREET, 80, rng)], category="verkeer", sub="snelheid")
    assert detect_rule_clusters(db, catalog, NOW) == []


def test_cluster_straddling_two_kernen_is_found(tmp_path):
    db, catalog = fresh(tmp_path)
    # Find a border point between two kernen, then put signals on both sides of it.
    lat = 52.7099
    lons = [5.78 + i * 0.0005 for i in range(120)]
    kernen = [catalog.locate(lat, lon).kern.code for lon in lons]
    edge = next(i for i in range(1, len(lons)) if kernen[i] != kernen[i - 1])
    points = [(lat, lons[edge - 2]), (lat, lons[edge - 1]), (lat, lons[edge]), (lat, lons[edge + 1])]
    store(db, catalog, points)
    assert len({catalog.locate(*p).kern.code for p in points}) == 2
    ids = detect_rule_clusters(db, catalog, NOW, default=RuleSettings(min_signals=4, radius_m=300, days=14))
    assert len(ids) == 1
    assert db.query_one("SELECT observed FROM alerts")[0] == 4


def test_growing_cluster_updates_its_alert(tmp_path):
    db, catalog = fresh(tmp_path)
    rng = random.Random(4)
    store(db, catalog, [near(ENS_STREET, 100, rng) for _ in range(4)])
    first = detect_rule_clusters(db, catalog, NOW)
    store(db, catalog, [near(ENS_STREET, 100, rng)], days_ago=[0])
    assert detect_rule_clusters(db, catalog, NOW) == first
    assert db.query_one("SELECT observed FROM alerts")[0] == 5


def test_alerts_api_lists_and_acknowledges(client, regisseur, teamleider):
    rng = random.Random(5)
    for _ in range(4):
        lat, lon = near(ENS_STREET, 80, rng)
        client.post("/api/v1/signals", headers=regisseur, json=signal_body(
            lat, lon, observed_at=datetime.now(UTC).isoformat()))
    app = client.app
    detect_rule_clusters(app.state.db, app.state.areas)
    alerts = client.get("/api/v1/alerts", headers=teamleider).json()
    assert len(alerts) == 1 and alerts[0]["kern"]["name"] == "Ens"
    assert len(alerts[0]["signal_ids"]) == 4 and len(alerts[0]["extent"]) == 4
    alert_id = alerts[0]["id"]
    assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=regisseur).status_code == 403
    bad = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"status": "afgewezen"}, headers=teamleider)
    assert bad.status_code == 422
    ok = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"status": "bekeken"}, headers=teamleider)
    assert ok.status_code == 200 and ok.json()["status"] == "bekeken"
    assert client.get("/api/v1/alerts", params={"status": "nieuw"}, headers=teamleider).json() == []


def test_one_alert_with_its_signals_and_the_read_of_personal_data_logged(client, regisseur, teamleider):
    rng = random.Random(5)
    now = datetime.now(UTC)
    for i in range(4):
        lat, lon = near(ENS_STREET, 80, rng)
        client.post("/api/v1/signals", headers=regisseur, json=signal_body(
            lat, lon, observed_at=(now - timedelta(hours=4 - i)).isoformat(),
            contains_personal_data=i == 0))
    detect_rule_clusters(client.app.state.db, client.app.state.areas)
    alert_id = client.get("/api/v1/alerts", headers=teamleider).json()[0]["id"]
    r = client.get(f"/api/v1/alerts/{alert_id}", headers=teamleider)
    assert r.status_code == 200
    detail = r.json()
    assert sorted(s["id"] for s in detail["signals"]) == sorted(detail["signal_ids"])
    times = [s["observed_at"] for s in detail["signals"]]
    assert len(times) == 4 and times == sorted(times)
    db = client.app.state.db
    logged = db.query("SELECT username FROM audit_log WHERE action = 'signal_read_personal'")
    assert [r["username"] for r in logged] == ["teamleider"]
    missing = client.get(f"/api/v1/alerts/{uuid.uuid4()}", headers=teamleider)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_cli_detect_twice(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    db, catalog = fresh(tmp_path)
    rng = random.Random(6)
    now = datetime.now(UTC)
    store_signals(db, catalog, [
        SignalCreate(category="jeugd", subcategory="jeugdoverlast", description="x",
                     source="inwoner", location=Location(lat=lat, lon=lon), observed_at=now)
        for lat, lon in (near(ENS_STREET, 80, rng) for _ in range(4))], user=USER)
    db.close()
    exe = Path(sys.executable).with_name("gebiedsradar")
    for _ in range(2):
        r = subprocess.run([str(exe), "--db", str(tmp_path / "alerts.db"), "alerts", "detect"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "1 alert(s) from this run." in r.stdout
        assert "Jeugdoverlast in Ens: 4 signalen" in r.stdout
    check = open_database(Settings(db_path=tmp_path / "alerts.db")).db
    assert check.query_one("SELECT count(*) FROM alerts")[0] == 1


def test_detection_runs_after_sync_ingest(settings, users):
    import time
    from dataclasses import replace

    from litestar.testing import TestClient
    from test_sync import create_data, mutation, push

    from server.app import create_app

    from conftest import login

    rng = random.Random(7)
    with TestClient(app=create_app(replace(settings, alert_debounce_seconds=0.2))) as client:
        headers = login(client, "regisseur")
        moment = datetime.now(UTC).isoformat()
        push(client, headers, *[mutation("create", str(uuid.uuid4()),
                                         create_data(*near(ENS_STREET, 80, rng), observed_at=moment), seq=i)
                                for i in range(4)])
        teamleider = login(client, "teamleider")
        deadline = time.monotonic() + 10
        alerts = []
        while not alerts and time.monotonic() < deadline:
            time.sleep(0.1)
            alerts = client.get("/api/v1/alerts", headers=teamleider).json()
        assert [a["observed"] for a in alerts] == [4]


def test_alert_becomes_a_kwestie_with_a_timeline(client, regisseur, teamleider):
    rng = random.Random(8)
    ids = []
    for i in range(4):
        lat, lon = near(ENS_STREET, 80, rng)
        body = signal_body(lat, lon, observed_at=(datetime.now(UTC) - timedelta(days=3 - i)).isoformat())
        ids.append(client.post("/api/v1/signals", headers=regisseur, json=body).json()["id"])
    detect_rule_clusters(client.app.state.db, client.app.state.areas)
    alert = client.get("/api/v1/alerts", headers=teamleider).json()[0]
    r = client.post(f"/api/v1/alerts/{alert['id']}/kwestie", json={"title": "Jeugd bij dorpshuis Ens"},
                    headers=teamleider)
    assert r.status_code == 201, r.text
    kwestie = r.json()
    assert kwestie["title"] == "Jeugd bij dorpshuis Ens" and kwestie["signal_count"] == 4
    assert [s["id"] for s in kwestie["timeline"]] == ids  # in the order observed
    assert client.get("/api/v1/alerts", headers=teamleider).json()[0]["status"] == "kwestie"
    again = client.post(f"/api/v1/alerts/{alert['id']}/kwestie", json={}, headers=teamleider)
    assert again.status_code == 409
    # A later signal is added by hand; the kwestie's course shows in its timeline.
    later = client.post("/api/v1/signals", headers=regisseur, json=signal_body(*ENS_STREET)).json()["id"]
    added = client.post(f"/api/v1/kwesties/{kwestie['id']}/signals", json={"signal_ids": [later]},
                        headers=teamleider).json()
    assert added["signal_count"] == 5
    assert [k["id"] for k in client.get("/api/v1/kwesties", headers=teamleider).json()] == [kwestie["id"]]
    # A regisseur (all areas here) sees it too (issue 12: regisseurs work on kwesties).
    assert [k["id"] for k in client.get("/api/v1/kwesties", headers=regisseur).json()] == [kwestie["id"]]
    bad = client.post("/api/v1/kwesties", json={"title": "x", "signal_ids": [str(uuid.uuid4())]},
                      headers=teamleider)
    assert bad.status_code == 422 and bad.json()["errors"][0]["name"] == "signal_ids"


def test_many_small_clusters_are_stored_in_time_linear_in_their_number(tmp_path, monkeypatch):
    """Each finding was compared with every stored alert of its kind (quadratic: 1,000
    clusters took 8 s a run, 5,000 minutes); now an index of signal ids finds its episode."""
    import json

    import server.alerts.findings as findings

    db, catalog = fresh(tmp_path)
    spots = [(52.60 + 0.01 * (i // 20), 5.70 + 0.015 * (i % 20)) for i in range(300)]  # ~1 km apart
    store(db, catalog, [s for s in spots for _ in range(4)], days_ago=[1 + k % 4 for k in range(1200)])
    decoded = []
    real = json.loads
    monkeypatch.setattr(findings.json, "loads", lambda s: decoded.append(1) or real(s))
    first = detect_rule_clusters(db, catalog, NOW)
    assert len(first) == 300
    assert detect_rule_clusters(db, catalog, NOW) == first
    assert len(decoded) < 10 * 300
