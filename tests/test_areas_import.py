"""Importing CBS Wijk- en Buurtkaart files: formats, CRS, hierarchy, re-assignment, failures."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.boundaries import BoundaryError, read_boundaries
from server.areas.importer import import_boundaries
from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.settings import Settings
from server.signals.models import Location, SignalCreate
from server.signals.service import SignalService
from server.users.models import User

from conftest import MARKNESSE, URK, store_signals, write_cbs_gpkg

EXE = Path(sys.executable).with_name("gebiedsradar")
RD = 28992
# A synthetic pair of municipalities in RD New around (140000, 450000): "Polder" GM0171 with
# two wijken of two buurten each, an enclave GM0184 in its middle, and a water buurt.
X0, Y0 = 140_000, 450_000  # near Utrecht: far from the default Noordoostpolder kernen


def _square(x: float, y: float, size: float = 1000):
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


ENCLAVE = _square(900, 900, 200)


def _buurten() -> gpd.GeoDataFrame:
    rows = []
    for w, wx in ((1, 0), (2, 2000)):
        for b, bx in ((1, 0), (2, 1000)):
            geom = _square(wx + bx, 0, 1000).union(_square(wx + bx, 1000, 1000)).difference(ENCLAVE)
            rows.append({"buurtcode": f"BU017100{w}{b}", "buurtnaam": f"Buurt {w}.{b}",
                         "wijkcode": f"WK01710{w}", "wijknaam": f"Wijk 0{w} Dorp{w}",
                         "gemeentecode": "GM0171", "gemeentenaam": "Polder", "water": "NEE",
                         "aantal_inwoners": 100 * w + b, "geometry": geom})
    rows.append({"buurtcode": "BU01710299", "buurtnaam": "Meer", "wijkcode": "WK017102",
                 "wijknaam": "Wijk 02 Dorp2", "gemeentecode": "GM0171", "gemeentenaam": "Polder",
                 "water": "JA", "aantal_inwoners": -99999997, "geometry": _square(4000, 0, 2000)})
    rows.append({"buurtcode": "BU01840000", "buurtnaam": "Urk-Centrum", "wijkcode": "WK018400",
                 "wijknaam": "Wijk 00 Urk", "gemeentecode": "GM0184", "gemeentenaam": "Urk",
                 "water": "NEE", "aantal_inwoners": 20000, "geometry": ENCLAVE})
    return gpd.GeoDataFrame(rows, crs=RD)


def _wijken(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    land = buurten[buurten["water"] == "NEE"]
    w = land.dissolve(by="wijkcode", aggfunc={"wijknaam": "first", "gemeentecode": "first",
                                               "gemeentenaam": "first", "aantal_inwoners": "sum"})
    w = w.reset_index()
    w["water"] = "NEE"
    return w


def point(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of an RD point in the synthetic map."""
    p = gpd.GeoSeries([shapely.Point(X0 + x, Y0 + y)], crs=RD).to_crs(4326)[0]
    return p.y, p.x


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "wijkenbuurten_2025.gpkg"
    buurten = _buurten()
    wijken = _wijken(buurten)
    gemeenten = wijken.dissolve(by="gemeentecode", aggfunc={"gemeentenaam": "first"}).reset_index()
    gemeenten.to_file(path, layer="gemeenten", driver="GPKG", engine="pyogrio")
    wijken.to_file(path, layer="wijken", driver="GPKG", engine="pyogrio")
    buurten.to_file(path, layer="buurten", driver="GPKG", engine="pyogrio")
    return path


@pytest.fixture
def opened(tmp_path: Path):
    return open_database(Settings(db_path=tmp_path / "import.db"))


def add_signal(db, lat: float, lon: float) -> str:
    data = SignalCreate(category="jeugd", description="test", source="inwoner",
                        location=Location(lat=lat, lon=lon, accuracy_m=5))
    return store_signals(db, AreaCatalog(db), [data], user=User(username="t", role="teamleider"))[0]["id"]


def import_into(db, boundaries):
    """An area import as the CLI runs it: through the signal service."""
    return import_boundaries(SignalService(db, AreaCatalog(db)), boundaries)


