"""A device's push: its mutations applied as one batch by the signal service.

Each mutation's change and the record of its id are written in the same
transaction (signals/service.py), so a retry after a lost response answers
`duplicate` with the first outcome. The device's last seen sequence number is
kept in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..signals.rows import arrived, photos
from ..signals.service import Mutation, Outcome, SignalService, SignalWriter
from ..users.models import User
from .epoch import server_epoch
from .models import PushRequest


@dataclass(frozen=True, slots=True)
class Pushed:
    """What a push did: the epoch, an outcome per mutation, and which photos have arrived."""

    epoch: str
    outcomes: list[Outcome]
    arrived: set[str]


def push_job(service: SignalService, actor: User,
             request: PushRequest) -> Callable[[SignalWriter], Pushed]:
    """The write job for one push (run by the group commit, or in any `writing()` block).
    Reading and checking the mutations happens here, before the transaction."""
    device = str(request.device_id)
    batch = service.prepare([
        Mutation(op=m.op, signal_id=str(m.signal_id), data=m.data, base_version=m.base_version,
                 id=str(m.id), device=device, seq=m.seq) for m in request.mutations])
    last_seq = max((m.seq for m in request.mutations), default=0)

    def job(w: SignalWriter) -> Pushed:
        epoch = server_epoch(w.conn)
        w.conn.execute(
            "INSERT INTO devices (device_id, username, last_seq, last_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(device_id) DO UPDATE SET username = excluded.username,"
            " last_seq = max(last_seq, excluded.last_seq), last_seen = excluded.last_seen",
            (device, actor.username, last_seq, w.stamp))
        outcomes = w.apply_batch(actor, batch)
        return Pushed(epoch, outcomes, arrived(w.conn, photos(o.row for o in outcomes)))

    return job

