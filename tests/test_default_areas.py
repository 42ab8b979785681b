"""The bundled default kernen of Noordoostpolder and point assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from geo.assign import AreaIndex
from geo.defaults import default_areas, default_land, load_facts

from conftest import EMMELOORD, IJSSELMEER, MARKNESSE, SHARED_GEO, URK

KERNEN = ["Emmeloord", "Bant", "Creil", "Ens", "Espel", "Kraggenburg", "Luttelgeest",
          "Marknesse", "Nagele", "Rutten", "Tollebeek"]


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex(default_areas())


def test_eleven_valid_kernen():
    areas = default_areas()
    assert sorted(a.name for a in areas) == sorted(KERNEN)
    assert all(a.level == "kern" and a.geometry.is_valid and not a.geometry.is_empty for a in areas)
    assert all(a.parent_code == "GM0171" and a.code.startswith("WK0171") for a in areas)


def test_every_centre_in_its_own_kern(index):
    for kern in load_facts()["kernen"]:
        found = index.locate(kern["lat"], kern["lon"])["kern"]
        assert found is not None and found.name == kern["name"], kern["name"]


@pytest.mark.parametrize("point", [URK, IJSSELMEER, (52.84, 5.71), (52.56, 5.91), (52.70, 6.05)],
                         ids=["urk", "ijsselmeer", "lemmer", "kampen", "overijssel"])
def test_outside_points_are_in_no_area(index, point):
    assert index.locate(*point) == {"kern": None, "wijk": None, "buurt": None}


def test_known_streets(index):
    assert index.locate(*MARKNESSE)["kern"].name == "Marknesse"
    assert index.locate(*EMMELOORD)["kern"].name == "Emmeloord"


def test_kernen_partition_the_land():
    areas = default_areas()
    for a, b in itertools.combinations(areas, 2):
        assert a.geometry.intersection(b.geometry).area < 1e-9, (a.name, b.name)
    union = shapely.union_all([a.geometry for a in areas])
    assert union.symmetric_difference(default_land()).area < 1e-7


def test_locate_many_equals_locate(index):
    rng = np.random.default_rng(171)
    lats = rng.uniform(52.60, 52.85, 2000)
    lons = rng.uniform(5.55, 6.00, 2000)
    many = index.locate_many(lats, lons)
    assert sum(a is not None for a in many["kern"]) > 1000  # most of the box is land
    for i in range(0, 2000, 7):
        assert index.locate(lats[i], lons[i])["kern"] == many["kern"][i]


def test_point_on_shared_border_gets_lowest_code():
    square = shapely.box(0, 0, 1, 1)
    from geo.areas import Area

    left = Area("B", "b", "kern", "X", None, None, square)
    right = Area("A", "a", "kern", "X", None, None, shapely.box(1, 0, 2, 1))
    assert AreaIndex([left, right]).locate(0.5, 1.0)["kern"].code == "A"


def test_close_to_cbs_wijken():
    if not (SHARED_GEO / "noordoostpolder_wijken.geojson").exists():
        pytest.skip("../shared/geo (CBS 2024 generalised wijken) is not beside this checkout")
    from geo.defaults.compare import compare, coverage

    rows = compare(SHARED_GEO)
    assert len(rows) == 11
    for code, name, iou, _, _ in rows:
        assert iou >= 0.6, (name, iou)
    covered, precise = coverage(SHARED_GEO)
    assert covered > 0.98 and precise > 0.99


def test_near_border_flags_accuracy_circles_that_cross(index):
    centre = load_facts()["kernen"][0]  # Emmeloord, kilometres from any border
    flags = index.near_border([centre["lat"], centre["lat"], 52.7250], [centre["lon"]] * 2 + [5.8000],
                              [25, 20_000, 0])
    assert flags.tolist() == [False, True, False]  # zero accuracy: never flagged