def test_read_gpkg_in_rd_with_hierarchy_water_and_inhabitants(gpkg):
    b = read_boundaries(gpkg, ["GM0171"])
    assert b.municipalities == ["GM0171"]
    assert (b.count("wijk"), b.count("buurt"), b.count("kern")) == (2, 5, 2)
    by = {(a.level, a.code): a for a in b.areas}
    assert by[("buurt", "BU01710011")].parent_code == "WK017101"
    assert by[("wijk", "WK017101")].parent_code == "GM0171"
    assert by[("kern", "WK017102")].name == "Dorp2"  # "Wijk 02 Dorp2" → kern "Dorp2"
    assert by[("buurt", "BU01710299")].water is True
    assert by[("buurt", "BU01710299")].inhabitants is None  # CBS secret marker
    assert by[("buurt", "BU01710012")].inhabitants == 102
    minx, miny, maxx, maxy = shapely.union_all([a.geometry for a in b.areas]).bounds
    assert 3 < minx < 8 and 50 < miny < 54  # reprojected to WGS84 lon/lat


def test_import_replaces_defaults_and_reassigns_signals(gpkg, opened):
    db = opened.db
    inside = add_signal(db, *point(2500, 500))     # wijk 2, buurt 2.1
    in_urk = add_signal(db, *point(1000, 1000))    # the enclave
    on_water = add_signal(db, *point(5000, 1000))  # the water buurt
    marknesse = add_signal(db, *MARKNESSE)         # real Marknesse: not in the synthetic map
    report = import_into(db, read_boundaries(gpkg, ["GM0171"]))
    assert report.replaced_defaults is True
    assert report.signals_checked == 4
    assert report.signals_changed == 2  # inside got areas; Marknesse lost its default kern
    rows = {r["id"]: r for r in db.query("SELECT * FROM signals")}
    assert (rows[inside]["kern_code"], rows[inside]["wijk_code"], rows[inside]["buurt_code"]) == \
        ("WK017102", "WK017102", "BU01710021")
    assert rows[inside]["version"] == 2
    for sid in (in_urk, on_water, marknesse):
        assert rows[sid]["kern_code"] is None and rows[sid]["outside_areas"] == 1
    assert db.query_one("SELECT count(*) FROM areas WHERE source = 'default'")[0] == 0
    changes = db.query("SELECT signal_id FROM changes WHERE changed_by LIKE 'systeem%'")
    assert sorted(r[0] for r in changes) == sorted([inside, marknesse])


def test_reimport_is_stable(gpkg, opened):
    db = opened.db
    import_into(db, read_boundaries(gpkg, ["GM0171"]))
    add_signal(db, *point(500, 500))
    again = import_into(db, read_boundaries(gpkg, ["GM0171"]))
    assert (again.replaced_defaults, again.signals_checked, again.signals_changed) == (False, 1, 0)
    assert db.query_one("SELECT count(*) FROM areas")[0] == 2 + 5 + 2


def test_two_municipalities_kept_apart(gpkg, opened):
    db = opened.db
    import_into(db, read_boundaries(gpkg, ["GM0171"]))
    import_into(db, read_boundaries(gpkg, ["GM0184"]))
    per = dict(db.query("SELECT municipality, count(*) FROM areas GROUP BY municipality"))
    assert per == {"GM0171": 9, "GM0184": 3}
    catalog = AreaCatalog(db)
    assert catalog.locate(*point(1000, 1000)).wijk.code == "WK018400"
    assert catalog.locate(*point(500, 500)).wijk.code == "WK017101"
    # Re-importing one municipality leaves the other alone.
    import_into(db, read_boundaries(gpkg, ["GM0171"]))
    assert dict(db.query("SELECT municipality, count(*) FROM areas GROUP BY municipality")) == per


def test_shapefile_with_old_column_names(tmp_path, opened):
    buurten = _buurten().rename(columns={
        "buurtcode": "BU_CODE", "buurtnaam": "BU_NAAM", "wijkcode": "WK_CODE",
        "wijknaam": "WK_NAAM", "gemeentecode": "GM_CODE", "gemeentenaam": "GM_NAAM",
        "water": "WATER", "aantal_inwoners": "AANT_INW"})
    path = tmp_path / "buurt_2021.shp"
    buurten.to_file(path, engine="pyogrio")
    b = read_boundaries(path, ["GM0171"])
    # Only buurten in the file: wijken are their unions, and each land wijk is a kern.
    assert (b.count("buurt"), b.count("wijk"), b.count("kern")) == (5, 2, 2)
    report = import_into(opened.db, b)
    assert report.counts == {"kern": 2, "wijk": 2, "buurt": 5}


def test_geojson_in_wgs84(tmp_path):
    path = tmp_path / "wijken.geojson"
    _wijken(_buurten()).to_crs(4326).to_file(path, driver="GeoJSON", engine="pyogrio")
    b = read_boundaries(path, ["GM0171"])
    assert b.count("wijk") == 2 and b.count("buurt") == 0


