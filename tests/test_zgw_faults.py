"""The outbox under random fault schedules (Hypothesis): every call to the case system may
fail (5xx), be dropped before or after the case system stored it, or be slow; after the
outbox drains, each signal and kwestie has exactly one zaak, and each of the zaak's status,
zaakobjecten, documents and links exists exactly once. Nothing lost, nothing twice.

Examples: 30 (CI); `GEBIEDSRADAR_HYPOTHESIS_EXAMPLES=300` for a longer run."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zgw_world import configure, drain, new_signal, zgw_app

from conftest import login

EXAMPLES = int(os.environ.get("GEBIEDSRADAR_HYPOTHESIS_EXAMPLES", "30"))

FAULT = st.one_of(
    st.none(),
    st.tuples(st.just("fail"), st.sampled_from([500, 502, 503, 504]), st.none()),
    st.tuples(st.just("drop_before")),
    st.tuples(st.just("drop_after")),
    st.tuples(st.just("delay"), st.floats(0.0, 0.05)),  # slow, but within the time-out
)
#: What happens to the calls in order (after the schedule: no more faults).
SCHEDULE = st.lists(FAULT, max_size=40)
SHAPE = st.tuples(st.lists(st.integers(0, 2), min_size=1, max_size=3),  # photos per signal
                  st.lists(st.integers(0, 1), min_size=3, max_size=3))  # of the kwestie's


@pytest.fixture
def world(settings, users, zgw_double):
    with zgw_app(settings) as app:
        configure(app, zgw_double)
        yield app, zgw_double, login(app, "teamleider"), login(app, "regisseur")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(schedule=SCHEDULE, shape=SHAPE)
def test_no_zaak_lost_or_doubled_under_random_faults(world, schedule, shape):
    app, double, tl, reg = world
    singles = [new_signal(app, reg, photos=n) for n in shape[0]]
    grouped = [new_signal(app, reg, photos=n) for n in shape[1]]
    kid = app.post("/api/v1/kwesties", json={"title": "Samen", "signal_ids": [s["id"] for s in grouped]},
                   headers=tl).json()["id"]
    faults = list(schedule)

    def decide(method: str, path: str):
        return faults.pop(0) if faults else None

    double.decide = decide
    try:
        for s in singles:
            assert app.post(f"/api/v1/signals/{s['id']}/zaak", headers=tl).status_code == 202
        assert app.post(f"/api/v1/kwesties/{kid}/zaak", headers=tl).status_code == 202
        drain(app)
    finally:
        double.clear_faults()
    expected = [(s["id"], len(s["attachments"]), 1) for s in singles]
    expected.append((kid, sum(len(s["attachments"]) for s in grouped), 1 + len(grouped)))
    statussen = Counter(x["zaak"] for x in double.statussen)
    objecten = Counter(x["zaak"] for x in double.zaakobjecten)
    links = Counter(x["zaak"] for x in double.zaakinformatieobjecten)
    for subject_id, photos, objects in expected:
        zaken = double.zaken_by_kenmerk(subject_id)
        assert len(zaken) == 1, (subject_id, zaken)
        url = zaken[0]["url"]
        assert statussen[url] == 1
        assert objecten[url] == objects  # kern (all in Marknesse) + a kwestie's signals
        assert links[url] == photos
        docs = [d for d in double.documenten if d["identificatie"].startswith(zaken[0]["identificatie"] + "-")]
        assert len(docs) == photos
        kind = "kwesties" if subject_id == kid else "signals"
        ref = app.get(f"/api/v1/{kind}/{subject_id}", headers=tl).json()["zaak"]
        assert ref["state"] == "done" and ref["url"] == url
    assert double.violations == []
