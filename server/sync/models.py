"""Wire models of the sync protocol (see CONTRACT.md, "Sync protocol")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..problems import Problem
from ..signals.models import Signal

MAX_MUTATIONS = 500

Op = Literal["create", "update", "delete"]
Outcome = Literal["applied", "duplicate", "conflict", "rejected"]


class Mutation(msgspec.Struct):
    """One change made on a device, pushed (perhaps many times) until acknowledged."""

    id: UUID
    seq: Annotated[int, Meta(ge=0)]
    op: Op
    signal_id: UUID
    base_version: Annotated[int, Meta(ge=1)] | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    client_time: datetime | None = None


class PushRequest(msgspec.Struct):
    device_id: UUID
    #: At most MAX_MUTATIONS (500); more is answered with 413, so the client splits the batch.
    mutations: list[Mutation]


class MutationResult(msgspec.Struct):
    id: UUID
    status: Outcome
    signal_id: UUID
    version: int | None
    problem: Problem | None
    server: Signal | None


class PushResponse(msgspec.Struct):
    server_epoch: str
    results: list[MutationResult]


class Change(msgspec.Struct, omit_defaults=True):
    """Either `{"signal": {...}}` or `{"deleted": "<id>", "version": n}`."""

    signal: Signal | None = None
    deleted: UUID | None = None
    version: int | None = None


class PullResponse(msgspec.Struct):
    server_epoch: str
    changes: list[Change]
    cursor: str
    has_more: bool
