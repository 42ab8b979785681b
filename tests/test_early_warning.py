"""Early warning, methods 1 and 2: counts against a baseline, and the space-time scan.

Seeded: the simulated series and the permutations are the same on every run.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import numpy as np
import pytest
import shapely

from geo.metric import to_metric, to_wgs84
from server.alerts.baseline import BaselineSettings, assess, upper_tail
from server.alerts.detect import detect
from server.alerts.scan import ScanSettings, scan
from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.settings import Settings
from server.signals.models import Location, SignalCreate
from server.users.models import User

from conftest import store_signals

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
USER = User(username="t", role="beheerder")
ENS = "WK017106"
ENS_STREET = (52.6335, 5.8330)


def seasonal_series(rng, weeks: int, mean: float, dispersion: float = 1.5) -> np.ndarray:
    t = np.arange(weeks)
    mu = mean * np.exp(0.4 * np.cos(2 * np.pi * t / 52.18 + rng.uniform(0, 6.3)))
    size = mu / (dispersion - 1)
    return rng.negative_binomial(size, 1 / dispersion).astype(float)


# --- method 1, the statistics ------------------------------------------------------------

def test_upper_tail_is_poisson_without_overdispersion():
    assert upper_tail(0, 0.8, 1.0) == 1.0
    assert upper_tail(5, 0.8, 1.0) == pytest.approx(1 - sum(
        np.exp(-0.8) * 0.8 ** k / np.prod(range(1, k + 1)) for k in range(5)), rel=1e-9)
    # Overdispersion makes a high count less surprising.
    assert upper_tail(5, 0.8, 2.0) > upper_tail(5, 0.8, 1.0)


def test_an_injected_outbreak_alarms_in_its_first_week():
    rng = np.random.default_rng(7)
    counts = seasonal_series(rng, 160, mean=1.0)
    counts[-1] += 10  # a street's worth of extra signals this week, at about 1 a week
    result = assess(counts)
    assert result is not None and result.alarm
    assert result.observed >= 10 and result.expected < 2
    # The week before, nothing was unusual.
    before = assess(counts[:-1])
    assert before is not None and not before.alarm


def test_a_year_of_baseline_stays_within_the_false_alarm_budget():
    """11 kernen × 8 categories, one year assessed weekly, means 0.2–5 a week: at most
    one false alarm per kern per year (the default target)."""
    rng = np.random.default_rng(2026)
    settings = BaselineSettings()
    alarms = 0
    for _ in range(11 * 8):
        counts = seasonal_series(rng, 156 + 52, mean=float(np.exp(rng.uniform(np.log(0.2), np.log(5)))))
        for week in range(156, 156 + 52):
            window = counts[: week + 1]
            if window[-2:].sum() < settings.min_observed:
                continue  # cannot alarm (what detection does too)
            result = assess(window, settings=settings)
            alarms += bool(result and result.alarm)
    assert alarms <= 11


def test_too_little_history_gives_no_verdict():
    assert assess(np.ones(20)) is None
    assert assess(np.zeros(40)) is not None


def test_a_quiet_series_with_no_history_does_not_alarm_on_one_signal():
    counts = np.zeros(60)
    counts[-1] = 1
    assert not assess(counts).alarm


# --- method 2, the scan ------------------------------------------------------------------

def test_the_scan_finds_a_cluster_straddling_two_kernen_and_nothing_in_noise():
    rng = np.random.default_rng(11)
    # A year of signals spread over the polder (RD metres around Emmeloord).
    xy = np.column_stack([rng.uniform(170_000, 195_000, 400), rng.uniform(515_000, 535_000, 400)])
    days = rng.integers(0, 365, 400)
    assert scan(xy, days) == []
    # Six signals in the last 10 days within 200 m of a point on a border.
    border = np.array([182_500, 525_000])
    extra = border + rng.normal(0, 80, (6, 2))
    found = scan(np.vstack([xy, extra]), np.concatenate([days, rng.integers(0, 10, 6)]))
    assert len(found) == 1
    cluster = found[0]
    assert set(range(400, 406)) <= set(cluster.members)
    assert cluster.p_value <= ScanSettings().p_threshold and cluster.observed > cluster.expected


# --- through the database: detect() ------------------------------------------------------

def insert(db, catalog, rows):
    store_signals(db, catalog, [
        SignalCreate(category=category, subcategory=sub, description="x", source="inwoner",
                     location=Location(lat=lat, lon=lon), observed_at=when)
        for category, sub, (lat, lon), when in rows], user=USER)


def kern_points(catalog, rng, code, n, spread_m=700.0):
    """n random points in kern `code`, around its representative point."""
    area = catalog.by_key[("kern", code)]
    centre = to_metric(area.geometry.representative_point())
    out = []
    while len(out) < n:
        p = to_wgs84(shapely.Point(centre.x + rng.normal(0, spread_m), centre.y + rng.normal(0, spread_m)))
        if area.geometry.contains(p):
            out.append((p.y, p.x))
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Two years of ordinary signals in Ens and Marknesse (3 categories), stored once."""
    path = tmp_path_factory.mktemp("ew") / "ew.db"
    db = open_database(Settings(db_path=path)).db
    catalog = AreaCatalog(db)
    rng = np.random.default_rng(5)
    rows = []
    start = NOW - timedelta(weeks=110)
    for code in (ENS, "WK017104"):
        for category, sub, mean in (("jeugd", "ontmoetingsplek", 0.4), ("verkeer", "snelheid", 1.0),
                                    ("woonomgeving", "groen", 2.0)):
            n = rng.poisson(mean * 110)
            for point in kern_points(catalog, rng, code, n):
                rows.append((category, sub, point, start + timedelta(seconds=float(rng.uniform(0, 110 * 7 * 86400)))))
    insert(db, catalog, rows)
    db.close()
    return path


