"""Shared fixtures: a fresh database, the app, an ASGI client and signed-in users."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.bootstrap import open_database
from server.settings import Settings
from server.signals.models import SignalCreate
from server.signals.service import Mutation, SignalService
from server.users.models import User
from server.users.store import add_user

from e2e_support import CHROMIUM, FLAGS, require
from live import start_server
from zgw_double import ZgwDouble

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"    # test inputs kept in the repository: see tests/data/README.md
CBS_GEO = DATA / "cbs"            # generalised CBS 2024 wijken and buurten of Noordoostpolder

MARKNESSE = (52.7092, 5.8640)     # a street in Marknesse (Hoofdweg area)
EMMELOORD = (52.7110, 5.7495)     # Lange Nering, Emmeloord centre
URK = (52.663, 5.601)             # Urk: another municipality
IJSSELMEER = (52.70, 5.45)        # open water

PASSWORDS = {"regisseur": "regisseur-secret", "teamleider": "teamleider-secret",
             "beheerder": "beheerder-secret", "ens": "ens-regisseur-secret"}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "gebiedsradar.db"


@pytest.fixture
def settings(db_path: Path, tmp_path: Path) -> Settings:
    return Settings(db_path=db_path, pwa_dist=tmp_path / "no-pwa", token_ttl_seconds=3600)


@pytest.fixture
def users(settings: Settings) -> dict[str, str]:
    db = open_database(settings).db
    add_user(db, "regisseur", PASSWORDS["regisseur"], "gebiedsregisseur", all_areas=True)
    add_user(db, "ens", PASSWORDS["ens"], "gebiedsregisseur", ["WK017106"])
    add_user(db, "teamleider", PASSWORDS["teamleider"], "teamleider", all_areas=True)
    add_user(db, "beheerder", PASSWORDS["beheerder"], "beheerder")
    db.close()
    return PASSWORDS


@pytest.fixture
def client(settings: Settings, users: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app=app) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token",
                    json={"username": username, "password": PASSWORDS[username]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def regisseur(client: TestClient) -> dict[str, str]:
    return login(client, "regisseur")


@pytest.fixture
def teamleider(client: TestClient) -> dict[str, str]:
    return login(client, "teamleider")


def write_cbs_gpkg(path: Path) -> Path:
    """The CBS 2024 wijken and buurten of tests/data as a Wijk- en Buurtkaart GeoPackage (RD New)."""
    import geopandas as gpd

    for layer in ("wijken", "buurten"):
        gpd.read_file(CBS_GEO / f"noordoostpolder_{layer}.geojson").to_crs(28992).to_file(
            path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


ADMIN = User(username="t", role="beheerder")


def store_signals(db, catalog, data: list[SignalCreate], *, ids: list[str] | None = None,
                  user: User = ADMIN) -> list[dict]:
    """Signals stored the way the product stores them: as creates through the signal service."""
    ids = ids or [str(uuid.uuid4()) for _ in data]
    with SignalService(db, catalog).writing() as w:
        outcomes = w.apply_batch(user, [Mutation("create", i, d) for i, d in zip(ids, data, strict=True)])
    assert all(o.status == "applied" for o in outcomes), [o.error for o in outcomes]
    return [dict(o.row) for o in outcomes]


def signal_body(lat: float = MARKNESSE[0], lon: float = MARKNESSE[1], **fields) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "category": "jeugd",
        "subcategory": "jeugdoverlast",
        "description": "Jongeren bij het dorpshuis, buren klagen over lawaai.",
        "urgency": "normaal",
        "source": "inwoner",
        "location": {"lat": lat, "lon": lon, "accuracy_m": 12, "method": "gps"},
        "observed_at": "2026-11-28T10:15:00+01:00",
        "status": "nieuw",
        "contains_personal_data": False,
        "attachments": [],
    }
    body.update(fields)
    return body


@pytest.fixture
def zgw_double() -> Iterator[ZgwDouble]:
    """A started ZGW test double (Zaken, Documenten, Catalogi; tests/zgw_double.py). Fails the
    test at teardown on any request that broke the specifications or Open Zaak's rules; a test
    that provokes such requests on purpose clears `violations` itself."""
    with ZgwDouble() as double:
        yield double
        assert double.violations == [], "\n".join(double.violations)


# Browser tests (tests/e2e) ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, driven by Playwright."""
    require(Path(CHROMIUM), "Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def server(tmp_path: Path):
    """A real server with demo data serving the built app."""
    # GEBIEDSRADAR_PWA_DIST (read by the server too) lets a build elsewhere be tested.
    dist = Path(os.environ.get("GEBIEDSRADAR_PWA_DIST", REPO / "pwa" / "dist"))
    require(dist / "index.html", "the PWA build (make build)")
    proc, base = start_server(tmp_path / "browser.db", "--demo")
    yield base
    proc.terminate()
    proc.wait(timeout=10)
