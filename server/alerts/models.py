"""Wire models for alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ..areas.models import AreaRef
from ..signals.models import Signal
from ..validation import Text

AlertStatus = Literal["nieuw", "bekeken", "kwestie", "afgewezen"]


class Alert(msgspec.Struct):
    """An early-warning detection with its evidence."""

    id: str
    method: str
    title: str
    category: str
    kern: AreaRef | None
    observed: int
    expected: float | None
    score: float | None
    p_value: float | None
    signal_ids: list[str]
    #: Map extent of the signals shown: [min lon, min lat, max lon, max lat] ([] if none has
    #: a location).
    extent: list[float]
    why: str
    window_start: datetime
    window_end: datetime
    status: AlertStatus
    reason: str | None
    created_at: datetime
    updated_at: datetime
    #: Signals of this alert outside the user's areas: counted, never shown (not in
    #: `signal_ids`, `extent` or `signals`); an alert with none in scope is not shown at all.
    hidden_signals: int = 0


class AlertDetail(Alert):
    """An alert with its evidence signals, in the order they were observed."""

    signals: list[Signal] = msgspec.field(default_factory=list)


class Acknowledge(msgspec.Struct):
    """Mark an alert as seen, or reject it with a reason."""

    status: Literal["bekeken", "afgewezen"] = "bekeken"
    reason: Annotated[Text, msgspec.Meta(max_length=1000)] | None = None
