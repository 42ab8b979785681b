"""Helpers of the ZGW hand-off tests (tests/test_zgw_*.py): an app whose outbox worker is
driven by the test (no thread, no wall clock), configured against the test double."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from PIL import Image

from server.app import create_app

from conftest import login, signal_body

_SEEDS = itertools.count(1)


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6, 6), (seed % 256, seed // 256 % 256, 40)).save(out, format="PNG")
    return out.getvalue()


@contextmanager
def zgw_app(settings, **overrides: Any) -> Iterator[TestClient]:
    """The app with the ZGW worker and poller off (the test calls `drain`/`poll`)."""
    app = create_app(dataclasses.replace(settings, **{"zgw_worker": False,
                                                      "zgw_timeout_seconds": 2.0, **overrides}))
    with TestClient(app=app) as c:
        yield c


def import_cbs(settings, path) -> None:
    """Import the CBS wijken and buurten of Noordoostpolder (`write_cbs_gpkg`) into the
    database before an app starts, as `gebiedsradar areas import` does."""
    from geo.boundaries import read_boundaries
    from server.areas.importer import import_boundaries
    from server.areas.store import AreaCatalog
    from server.bootstrap import open_database
    from server.signals.service import SignalService

    db = open_database(settings).db
    try:
        import_boundaries(SignalService(db, AreaCatalog(db)), read_boundaries(path, ["GM0171"]))
    finally:
        db.close()


def runtime(client: TestClient):
    return client.app.state.zgw


def configure(client: TestClient, double, **overrides: Any) -> dict:
    r = client.put("/api/v1/export/zgw/config", json=double.config(**overrides),
                   headers=login(client, "beheerder"))
    assert r.status_code == 200, r.text
    return r.json()


def new_signal(client: TestClient, headers: dict, *, photos: int = 0, **fields: Any) -> dict:
    hashes = []
    for _ in range(photos):
        data = photo(next(_SEEDS))
        sha = hashlib.sha256(data).hexdigest()
        r = client.put(f"/api/v1/attachments/{sha}", content=data, headers=headers)
        assert r.status_code in (200, 201), r.text
        hashes.append(sha)
    body = signal_body(**{"attachments": hashes, **fields})
    r = client.post("/api/v1/signals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def hand_off(client: TestClient, headers: dict, signal_id: str, **body: Any):
    return client.post(f"/api/v1/signals/{signal_id}/zaak", json=body or None, headers=headers)


def drain(client: TestClient) -> None:
    runtime(client).worker.drain()