def open_copy(path, tmp_path):
    target = tmp_path / "copy.db"
    source = open_database(Settings(db_path=path)).db
    source.conn.execute(f"VACUUM INTO '{target}'")
    source.close()
    db = open_database(Settings(db_path=target)).db
    return db, AreaCatalog(db)


def test_ordinary_weeks_raise_no_count_or_scan_alerts(history, tmp_path):
    db, catalog = open_copy(history, tmp_path)
    for week in range(4):
        detect(db, catalog, NOW - timedelta(weeks=week))
    methods = [r["method"] for r in db.query("SELECT method FROM alerts")]
    assert "basislijn" not in methods and "scan" not in methods


def test_youth_nuisance_in_an_ens_street_alerts_ens_in_that_week(history, tmp_path):
    db, catalog = open_copy(history, tmp_path)
    rng = np.random.default_rng(9)
    week_start = NOW - timedelta(days=6)
    street = [(ENS_STREET[0] + rng.normal(0, 0.0005), ENS_STREET[1] + rng.normal(0, 0.0008)) for _ in range(5)]
    insert(db, catalog, [("jeugd", "jeugdoverlast", p, week_start + timedelta(days=i)) for i, p in enumerate(street)])
    # The week before: nothing about jeugd.
    detect(db, catalog, NOW - timedelta(weeks=1))
    assert db.query_one("SELECT count(*) FROM alerts WHERE category = 'jeugd'")[0] == 0
    ids = detect(db, catalog, NOW)
    alerts = {r["method"]: r for r in db.query("SELECT * FROM alerts WHERE category = 'jeugd'")}
    count = alerts["basislijn"]
    assert count["kern_code"] == ENS
    assert count["title"].startswith("Jeugdoverlast in Ens: ")
    assert ", verwacht " in count["title"] and count["expected"] < count["observed"]
    assert count["p_value"] < BaselineSettings().alpha
    assert "scan" in alerts and alerts["scan"]["kern_code"] == ENS
    # Running it again adds nothing and changes nothing.
    before = db.query("SELECT * FROM alerts ORDER BY id")
    assert detect(db, catalog, NOW).alert_ids == ids.alert_ids
    assert [dict(r) for r in db.query("SELECT * FROM alerts ORDER BY id")] == [dict(r) for r in before]


