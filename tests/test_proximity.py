"""The rule's grouping (N signals within R metres within D days) in linear memory: the
same groups as comparing every pair, and thousands of signals in one spot cost little."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.alerts import proximity
from server.alerts.proximity import near_groups
from server.alerts.rules import RuleSettings, find_clusters

DAY = 86400.0


def pairwise_groups(xy, when, radius, window, min_signals):
    """The definition, as rules.find_clusters computed it before (one set per signal)."""
    groups = []
    for i in range(len(when)):
        near = np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1]) <= radius
        recent = (when <= when[i]) & (when > when[i] - window)
        members = set(np.flatnonzero(near & recent).tolist())
        if len(members) >= min_signals:
            groups.append(members)
    merged: list[set[int]] = []
    for g in groups:  # union of overlapping groups, transitively
        g = set(g)
        rest = []
        for m in merged:
            if m & g:
                g |= m
            else:
                rest.append(m)
        merged = [*rest, g]
    return [sorted(m) for m in merged]


# Places on a coarse grid (many exact ties at R and at the cell size), sometimes jittered;
# days as whole numbers (ties at the window's edge).
points = st.integers(0, 40).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=n, max_size=n),
    st.lists(st.integers(0, 30), min_size=n, max_size=n),
    st.lists(st.floats(-40, 40), min_size=n, max_size=n)))


@settings(max_examples=300, deadline=None)
@given(points, st.sampled_from([75.0, 100.0, 150.0]), st.booleans(), st.sampled_from([100.0, 300.0, 299.5]),
       st.integers(1, 6), st.sampled_from([1, 8]))
def test_grouping_equals_the_pairwise_definition(data, step, jitter, radius, min_signals, probes):
    cells, days, noise = data
    xy = np.array(cells, dtype=float).reshape(-1, 2) * step
    if jitter:
        xy[:, 0] += np.array(noise)
    when = np.array(days, dtype=float) * DAY
    saved = proximity.PROBES, proximity.LEAF, proximity.CHUNK
    if probes == 1:  # tiny limits, so the box splitting and the chunking run too
        proximity.PROBES, proximity.LEAF, proximity.CHUNK = 1, 2, 7
    try:
        got = [g.tolist() for g in near_groups(xy, when, radius, 14 * DAY, min_signals)]
    finally:
        proximity.PROBES, proximity.LEAF, proximity.CHUNK = saved
    assert got == pairwise_groups(xy, when, radius, 14 * DAY, min_signals)


def test_six_thousand_signals_in_one_spot_take_little_memory():
    """Before: one set per signal, 1.6 GB and 10 s for this."""
    rng = np.random.default_rng(1)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"id": str(i), "lat": 52.6335, "lon": 5.8330, "category": "jeugdoverlast",
             "when": start + timedelta(seconds=float(s))} for i, s in enumerate(rng.uniform(0, 13 * DAY, 6000))]
    tracemalloc.start()
    try:
        clusters = find_clusters(rows, RuleSettings())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [len(c.signal_ids) for c in clusters] == [6000]
    assert peak < 50_000_000


def test_two_crowds_just_beyond_reach_stay_apart():
    """Two spots 301 m apart with 20,000 signals each: no pair is compared one by one."""
    a, b = [180_000.0, 520_000.0], [180_301.0, 520_000.0]
    xy = np.array([a] * 20_000 + [b] * 20_000)
    when = np.tile(np.arange(20_000) * 60.0, 2)
    groups = near_groups(xy, when, 300.0, 14 * DAY, 4)
    assert [len(g) for g in groups] == [20_000, 20_000]


def test_a_rule_needs_sensible_settings():
    with pytest.raises(ValueError):
        RuleSettings(radius_m=0)
    with pytest.raises(ValueError):
        RuleSettings(min_signals=0)
