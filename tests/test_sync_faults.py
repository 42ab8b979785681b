"""Stateful property test: devices work offline and sync over a network that loses,
duplicates and delays requests and responses. At the end, after every device syncs
reliably, every mutation was applied exactly once, no signal is lost and every device
equals the server.

CI runs 200 schedules; `make test-long` sets SYNC_SCHEDULES higher.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from litestar.testing import TestClient

from server.app import create_app
from server.auth.tokens import issue_token
from server.bootstrap import open_database
from server.settings import Settings
from server.sync.epoch import server_epoch
from server.users.store import add_user

from sync_device import Device

SCHEDULES = int(os.environ.get("SYNC_SCHEDULES", "200"))
FAULTS = ["ok", "ok", "drop_request", "drop_response", "duplicate", "delay"]
POINTS = [(52.7092, 5.8640), (52.7110, 5.7495), (52.6333, 5.8333), (52.663, 5.601)]
FIELDS = st.sampled_from([
    {"urgency": "hoog"}, {"urgency": "laag"}, {"status": "in_behandeling"},
    {"status": "afgesloten"}, {"description": "Bijgewerkt na gesprek."},
    {"description": "Buren zijn nu tevreden."}, {"category": "verkeer"},
    {"location": {"lat": 52.7110, "lon": 5.7495, "accuracy_m": 8, "method": "map"}},
    {"category": "onzin"},  # a bad edit: rejected, never blocks the rest
])


class SyncWorld(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="gr-sync-"))
        settings_ = Settings(db_path=self.tmp / "sync.db", pwa_dist=self.tmp / "none")
        db = open_database(settings_).db
        add_user(db, "veld", "veld-wachtwoord", "gebiedsregisseur")
        db.close()
        self.client = TestClient(app=create_app(settings_))
        self.client.__enter__()
        with self.client.app.state.db.transaction() as conn:
            epoch = server_epoch(conn)
        token = issue_token("veld", self.client.app.state.secret_key, 3600, epoch=epoch)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.devices: list[Device] = []
        self.delayed: list[tuple[Device, str, dict]] = []
        self.created: set[str] = set()
        self.rng = random.Random(0)

    @initialize(n=st.integers(2, 3))
    def make_devices(self, n):
        self.devices = [Device(f"telefoon-{i}") for i in range(n)]

    # The network --------------------------------------------------------------------
    def _send_push(self, device: Device, body: dict) -> dict:
        r = self.client.post("/api/v1/sync/push", json=body, headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    def _push(self, device: Device, fault: str) -> None:
        body = device.push_body()
        if body is None:
            return
        if fault == "drop_request":
            return
        if fault == "delay":
            self.delayed.append((device, "push", body))
            return
        response = self._send_push(device, body)
        if fault == "duplicate":
            response = self._send_push(device, body)
        if fault != "drop_response":
            device.handle_push(response)

    def _pull(self, device: Device, fault: str) -> None:
        params = {"limit": 7, **({"cursor": device.cursor} if device.cursor else {})}
        r = self.client.get("/api/v1/sync/pull", params=params, headers=self.headers)
        assert r.status_code == 200, r.text
        if fault in ("drop_request", "drop_response", "delay"):
            return
        device.handle_pull(r.json())

    # Rules -----------------------------------------------------------------------------
    @rule(d=st.integers(0, 2), point=st.sampled_from(POINTS), urgency=st.sampled_from(["laag", "normaal", "hoog"]))
    def create(self, d, point, urgency):
        device = self.devices[d % len(self.devices)]
        sid = device.create({"category": "jeugd", "description": "Jongeren bij het dorpshuis.",
                             "source": "inwoner", "urgency": urgency,
                             "location": {"lat": point[0], "lon": point[1], "accuracy_m": 10, "method": "gps"},
                             "observed_at": "2026-11-28T10:15:00+01:00"})
        self.created.add(sid)

    @precondition(lambda self: any(d.store for d in self.devices))
    @rule(d=st.integers(0, 2), pick=st.integers(0, 1000), fields=FIELDS)
    def edit(self, d, pick, fields):
        device = self._with_store(d)
        sid = sorted(device.store)[pick % len(device.store)]
        device.edit(sid, fields)

    @precondition(lambda self: any(d.store for d in self.devices))
    @rule(d=st.integers(0, 2), pick=st.integers(0, 1000))
    def delete(self, d, pick):
        device = self._with_store(d)
        sid = sorted(device.store)[pick % len(device.store)]
        device.delete(sid)

    @rule(d=st.integers(0, 2), push_fault=st.sampled_from(FAULTS), pull_fault=st.sampled_from(FAULTS))
    def sync(self, d, push_fault, pull_fault):
        device = self.devices[d % len(self.devices)]
        self._push(device, push_fault)
        self._pull(device, pull_fault)

    @precondition(lambda self: self.delayed)
    @rule(pick=st.integers(0, 100), answer=st.booleans())
    def deliver_late(self, pick, answer):
        device, _, body = self.delayed.pop(pick % len(self.delayed))
        response = self._send_push(device, body)
        if answer:
            device.handle_push(response)

    def _with_store(self, d: int) -> Device:
        order = self.devices[d % len(self.devices):] + self.devices[:d % len(self.devices)]
        return next(x for x in order if x.store)

    @invariant()
    def outbox_only_shrinks_by_answers(self):
        for device in self.devices:
            assert all(m["id"] in device.sent_ids for m in device.outbox)

    # The end: everyone syncs over a good network, then compare -------------------------
    def teardown(self):
        try:
            if self.devices:
                self._converge_and_check()
        finally:
            self.client.__exit__(None, None, None)

    def _converge_and_check(self):
        for device, _, body in self.delayed:  # late packets still arrive
            self._send_push(device, body)
        for device in self.devices:
            while device.outbox:
                device.handle_push(self._send_push(device, device.push_body()))
        for device in self.devices:
            while device.handle_pull(self.client.get(
                    "/api/v1/sync/pull", params={"limit": 7, **({"cursor": device.cursor} if device.cursor else {})},
                    headers=self.headers).json()):
                pass
        db = self.client.app.state.db
        # 1. Every mutation a device made was processed exactly once.
        made = set().union(*(d.sent_ids for d in self.devices))
        recorded = {r[0] for r in db.query("SELECT id FROM mutations")}
        assert recorded == made
        changes = db.query_one("SELECT count(*) FROM changes")[0]
        effective = db.query_one(
            "SELECT count(DISTINCT signal_id || ':' || version) FROM mutations"
            " WHERE status IN ('applied', 'conflict') AND version IS NOT NULL")[0]
        assert changes == effective, "a mutation was applied more than once (or not recorded)"
        for sid, n, top in db.query("SELECT signal_id, count(*), max(version) FROM changes GROUP BY signal_id"):
            assert n == top, f"versions of {sid} are not one change each"
        # 2. No signal lost: every create reached the server (some were deleted since).
        stored = {r[0] for r in db.query("SELECT id FROM signals")}
        assert self.created <= stored
        # 3. Every device equals the server.
        live = {r["id"]: r["version"] for r in db.query("SELECT id, version FROM signals WHERE deleted = 0")}
        for device in self.devices:
            assert {sid: s["version"] for sid, s in device.store.items()} == live, device.name
            for sid, s in device.store.items():
                server = self.client.get(f"/api/v1/signals/{sid}", headers=self.headers).json()
                assert s == server, (device.name, sid)


SyncWorld.TestCase.settings = settings(
    max_examples=SCHEDULES, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_sync_under_faults = SyncWorld.TestCase