def test_separate_kern_layer(tmp_path, gpkg):
    kernen = tmp_path / "woonplaatsen.geojson"
    gpd.GeoDataFrame([
        {"woonplaatscode": "WP1", "woonplaatsnaam": "Dorp Een", "geometry": _square(0, 0, 2000)},
        {"woonplaatscode": "WP9", "woonplaatsnaam": "Elders", "geometry": _square(90000, 0)},
    ], crs=RD).to_file(kernen, driver="GeoJSON", engine="pyogrio")
    b = read_boundaries(gpkg, ["GM0171"], kernen)
    assert [(a.code, a.name) for a in b.areas if a.level == "kern"] == [("WP1", "Dorp Een")]
    assert b.kern_source == "woonplaatsen.geojson"


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"this is not a geopackage"), "cannot read"),
    (lambda p: gpd.GeoDataFrame({"naam": ["x"]}, geometry=[_square(0, 0)], crs=RD)
        .to_file(p, layer="wijken", driver="GPKG", engine="pyogrio"), "lacks the CBS columns"),
    (lambda p: gpd.GeoDataFrame({"wijkcode": ["WK1"], "wijknaam": ["x"]}, geometry=[_square(0, 0)],
                                crs=RD).to_file(p, layer="wijken", driver="GPKG", engine="pyogrio"),
     "lacks column(s) gemeentecode"),
])
def test_broken_files_are_refused(tmp_path, make, message):
    path = tmp_path / "kapot.gpkg"
    make(path)
    with pytest.raises(BoundaryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_boundaries(path, ["GM0171"])


def test_cli_import_and_failures_change_nothing(gpkg, tmp_path):
    db = tmp_path / "cli.db"
    r = subprocess.run([str(EXE), "--db", str(db), "areas", "import", str(gpkg),
                        "--municipality", "GM0303"], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "gebiedsradar: error: wijkenbuurten_2025.gpkg has no wijken or buurten of GM0303"
        " (it holds: GM0171, GM0184)"]
    count = subprocess.run([str(EXE), "--db", str(db), "areas", "list"], capture_output=True, text=True)
    assert len(count.stdout.splitlines()) == 11  # the defaults are untouched
    r = subprocess.run([str(EXE), "--db", str(db), "areas", "import", str(gpkg),
                        "--municipality", "GM0171", "--municipality", "GM0184"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Imported GM0171, GM0184: 3 kernen (from wijk), 3 wijken, 6 buurten, 1 water areas;" \
           " bundled default areas replaced." in r.stdout
    assert "Signals: 0 checked, 0 changed area." in r.stdout
    bad = subprocess.run([str(EXE), "--db", str(db), "areas", "import", str(gpkg),
                          "--municipality", "0171"], capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_official_cbs_2024_wijken_and_buurten(tmp_path, opened):
    path = write_cbs_gpkg(tmp_path / "cbs_2024.gpkg")
    db = opened.db
    sid = add_signal(db, *MARKNESSE)
    report = import_into(db, read_boundaries(path, ["GM0171"]))
    assert report.counts == {"kern": 12, "wijk": 12, "buurt": 49}
    row = db.query_one("SELECT kern_code, wijk_code, buurt_code FROM signals WHERE id = ?", (sid,))
    assert (row["kern_code"], row["wijk_code"]) == ("WK017104", "WK017104")
    assert row["buurt_code"].startswith("BU017104")
    located = AreaCatalog(db).locate(*URK)
    assert (located.kern, located.wijk, located.buurt) == (None, None, None)


def test_a_push_read_before_an_import_is_stored_with_the_new_areas(gpkg, opened):
    """A batch is prepared (areas looked up) before its transaction; when an import lands
    in between, the writer looks the areas up again."""
    from server.signals.service import Mutation

    db = opened.db
    service = SignalService(db, AreaCatalog(db, check_every=0))
    lat, lon = point(2500, 500)  # in the synthetic wijk 2, outside every default kern
    data = SignalCreate(category="jeugd", description="test", source="inwoner",
                        location=Location(lat=lat, lon=lon, accuracy_m=5))
    batch = service.prepare([Mutation("create", str(uuid.uuid4()), data)])
    assert batch.columns[0]["kern_code"] is None
    import_boundaries(SignalService(db, AreaCatalog(db)), read_boundaries(gpkg, ["GM0171"]))
    with service.writing() as w:
        [outcome] = w.apply_batch(User(username="t", role="teamleider"), batch)
    assert (outcome.row["kern_code"], outcome.row["buurt_code"]) == ("WK017102", "BU01710021")
