"""Wire models of the sync protocol (see CONTRACT.md, "Sync protocol")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..problems import Problem
from ..signals.models import Signal

MAX_MUTATIONS = 500
#: Numbers the database stores as a signed 64-bit integer: larger ones are rejected, not a 500.
MAX_INT = 2**63 - 1

Op = Literal["create", "update", "delete"]
Outcome = Literal["applied", "duplicate", "conflict", "rejected"]


class Mutation(msgspec.Struct):
    """One change made on a device, pushed (perhaps many times) until acknowledged.

    Read from each item of a push on its own (`sync/push.py`), so one that does not fit
    is rejected with the field named while the others apply."""

    id: UUID
    seq: Annotated[int, Meta(ge=0, le=MAX_INT)]
    op: Op
    signal_id: UUID
    base_version: Annotated[int, Meta(ge=1, le=MAX_INT)] | None = None
    data: dict[str, Any] | None = None
    client_time: datetime | None = None


MUTATIONS_DOC = (
    "The device's outbox in order, at most 500 (more: 413). Each item is a mutation"
    " `{id: uuid, seq: integer 0…2^63−1, op: create|update|delete, signal_id: uuid,"
    " base_version: integer ≥ 1 | null, data: object (the signal's fields), client_time:"
    " date-time | null}`, read on its own: an item that does not fit is answered `rejected`"
    " with a problem naming the field, and the others are still applied.")


class PushRequest(msgspec.Struct):
    device_id: UUID
    #: Objects, read one by one (see MUTATIONS_DOC); more than MAX_MUTATIONS (500) is
    #: answered with 413, so the client splits the batch.
    mutations: Annotated[list[dict[str, Any]], Meta(description=MUTATIONS_DOC)]


class MutationResult(msgspec.Struct):
    """The answer to the mutation at the same position in the push."""

    #: The mutation's id as the device sent it (null when it sent no text there).
    id: str | None
    status: Outcome
    #: The signal's id as the device sent it (null when it sent no text there).
    signal_id: str | None
    version: int | None
    problem: Problem | None
    server: Signal | None
    #: On a conflict, the fields where the device's change did not win (the server kept its
    #: value, e.g. a status change of a signal closed meanwhile): field → the value it sent.
    #: Absent when the device's change won everywhere.
    lost: dict[str, Any] | UnsetType = UNSET


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