def test_cli_detects_as_of_a_past_moment_and_rejects_a_bad_target(history, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    db, catalog = open_copy(history, tmp_path)
    street = [(ENS_STREET[0] + 0.0003 * i, ENS_STREET[1]) for i in range(5)]
    insert(db, catalog, [("jeugd", "jeugdoverlast", p, NOW - timedelta(days=6 - i)) for i, p in enumerate(street)])
    db.close()
    exe = Path(sys.executable).with_name("gebiedsradar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEBIEDSRADAR_")}

    def run(*args, **extra):
        return subprocess.run([str(exe), "--db", str(tmp_path / "copy.db"), "alerts", "detect", *args],
                              capture_output=True, text=True, timeout=120, env={**env, **extra})

    # A week before the youth nuisance: nothing about it.
    r = run("--at", (NOW - timedelta(days=8)).strftime("%Y-%m-%d"))
    assert r.returncode == 0, r.stderr
    assert "Jeugdoverlast" not in r.stdout
    r = run("--at", NOW.strftime("%Y-%m-%dT%H:%M"))
    assert r.returncode == 0, r.stderr
    assert "Jeugdoverlast in Ens: 5 signalen in 7 dagen, verwacht " in r.stdout
    r = run("--false-alarms", "0")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--false-alarms" in r.stderr
    r = run(GEBIEDSRADAR_FALSE_ALARMS="veel")
    assert r.returncode == 1 and r.stderr == ("gebiedsradar: error: GEBIEDSRADAR_FALSE_ALARMS must be"
                                              " a positive number, got 'veel'\n")


# --- one bad value or one failing part does not stop detection ---------------------------

def street_cluster(db, catalog, category="jeugd", sub="jeugdoverlast", days=(5, 4, 3, 2, 1)):
    rng = np.random.default_rng(3)
    insert(db, catalog, [(category, sub, (ENS_STREET[0] + rng.normal(0, 0.0003), ENS_STREET[1]),
                          NOW - timedelta(days=d)) for d in days])


def test_a_signal_stored_in_year_1_is_skipped_and_detection_still_runs(tmp_path, caplog):
    """An old server stored year 1 as `1-01-01…`: every later run failed, for everyone."""
    db = open_database(Settings(db_path=tmp_path / "y1.db")).db
    catalog = AreaCatalog(db)
    street_cluster(db, catalog)
    row = dict(db.query_one("SELECT * FROM signals LIMIT 1"))
    row.update(id="00000000-0000-4000-8000-000000000001", observed_at="0001-01-01T00:00:00+00:00",
               observed_utc="1-01-01T00:00:00.000000Z")
    with db.transaction() as conn:  # as the old server wrote it, straight into SQLite
        conn.execute(f"INSERT INTO signals ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                     list(row.values()))
    run = detect(db, catalog, NOW)
    assert run.failures == [] and run.skipped == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "early-warning detection skipped 1 signal(s) whose observation time cannot be read or lies"
        " before 2000, e.g. 00000000-0000-4000-8000-000000000001"]
    assert [r["method"] for r in db.query("SELECT method FROM alerts")] == ["regel"]
    assert detect(db, catalog, NOW).alert_ids == run.alert_ids


