"""The walking skeleton against a real uvicorn process: log in, create, read back."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from live import start_server


@pytest.fixture
def server(tmp_path: Path):
    proc, base = start_server(tmp_path / "live.db", "--demo")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_curl_story_marknesse(server):
    token = httpx.post(server + "/api/v1/auth/token",
                       json={"username": "regisseur", "password": "regisseur-demo"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    signal_id = str(uuid.uuid4())
    r = httpx.post(server + "/api/v1/signals", headers=headers, json={
        "id": signal_id, "category": "verkeer", "description": "Te hard gerden op de Hoofdweg.",
        "urgency": "normaal", "source": "inwoner",
        "location": {"lat": 52.7092, "lon": 5.8640, "accuracy_m": 10, "method": "gps"},
        "observed_at": "2026-11-28T10:15:00+01:00"})
    assert r.status_code == 201, r.text
    back = httpx.get(f"{server}/api/v1/signals/{signal_id}", headers=headers).json()
    assert back["kern"] == {"code": "WK017104", "name": "Marknesse"}
    demo = httpx.get(server + "/api/v1/signals", headers=headers).json()
    assert demo["total"] > 1  # the demo signals are there too
