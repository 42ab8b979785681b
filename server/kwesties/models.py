"""Wire models for kwesties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..signals.models import Signal
from ..validation import Text
from ..zgw.models import ZaakRef

Title = Annotated[Text, Meta(min_length=1, max_length=200)]
KwestieDescription = Annotated[Text, Meta(max_length=4000)]
Outcome = Annotated[Text, Meta(max_length=4000)]
UpdateText = Annotated[Text, Meta(min_length=1, max_length=2000)]


class KwestieCreate(msgspec.Struct):
    title: Title
    signal_ids: Annotated[list[UUID], Meta(min_length=1, max_length=500)]
    description: KwestieDescription = ""


class KwestieUpdate(msgspec.Struct):
    """A partial change: only the fields present change. Closing (`status: gesloten`) needs an
    outcome, sent now or stored before; reopening (`status: open`) clears `closed_at`."""

    title: Title | UnsetType = UNSET
    description: KwestieDescription | UnsetType = UNSET
    status: Literal["open", "gesloten"] | UnsetType = UNSET
    outcome: Outcome | None | UnsetType = UNSET


class KwestieNote(msgspec.Struct):
    """A short update on the course of a kwestie (free text: may hold personal data)."""

    text: UpdateText


class KwestieNoteOut(msgspec.Struct):
    at: datetime
    by: str
    text: str


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
    #: What came of it, written when it is closed.
    outcome: str | None = None
    closed_at: datetime | None = None
    #: Live signals of this kwestie outside the user's areas: counted, never shown (not in
    #: `signal_count`, the first/last observation or the timeline).
    hidden_signals: int = 0


class KwestieDetail(Kwestie):
    """A kwestie with its timeline: its signals in the order they were observed, and its
    updates (oldest first, the newest last)."""

    timeline: list[Signal] = msgspec.field(default_factory=list)
    updates: list[KwestieNoteOut] = msgspec.field(default_factory=list)
    #: The kwestie's zaak in the case system (issue 13), or null when it was not handed off.
    zaak: ZaakRef | None = None
