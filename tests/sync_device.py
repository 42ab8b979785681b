"""A reference device for the sync tests: local store, outbox, cursor — the protocol's client side."""

from __future__ import annotations

import copy
import uuid
from typing import Any

BATCH = 50


class Device:
    """What the phone keeps: server-known signals, an outbox of mutations, a cursor and an epoch."""

    def __init__(self, name: str):
        self.name = name
        self.device_id = str(uuid.uuid4())
        self.store: dict[str, dict[str, Any]] = {}
        self.outbox: list[dict[str, Any]] = []
        self.seq = 0
        self.cursor: str | None = None
        self.epoch: str | None = None
        self.sent_ids: set[str] = set()

    # Local actions, offline --------------------------------------------------------------
    def _mutation(self, op: str, signal_id: str, data: dict, base: int | None) -> None:
        self.seq += 1
        m = {"id": str(uuid.uuid4()), "seq": self.seq, "op": op, "signal_id": signal_id,
             "base_version": base, "data": data, "client_time": "2026-11-28T12:00:00+01:00"}
        self.outbox.append(m)
        self.sent_ids.add(m["id"])

    def create(self, data: dict[str, Any]) -> str:
        sid = str(uuid.uuid4())
        self.store[sid] = {"id": sid, **copy.deepcopy(data), "version": None}
        self._mutation("create", sid, data, None)
        return sid

    def edit(self, sid: str, fields: dict[str, Any]) -> None:
        local = self.store[sid]
        self._mutation("update", sid, fields, local["version"])
        local.update(copy.deepcopy(fields))

    def delete(self, sid: str) -> None:
        self._mutation("delete", sid, {}, self.store[sid]["version"])
        del self.store[sid]

    # Sync ------------------------------------------------------------------------------
    def push_body(self) -> dict[str, Any] | None:
        if not self.outbox:
            return None
        return {"device_id": self.device_id, "mutations": copy.deepcopy(self.outbox[:BATCH])}

    def _pending(self, sid: str) -> bool:
        return any(m["signal_id"] == sid for m in self.outbox)

    def _accept(self, sid: str, server: dict[str, Any] | None, version: int | None) -> None:
        """Take the server's state unless a local edit still waits or ours is newer."""
        if self._pending(sid):
            return
        known = self.store.get(sid, {}).get("version")
        if known is not None and version is not None and version < known:
            return  # a late answer carrying an older state
        if server is None:
            self.store.pop(sid, None)
        else:
            self.store[sid] = server

    def handle_push(self, response: dict[str, Any]) -> None:
        self._check_epoch(response["server_epoch"])
        for result in response["results"]:
            # Every status is final for that mutation (a rejection too): it leaves the outbox.
            self.outbox = [m for m in self.outbox if m["id"] != result["id"]]
            server = result["server"]
            if result["status"] == "rejected" and server is None and result["signal_id"] in self.store:
                if self.store[result["signal_id"]]["version"] is None:
                    self._accept(result["signal_id"], None, None)  # a create the server refused
                continue
            if server is not None or result["status"] in ("applied", "duplicate", "conflict"):
                self._accept(result["signal_id"], server, result["version"])

    def handle_pull(self, page: dict[str, Any]) -> bool:
        """Apply one page; returns whether more pages wait."""
        if self._check_epoch(page["server_epoch"]):
            return True  # epoch changed: start again from the beginning
        for change in page["changes"]:
            if "signal" in change:
                s = change["signal"]
                self._accept(s["id"], s, s["version"])
            else:
                self._accept(change["deleted"], None, change["version"])
        self.cursor = page["cursor"]
        return page["has_more"]

    def _check_epoch(self, epoch: str) -> bool:
        if self.epoch is not None and epoch != self.epoch:
            self.epoch, self.cursor = epoch, None
            return True
        self.epoch = epoch
        return False
