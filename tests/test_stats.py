"""Statistics per area: equal to a brute-force count, Dutch-time periods, roles."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.settings import Settings
from server.signals.models import Location, SignalCreate
from server.stats.store import area_counts, area_trend
from server.timeutil import LOCAL, period_bound
from server.users.models import User

from conftest import EMMELOORD, IJSSELMEER, MARKNESSE, URK, signal_body, store_signals

ENS = (52.6333, 5.8333)
POINTS = [MARKNESSE, EMMELOORD, ENS, URK, IJSSELMEER, None]
_DB = open_database(Settings(db_path=Path(tempfile.mkdtemp()) / "stats.db")).db
_CATALOG = AreaCatalog(_DB)
USER = User(username="t", role="beheerder")

# Moments around Dutch midnights (winter and summer time) and a few ordinary ones.
edge_moments = st.sampled_from([
    datetime(2026, 3, 28, 23, 0, tzinfo=UTC),   # 00:00 on 29 March, CET
    datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC),
    datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # 00:00 on 25 October, CEST
    datetime(2026, 10, 24, 21, 59, tzinfo=UTC),
    datetime(2026, 11, 30, 23, 0, tzinfo=UTC),  # 00:00 on 1 December
])
moments = st.one_of(edge_moments, st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 30, 23, 59),  # not in the future
    timezones=st.just(UTC)))
signal = st.tuples(st.sampled_from(POINTS), moments, st.sampled_from(["jeugd", "verkeer"]),
                   st.sampled_from([None, "+01:00", "-05:00"]))


def _store(signals) -> list[tuple]:
    with _DB.transaction() as conn:
        conn.execute("DELETE FROM signals")
    data = [SignalCreate(category=category, description="x", source="inwoner",
                         location=Location(lat=point[0], lon=point[1]) if point else None,
                         observed_at=moment if offset is None else moment.astimezone(
                             datetime.fromisoformat(f"2026-01-01T00:00:00{offset}").tzinfo))
            for point, moment, category, offset in signals]
    rows = store_signals(_DB, _CATALOG, data, user=USER) if data else []
    return [(row["kern_code"], moment, category)
            for row, (_, moment, category, _) in zip(rows, signals, strict=True)]


@settings(max_examples=60, deadline=None)
@given(st.lists(signal, max_size=25), st.dates(date(2026, 1, 1), date(2026, 12, 31)),
       st.integers(0, 120), st.sampled_from([None, "jeugd"]))
def test_counts_equal_brute_force(signals, first, days, category):
    stored = _store(signals)
    since = period_bound(first.isoformat(), end=False)
    until = period_bound((first + timedelta(days=days)).isoformat(), end=True)
    result = area_counts(_DB, _CATALOG, "kern", since, until, category)
    expected: dict[str | None, int] = {}
    for kern, moment, cat in stored:
        if since <= moment < until and category in (None, cat):
            expected[kern] = expected.get(kern, 0) + 1
    got = {f.id: f.properties.count for f in result.features}
    assert len(got) == 11  # empty areas are listed with 0
    for code, n in got.items():
        assert n == expected.get(code, 0), code
    assert result.outside == expected.get(None, 0)


def test_dutch_midnight_decides_the_day():
    # 23:30 Dutch time on 30 November is 22:30 UTC: it belongs to November.
    stored = _store([(MARKNESSE, datetime(2026, 11, 30, 22, 30, tzinfo=UTC), "jeugd", "+01:00")])
    november = area_counts(_DB, _CATALOG, "kern", period_bound("2026-11-01", end=False),
                           period_bound("2026-11-30", end=True))
    december = area_counts(_DB, _CATALOG, "kern", period_bound("2026-12-01", end=False),
                           period_bound("2026-12-31", end=True))
    code = stored[0][0]
    assert {f.id: f.properties.count for f in november.features}[code] == 1
    assert {f.id: f.properties.count for f in december.features}[code] == 0


def test_trend_buckets_by_dutch_week():
    monday = datetime(2026, 11, 23, 0, 30, tzinfo=LOCAL)  # Monday 00:30 Dutch time = Sunday UTC
    _store([(MARKNESSE, monday.astimezone(UTC), "jeugd", None),
            (MARKNESSE, (monday - timedelta(days=8)).astimezone(UTC), "verkeer", None),
            (MARKNESSE, (monday - timedelta(days=8)).astimezone(UTC), "verkeer", None)])
    trend = area_trend(_DB, _CATALOG, "kern", "WK017104", 4, date(2026, 11, 28))
    assert [(w.week_start.isoformat(), w.count) for w in trend.weeks] == [
        ("2026-11-02", 0), ("2026-11-09", 2), ("2026-11-16", 0), ("2026-11-23", 1)]
    assert [(c.category, c.count) for c in trend.top_categories] == [("verkeer", 2), ("jeugd", 1)]


def test_stats_api_roles_and_rates(client, regisseur, teamleider):
    for point in (MARKNESSE, MARKNESSE, EMMELOORD):
        client.post("/api/v1/signals", json=signal_body(*point, observed_at="2026-11-10T10:00:00+01:00"),
                    headers=regisseur)
    assert client.get("/api/v1/stats/areas", headers=regisseur).status_code == 403
    r = client.get("/api/v1/stats/areas", params={"level": "kern", "from": "2026-11-01", "to": "2026-11-30"},
                   headers=teamleider)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    props = {f["properties"]["name"]: f["properties"] for f in r.json()["features"]}
    assert props["Marknesse"]["count"] == 2
    assert props["Marknesse"]["per_1000"] == round(2 * 1000 / props["Marknesse"]["inhabitants"], 3)
    assert props["Ens"]["count"] == 0 and props["Ens"]["per_1000"] == 0  # every kern has inhabitants
    assert props["Bant"]["count"] == 0
    trend = client.get("/api/v1/stats/areas/WK017104", params={"weeks": 26}, headers=teamleider).json()
    assert len(trend["weeks"]) == 26 and trend["name"] == "Marknesse"
    assert client.get("/api/v1/stats/areas/XX", headers=teamleider).status_code == 404
    bad = client.get("/api/v1/stats/areas", params={"from": "gisteren"}, headers=teamleider)
    assert bad.status_code == 400 and bad.json()["errors"][0]["name"] == "from"
