"""The bundled default kernen of Noordoostpolder and point assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from geo.areas import Area
from geo.assign import AreaIndex
from geo.defaults import default_areas, default_land, load_facts
from geo.geojson import area_to_feature, geometry_from_geojson

from conftest import CBS_GEO

CODES = {"Emmeloord": "WK017101", "Bant": "WK017102", "Luttelgeest": "WK017103",
         "Marknesse": "WK017104", "Kraggenburg": "WK017105", "Ens": "WK017106",
         "Nagele": "WK017107", "Tollebeek": "WK017108", "Espel": "WK017109",
         "Creil": "WK017110", "Rutten": "WK017111"}
NOWHERE = {"kern": None, "wijk": None, "buurt": None}
MIN_IOU = 0.6  # measured minimum 0.67 (Marknesse); see geo/defaults/README.md


@pytest.fixture(scope="module")
def areas() -> list[Area]:
    return default_areas()


@pytest.fixture(scope="module")
def index(areas) -> AreaIndex:
    return AreaIndex(areas)


def test_eleven_valid_kernen_with_cbs_wijk_codes(areas):
    assert {a.name: a.code for a in areas} == CODES
    for a in areas:
        assert a.level == "kern" and a.municipality == "GM0171" and a.parent_code == "GM0171"
        assert a.geometry.geom_type in ("Polygon", "MultiPolygon")
        assert a.geometry.is_valid and not a.geometry.is_empty, a.name
    inhabitants = {a.name: a.inhabitants for a in areas}
    assert inhabitants["Emmeloord"] == 26055 and inhabitants["Marknesse"] == 3775


def test_every_default_kern_has_inhabitants_with_year_and_source(areas):
    """Issue 12: Ens had no count, so the busiest village was grey on the heatmap."""
    assert all(a.inhabitants and a.inhabitants > 0 for a in areas), [a.name for a in areas if not a.inhabitants]
    assert {a.name: a.inhabitants for a in areas}["Ens"] == 3065
    for kern in load_facts()["kernen"]:
        assert 2000 <= kern["inhabitants_year"] <= 2026, kern["name"]
        assert "inhabitants" in kern["source"] or "encyclopedia article" in kern["source"], kern["name"]


def test_an_older_database_gets_the_inhabitants_of_its_default_kernen(settings):
    from server.bootstrap import open_database
    from server.migrations import migrate

    db = open_database(settings).db
    with db.transaction() as conn:  # as before: Ens without a count; an imported area of its own
        conn.execute("UPDATE areas SET inhabitants = NULL WHERE code = 'WK017106'")
        conn.execute("UPDATE areas SET inhabitants = 999, source = 'import' WHERE code = 'WK017110'")
        conn.execute("DELETE FROM _migrations WHERE name = 'm016_default_kern_inhabitants'")
    assert migrate(db) == ["m016_default_kern_inhabitants"]
    counts = {r["code"]: r["inhabitants"] for r in db.query("SELECT code, inhabitants FROM areas")}
    assert counts["WK017106"] == 3065 and counts["WK017110"] == 999  # imported: left alone
    db.close()


def test_deterministic_and_cached(areas):
    again = default_areas()
    assert again == areas and again is not areas  # a fresh list of the same (frozen) areas
    assert all(shapely.equals_exact(a.geometry, b.geometry, 0) for a, b in zip(areas, again, strict=True))


def test_every_centre_in_its_own_kern(index):
    for kern in load_facts()["kernen"]:
        found = index.locate(kern["lat"], kern["lon"])
        assert found["kern"] is not None and found["kern"].name == kern["name"], kern["name"]
        assert found["wijk"] is None and found["buurt"] is None  # defaults have kernen only


@pytest.mark.parametrize("point", [
    (52.663, 5.601),   # Urk, another municipality
    (52.70, 5.45),     # IJsselmeer
    (52.84, 5.71),     # Lemmer, Friesland
    (52.595, 5.80),    # Ketelmeer
    (52.625, 5.96),    # Zwarte Meer
    (52.56, 5.91),     # Kampen, Overijssel
    (52.70, 6.05),     # Overijssel east of the polder
], ids=["urk", "ijsselmeer", "lemmer", "ketelmeer", "zwarte-meer", "kampen", "overijssel"])
def test_outside_points_are_in_no_area(index, point):
    assert index.locate(*point) == NOWHERE


@pytest.mark.parametrize("point, name", [
    ((52.7092, 5.8640), "Marknesse"),   # a street in Marknesse
    ((52.7110, 5.7495), "Emmeloord"),   # Lange Nering, Emmeloord centre
])
def test_known_addresses(index, point, name):
    assert index.locate(*point)["kern"].name == name


def test_kernen_partition_the_land(areas):
    for a, b in itertools.combinations(areas, 2):
        assert a.geometry.intersection(b.geometry).area < 1e-9, (a.name, b.name)
    facts = load_facts()
    outline = shapely.Polygon(facts["outline"]["coordinates"])
    urk = shapely.Polygon(facts["excluded"][0]["coordinates"])
    union = shapely.union_all([a.geometry for a in areas])
    assert union.symmetric_difference(outline.difference(urk)).area < 1e-9
    assert union.symmetric_difference(default_land()).area < 1e-9
    assert union.intersection(urk).area < 1e-9


def test_outline_is_a_coarse_hand_made_ring():
    ring = load_facts()["outline"]["coordinates"]
    assert ring[0] == ring[-1] and 25 <= len(ring) - 1 <= 60
    assert shapely.Polygon(ring).is_valid


def test_locate_many_equals_locate(index):
    rng = np.random.default_rng(171)
    lats = rng.uniform(52.60, 52.85, 2000)
    lons = rng.uniform(5.55, 6.00, 2000)
    many = index.locate_many(lats, lons)
    assert set(many) == {"kern", "wijk", "buurt"} and all(len(v) == 2000 for v in many.values())
    assert sum(a is not None for a in many["kern"]) > 1000  # most of the box is land
    for i in range(2000):
        one = index.locate(float(lats[i]), float(lons[i]))
        assert all(one[level] is many[level][i] for level in one), i


def test_point_on_shared_border_gets_lowest_code():
    left = Area("B", "b", "kern", "X", None, None, shapely.box(0, 0, 1, 1))
    right = Area("A", "a", "kern", "X", None, None, shapely.box(1, 0, 2, 1))
    index = AreaIndex([left, right])
    assert index.locate(0.5, 1.0)["kern"].code == "A"
    assert index.locate_many([0.5, 0.5], [1.0, 0.2])["kern"] == [right, left]


def test_feature_round_trip(areas):
    feature = area_to_feature(areas[0])
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
    assert feature["properties"] == {"code": "WK017101", "name": "Emmeloord", "level": "kern",
                                     "inhabitants": 26055, "parent_code": "GM0171",
                                     "municipality": "GM0171"}
    assert geometry_from_geojson(feature["geometry"]).equals(areas[0].geometry)


def test_near_border_flags_accuracy_circles_that_cross(index):
    centre = load_facts()["kernen"][0]  # Emmeloord, kilometres from any border
    flags = index.near_border([centre["lat"], centre["lat"], 52.7250], [centre["lon"]] * 2 + [5.8000],
                              [25, 20_000, 0])
    assert flags.tolist() == [False, True, False]  # zero accuracy: never flagged


def test_each_kern_overlaps_its_cbs_wijk():
    from geo.defaults.compare import compare, same_kern_share

    rows = compare(CBS_GEO)
    assert sorted(code for code, *_ in rows) == sorted(CODES.values())
    low = {name: round(iou, 3) for _, name, iou, _, _ in rows if iou < MIN_IOU}
    assert not low, f"IoU below {MIN_IOU}: {low}"
    assert same_kern_share(CBS_GEO) > 0.84  # measured 86.0 %


def test_outline_fits_the_cbs_land():
    from geo.defaults.compare import coverage, outline_deviation

    covered, precise = coverage(CBS_GEO)
    assert covered > 0.98 and precise > 0.99  # measured 99.2 % and 99.8 %
    median, p90, worst = outline_deviation(CBS_GEO)
    assert median < 50 and p90 < 200 and worst < 500  # measured 15, 109, 400 m
