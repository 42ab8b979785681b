"""An acknowledged mutation survives `kill -9` of the server in the middle of a stream of pushes."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from test_sync import create_data, mutation

from live import start_server

pytestmark = pytest.mark.slow


def _token(base: str) -> dict[str, str]:
    r = httpx.post(base + "/api/v1/auth/token",
                   json={"username": "regisseur", "password": "regisseur-demo"}, timeout=10)
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_acknowledged_pushes_survive_sigkill(tmp_path: Path):
    db = tmp_path / "durable.db"
    proc, base = start_server(db, "--demo")
    headers = _token(base)
    device = str(uuid.uuid4())
    acked: list[dict] = []
    stop = threading.Event()

    def stream() -> None:
        seq = 0
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                batch = []
                for _ in range(10):
                    seq += 1
                    batch.append(mutation("create", str(uuid.uuid4()), create_data(), seq=seq))
                try:
                    r = client.post(base + "/api/v1/sync/push", headers=headers,
                                    json={"device_id": device, "mutations": batch})
                except httpx.TransportError:
                    return  # the server died under us: this batch was never acknowledged
                if r.status_code == 200:
                    acked.extend(batch)

    pusher = threading.Thread(target=stream)
    pusher.start()
    deadline = time.monotonic() + 60
    while len(acked) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # mid-stream: no shutdown, no checkpoint
    proc.wait(timeout=10)
    stop.set()
    pusher.join(timeout=30)
    assert len(acked) >= 200

    proc, base = start_server(db)
    try:
        headers = _token(base)
        ids = {m["signal_id"] for m in acked}
        found: set[str] = set()
        cursor = None
        while True:
            r = httpx.get(base + "/api/v1/sync/pull", headers=headers, timeout=30,
                          params={"limit": 1000, **({"cursor": cursor} if cursor else {})})
            page = r.json()
            found |= {c["signal"]["id"] for c in page["changes"] if "signal" in c}
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        assert ids <= found, f"{len(ids - found)} acknowledged signals lost"
        # And the server remembers every acknowledged mutation id.
        for start in range(0, len(acked), 250):
            r = httpx.post(base + "/api/v1/sync/push", headers=headers, timeout=30,
                           json={"device_id": device, "mutations": acked[start:start + 250]})
            assert {x["status"] for x in r.json()["results"]} == {"duplicate"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
