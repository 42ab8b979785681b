"""Wire models for signals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..areas.models import AreaRef
from ..validation import Text
from ..zgw.models import ZaakRef

Urgency = Literal["laag", "normaal", "hoog", "acuut"]
Source = Literal["inwoner", "ondernemer", "organisatie", "dorpsbelang", "jongerenraad",
                 "bezwaarmaker", "eigen_waarneming", "anders"]
Status = Literal["nieuw", "in_behandeling", "doorgezet", "afgesloten"]
LocationMethod = Literal["gps", "map", "address"]

MAX_DESCRIPTION = 4000
MAX_ATTACHMENTS = 10

# Text a client sends is `Text`: no NUL, no bidirectional controls (validation.py).
Code = Annotated[Text, Meta(min_length=1, max_length=64)]
Description = Annotated[Text, Meta(min_length=1, max_length=MAX_DESCRIPTION)]
Sha256 = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="SHA-256 of the bytes, hex")]
Attachments = Annotated[list[Sha256], Meta(max_length=MAX_ATTACHMENTS)]
#: Only plausible times are taken (2000-01-01 … a day after now): the service checks that,
#: with its clock (`timeutil.plausible`).
AwareDateTime = Annotated[datetime, Meta(tz=True)]
MAX_ASSIGNMENT_NOTE = 500
#: Who a signal is handed to: an active user's name (the service checks it exists).
Assignee = Annotated[Text, Meta(min_length=1, max_length=64)]
#: A note with the hand-over (free text: may hold personal data, erased like a description).
AssignmentNote = Annotated[Text, Meta(max_length=MAX_ASSIGNMENT_NOTE)]


class Location(msgspec.Struct):
    """Where it was observed, WGS84."""

    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    accuracy_m: Annotated[float, Meta(ge=0, le=100_000)] | None = None
    method: LocationMethod = "gps"


class SignalCreate(msgspec.Struct):
    """A new signal. `id` is made by the client (a UUID); the server makes one when absent."""

    category: Code
    description: Description
    source: Source
    id: UUID | None = None
    subcategory: Code | None = None
    urgency: Urgency = "normaal"
    location: Location | None = None
    observed_at: AwareDateTime | None = None
    status: Status = "nieuw"
    contains_personal_data: bool = False
    attachments: Attachments = msgspec.field(default_factory=list)
    follow_up_date: date | None = None
    #: Handed to this colleague (an active user), who then sees it too.
    assignee: Assignee | None = None
    assignment_note: AssignmentNote | None = None
    #: "Hoort bij": an earlier signal (one the user may see) this one belongs with.
    related_to: UUID | None = None


class SignalUpdate(msgspec.Struct):
    """A partial update: only the fields present change."""

    category: Code | UnsetType = UNSET
    subcategory: Code | None | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    urgency: Urgency | UnsetType = UNSET
    source: Source | UnsetType = UNSET
    location: Location | None | UnsetType = UNSET
    observed_at: AwareDateTime | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    contains_personal_data: bool | UnsetType = UNSET
    attachments: Attachments | UnsetType = UNSET
    follow_up_date: date | None | UnsetType = UNSET
    assignee: Assignee | None | UnsetType = UNSET
    assignment_note: AssignmentNote | None | UnsetType = UNSET
    related_to: UUID | None | UnsetType = UNSET


class Signal(msgspec.Struct):
    """A signal as the server holds it."""

    id: UUID
    category: str
    subcategory: str | None
    description: str
    urgency: Urgency
    source: Source
    location: Location | None
    observed_at: datetime
    status: Status
    contains_personal_data: bool
    attachments: list[str]
    #: Attachments the signal refers to whose bytes have not arrived yet.
    pending_attachments: list[str]
    follow_up_date: date | None
    #: The colleague it is handed to (they see it too), with a note; null: nobody.
    assignee: str | None
    assignment_note: str | None
    #: "Hoort bij": the earlier signal this one belongs with (null: none).
    related_to: UUID | None
    kern: AreaRef | None
    wijk: AreaRef | None
    buurt: AreaRef | None
    #: The location lies in no known area (water, another municipality): kept, flagged.
    outside_areas: bool
    #: The GPS accuracy circle crosses an area border: the area may be the neighbour's.
    near_border: bool
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    #: Its zaak in the case system (its own, or its kwestie's), or null (issue 13).
    zaak: ZaakRef | None = None


class SignalPage(msgspec.Struct):
    """One page of a signal list."""

    items: list[Signal]
    total: int
    limit: int
    offset: int
