"""A device's push: its mutations applied as one batch by the signal service.

Each mutation's change and the record of its id are written in the same
transaction (signals/service.py), so a retry after a lost response answers
`duplicate` with the first outcome. The device's last seen sequence number is
kept in the same transaction.

The envelope (`device_id`, a list of objects) is read strictly; each mutation is then
read on its own (`read`), so one that does not fit the protocol (a `seq` past 2^63 − 1,
a wrong type, an unknown op) is answered `rejected` with the field named and the rest
of the batch still applies: a broken item never blocks a device's outbox. Such a
mutation changed nothing and is not recorded; sent again it is answered the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ..audit import audit, audit_many, result_of
from ..errors import DomainError
from ..signals.access import READ_PERSONAL, personal_ids
from ..signals.rows import arrived, photos
from ..signals.service import Mutation, Outcome, SignalService, SignalWriter
from ..users.models import User
from ..validation import convert
from .epoch import server_epoch
from .models import Mutation as WireMutation
from .models import PushRequest


@dataclass(frozen=True, slots=True)
class Pushed:
    """What a push did: the epoch, an outcome per mutation (in the order sent), and which
    photos have arrived."""

    epoch: str
    outcomes: list[Outcome]
    arrived: set[str]


def read(item: dict[str, Any]) -> WireMutation | DomainError:
    """One pushed item as a mutation, or why it is not one (naming the field)."""
    try:
        return convert(item, WireMutation, root="mutation")
    except DomainError as e:
        return e


def sent_text(item: dict[str, Any], name: str) -> str | None:
    """A key field (`id`, `signal_id`) as the device sent it, to answer under; None if no text."""
    value = item.get(name)
    return value if isinstance(value, str) else None


def push_job(service: SignalService, actor: User,
             request: PushRequest) -> Callable[[SignalWriter], Pushed]:
    """The write job for one push (run by the group commit, or in any `writing()` block).
    Reading and checking the mutations happens here, before the transaction."""
    device = str(request.device_id)
    read_items = [read(item) for item in request.mutations]
    valid = [m for m in read_items if isinstance(m, WireMutation)]
    batch = service.prepare([
        Mutation(op=m.op, signal_id=str(m.signal_id), data=m.data or {},
                 base_version=m.base_version, id=str(m.id), device=device, seq=m.seq)
        for m in valid])
    last_seq = max((m.seq for m in valid), default=0)

    def job(w: SignalWriter) -> Pushed:
        epoch = server_epoch(w.conn)
        w.conn.execute(
            "INSERT INTO devices (device_id, username, last_seq, last_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(device_id) DO UPDATE SET username = excluded.username,"
            " last_seq = max(last_seq, excluded.last_seq), last_seen = excluded.last_seen",
            (device, actor.username, last_seq, w.stamp))
        outcomes = w.apply_batch(actor, batch)
        for m, o in zip(batch.mutations, outcomes, strict=True):
            if o.status == "rejected" and o.error is not None:  # applied ones: writer.py
                audit(w.conn, actor.username, f"signal_{m.op}", m.signal_id, result_of(o.error),
                      device=device)
        done = iter(outcomes)
        ordered = [next(done) if isinstance(m, WireMutation) else _unreadable(w, actor, item, m)
                   for item, m in zip(request.mutations, read_items, strict=True)]
        # A conflict or refusal answers with the signal as stored, others' changes included:
        # a read of its content (an applied change is the user's own, audited as a write).
        shown = personal_ids(o.row for o in ordered if o.status != "applied")
        if shown:
            audit_many(w.conn, actor.username, READ_PERSONAL, shown, device=device)
        return Pushed(epoch, ordered, arrived(w.conn, photos(o.row for o in ordered)))

    return job


def _unreadable(w: SignalWriter, actor: User, item: dict[str, Any], error: DomainError) -> Outcome:
    """The answer to an item that is no mutation: rejected, with the signal as the user may
    see it when the item names one (so the app can put its copy right)."""
    signal_id = sent_text(item, "signal_id")
    try:
        row = w.visible(actor, str(UUID(signal_id))) if signal_id else None
    except ValueError:
        row = None
    return Outcome("rejected", signal_id or "", None, row, error)