def test_a_failing_category_is_reported_and_logged_and_the_others_still_run(tmp_path, monkeypatch, caplog):
    import server.alerts.detect as detect_module

    db = open_database(Settings(db_path=tmp_path / "f.db")).db
    catalog = AreaCatalog(db)
    street_cluster(db, catalog)
    street_cluster(db, catalog, "verkeer", "snelheid")
    real = detect_module.find_clusters

    def broken(rows, rule):
        if rows and rows[0]["category"] == "jeugdoverlast":
            raise RuntimeError("kapot")
        return real(rows, rule)

    monkeypatch.setattr(detect_module, "find_clusters", broken)
    run = detect(db, catalog, NOW)
    assert [f.describe() for f in run.failures] == ["regel (categorie jeugdoverlast): RuntimeError: kapot"]
    assert not run.all_failed
    assert [r["category"] for r in db.query("SELECT category FROM alerts")] == ["snelheid"]
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(logged) == 1 and "jeugdoverlast" in logged[0].getMessage() and logged[0].exc_info


def test_cli_prints_one_line_per_failure_and_fails_only_when_everything_failed(tmp_path, monkeypatch, capsys):
    import server.alerts.detect as detect_module
    from server.cli import main

    db = open_database(Settings(db_path=tmp_path / "c.db")).db
    street_cluster(db, AreaCatalog(db))
    db.close()
    monkeypatch.delenv("GEBIEDSRADAR_FALSE_ALARMS", raising=False)

    def broken(*args):
        raise RuntimeError("kapot")

    monkeypatch.setattr(detect_module, "find_clusters", broken)
    main(["--db", str(tmp_path / "c.db"), "alerts", "detect", "--at", NOW.strftime("%Y-%m-%d")])  # exit 0
    out = capsys.readouterr()
    assert out.err == ("gebiedsradar: waarschuwing: detectie mislukt: regel (categorie jeugdoverlast):"
                       " RuntimeError: kapot\n")
    monkeypatch.setattr(detect_module, "utc_text", broken)  # every method reads through it
    with pytest.raises(SystemExit) as done:
        main(["--db", str(tmp_path / "c.db"), "alerts", "detect"])
    assert done.value.code == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:3] == [f"gebiedsradar: waarschuwing: detectie mislukt: {m}: RuntimeError: kapot"
                         for m in ("basislijn", "scan", "regel")]
    assert lines[3:] == ["gebiedsradar: error: alle 3 onderdelen van de detectie mislukten"]


def test_health_shows_how_the_last_detection_went(settings, users, monkeypatch):
    import time
    from dataclasses import replace

    from litestar.testing import TestClient

    import server.alerts.detect as detect_module
    from server.app import create_app

    from conftest import login, signal_body

    monkeypatch.setattr(detect_module, "find_clusters", lambda *a: 1 / 0)
    with TestClient(app=create_app(replace(settings, alert_debounce_seconds=0.1))) as client:
        assert client.get("/api/v1/health").json() == {"status": "ok"}
        headers = login(client, "regisseur")
        assert client.post("/api/v1/signals", headers=headers, json=signal_body()).status_code == 201
        deadline = time.monotonic() + 20
        while "detection" not in (health := client.get("/api/v1/health").json()) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert health["status"] == "ok"
    assert health["detection"]["failed"] == 1 and health["detection"]["units"] >= 4
    assert health["detection"]["skipped_signals"] == 0


def test_the_scan_stays_bounded_when_thousands_of_signals_share_one_day():
    """The cap on signals scanned kept every signal of the most recent day when they tied."""
    import tracemalloc

    rng = np.random.default_rng(12)
    n = 20_000
    xy = np.column_stack([rng.uniform(180_000, 182_000, n), rng.uniform(520_000, 522_000, n)])
    days = np.zeros(n, dtype=int)
    settings = ScanSettings(permutations=9, max_signals=2000)
    tracemalloc.start()
    try:
        scan(xy, days, settings)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000


# --- "hoort bij": one problem with several reporters (issue 12) --------------------------

def _street_week(rng):
    week_start = NOW - timedelta(days=6)
    return [("jeugd", "jeugdoverlast", (ENS_STREET[0] + rng.normal(0, 0.0005), ENS_STREET[1] + rng.normal(0, 0.0008)),
             week_start + timedelta(days=i)) for i in range(6)]


