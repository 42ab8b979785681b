"""Wire models for kwesties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..signals.models import Signal
from ..validation import Text

Title = Annotated[Text, Meta(min_length=1, max_length=200)]


class KwestieCreate(msgspec.Struct):
    title: Title
    signal_ids: Annotated[list[UUID], Meta(min_length=1, max_length=500)]
    description: Annotated[Text, Meta(max_length=4000)] = ""


class KwestieFromAlert(msgspec.Struct):
    title: Title | None = None


class KwestieSignals(msgspec.Struct):
    """Signals to add to a kwestie."""

    signal_ids: Annotated[list[UUID], Meta(min_length=1, max_length=500)]


class Kwestie(msgspec.Struct):
    id: str
    title: str
    description: str
    status: Literal["open", "gesloten"]
    alert_id: str | None
    signal_count: int
    first_observed: datetime | None
    last_observed: datetime | None
    created_by: str
    created_at: datetime
    #: Live signals of this kwestie outside the user's areas: counted, never shown (not in
    #: `signal_count`, the first/last observation or the timeline).
    hidden_signals: int = 0


class KwestieDetail(Kwestie):
    """A kwestie with its timeline: its signals in the order they were observed."""

    timeline: list[Signal] = msgspec.field(default_factory=list)