def test_a_hoort_bij_chain_counts_as_one_problem_in_every_method(history, tmp_path):
    """Six reports in one Ens street alarm all three methods when independent; when each
    "hoort bij" the one before (a chain back to the first), they are one problem: no alert."""
    found = {}
    for linked in (False, True):
        (tmp_path / str(linked)).mkdir()
        db, catalog = open_copy(history, tmp_path / str(linked))
        ids = [str(uuid.uuid4()) for _ in range(6)]
        rows = _street_week(np.random.default_rng(9))
        store_signals(db, catalog, [
            SignalCreate(category=c, subcategory=s, description="x", source="inwoner",
                         location=Location(lat=lat, lon=lon), observed_at=when,
                         related_to=UUID(ids[i - 1]) if linked and i else None)
            for i, (c, s, (lat, lon), when) in enumerate(rows)], ids=ids, user=USER)
        detect(db, catalog, NOW)
        found[linked] = {r["method"] for r in db.query("SELECT method FROM alerts WHERE category = 'jeugd'"
                                                        " OR category = 'jeugdoverlast'")}
        db.close()
    assert found[False] == {"basislijn", "scan", "regel"}
    assert found[True] == set()


def test_an_alert_lists_every_reporter_of_a_chain_but_counts_it_once(tmp_path):
    from server.alerts.detect import detect_rule_clusters

    db = open_database(Settings(db_path=tmp_path / "r.db")).db
    catalog = AreaCatalog(db)
    rows = _street_week(np.random.default_rng(3))
    ids = [str(uuid.uuid4()) for _ in rows]
    # Four independent reports; the last two "hoort bij" the first.
    store_signals(db, catalog, [
        SignalCreate(category=c, subcategory=s, description="x", source="inwoner",
                     location=Location(lat=lat, lon=lon), observed_at=when,
                     related_to=UUID(ids[0]) if i >= 4 else None)
        for i, (c, s, (lat, lon), when) in enumerate(rows)], ids=ids, user=USER)
    [alert_id] = detect_rule_clusters(db, catalog, NOW)
    alert = db.query_one("SELECT * FROM alerts WHERE id = ?", (alert_id,))
    assert alert["observed"] == 4 and "4 signalen" in alert["title"]
    assert sorted(json.loads(alert["signal_ids"])) == sorted(ids)  # every report is evidence
    assert "4 problemen met samen 6 meldingen" in alert["why"]
    db.close()


def test_a_link_to_another_category_does_not_hide_a_signal_from_its_own(tmp_path):
    """A report that "hoort bij" a signal of another category still counts in its own
    category: otherwise an outbreak whose reports point at, say, a traffic signal vanishes."""
    from server.alerts.detect import detect_rule_clusters

    db = open_database(Settings(db_path=tmp_path / "x.db")).db
    catalog = AreaCatalog(db)
    other = str(uuid.uuid4())
    store_signals(db, catalog, [SignalCreate(
        category="verkeer", subcategory=None, description="x", source="inwoner",
        location=Location(lat=ENS_STREET[0], lon=ENS_STREET[1]), observed_at=NOW - timedelta(days=7))],
        ids=[other], user=USER)
    rows = _street_week(np.random.default_rng(3))
    store_signals(db, catalog, [
        SignalCreate(category=c, subcategory=s, description="x", source="inwoner",
                     location=Location(lat=lat, lon=lon), observed_at=when, related_to=UUID(other))
        for c, s, (lat, lon), when in rows], ids=[str(uuid.uuid4()) for _ in rows], user=USER)
    [alert_id] = detect_rule_clusters(db, catalog, NOW)
    assert db.query_one("SELECT observed FROM alerts WHERE id = ?", (alert_id,))["observed"] == 6
    db.close()
