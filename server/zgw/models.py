"""Wire models of the ZGW hand-off (msgspec). Imports nothing of the rest of the server, so the
signal and kwestie models can carry a `ZaakRef`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Vertrouwelijkheid = Literal["openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk",
                            "vertrouwelijk", "confidentieel", "geheim", "zeer_geheim"]
State = Literal["queued", "sending", "done", "failed"]
Url = Annotated[str, Meta(min_length=1, max_length=1000)]
Short = Annotated[str, Meta(min_length=1, max_length=200)]


class MappingIn(msgspec.Struct):
    """Which zaaktype a category's signals become: `category` is a subcategory code, a main
    category code or `*` (any); the most specific one that fits wins."""

    category: Annotated[str, Meta(min_length=1, max_length=64)]
    zaaktype: Url
    statustype: Url
    informatieobjecttype: Url
    vertrouwelijkheidaanduiding: Vertrouwelijkheid = "intern"
    send_personal_data: bool = False


class NotificatiesIn(msgspec.Struct):
    """The credentials a Notificaties API signs its callbacks with (ZGW JWT)."""

    client_id: Short
    secret: Annotated[str, Meta(min_length=1, max_length=500)] | None = None
    #: Refuse callback tokens older than this (seconds). Default none: a Notificaties API
    #: abonnement sends one fixed Authorization value (`gebiedsradar export zgw token`).
    max_token_age_seconds: Annotated[int, Meta(ge=60)] | None = None


class ZgwConfigIn(msgspec.Struct):
    """`PUT /export/zgw/config`: the connection and the mappings. Without `secret` the stored one
    stays (so a beheerder can change a mapping without typing it again)."""

    zaken_api: Url
    documenten_api: Url
    catalogi_api: Url
    client_id: Short
    rsin: Annotated[str, Meta(min_length=1, max_length=20)]
    mappings: list[MappingIn]
    secret: Annotated[str, Meta(min_length=1, max_length=500)] | None = None
    #: A gebiedsregisseur may hand off signals and kwesties of their own areas.
    regisseurs_may_hand_off: bool = False
    #: A link for people, e.g. "https://zaken.example.nl/zaak/{identificatie}".
    zaak_weblink: Annotated[str, Meta(max_length=1000)] | None = None
    #: Send the name of who made the signal (default: the team only).
    send_author: bool = False
    notificaties: NotificatiesIn | None = None
    #: The team named as behandelaar and author of documents.
    behandelaar: Annotated[str, Meta(min_length=1, max_length=200)] = "Team gebiedsregie"


class NotificatiesOut(msgspec.Struct):
    client_id: str
    secret_set: bool
    max_token_age_seconds: int | None = None


class ZgwConfigOut(msgspec.Struct):
    """The configuration as `GET` shows it: never the secret, only whether one is stored."""

    zaken_api: str
    documenten_api: str
    catalogi_api: str
    client_id: str
    secret_set: bool
    rsin: str
    mappings: list[MappingIn]
    regisseurs_may_hand_off: bool
    zaak_weblink: str | None
    send_author: bool
    notificaties: NotificatiesOut | None
    behandelaar: str
    updated_by: str | None = None
    updated_at: datetime | None = None


#: Most characters of a team lead's note (`POST …/zaak`): with the longest fixed lines of
#: the zaak's toelichting (a behandelaar of 200 characters) the note still fits whole in its
#: 1000 characters (payload.toelichting; only a long author list can make it cut).
MAX_NOTE = 600


class ZaakRequest(msgspec.Struct):
    """`POST …/zaak`: an optional note for the case system (sent in the zaak's toelichting)."""

    note: Annotated[str, Meta(max_length=MAX_NOTE)] | None = None


class ZaakRef(msgspec.Struct):
    """A signal's or kwestie's zaak: the hand-off's state and, once made, the zaak."""

    state: State
    identificatie: str | None
    url: str | None
    #: A link for people (the configured weblink), or null.
    link: str | None
    #: Omschrijving of the zaak's current status.
    status: str | None
    result: str | None
    #: Why the hand-off failed or is being retried (Dutch).
    error: str | None
    requested_at: datetime
    updated_at: datetime
    #: On a signal whose zaak is that of a kwestie it belongs to: that kwestie's id (asking
    #: the signal for a zaak then answers the kwestie's hand-off). Null for a signal's own
    #: zaak and on a kwestie's own `zaak`.
    kwestie_id: str | None = None


class ZaakPreview(msgspec.Struct):
    """What a hand-off of this signal or kwestie would do (the confirmation shows it)."""

    configured: bool
    allowed: bool
    zaaktype: str | None
    zaaktype_omschrijving: str | None
    vertrouwelijkheidaanduiding: str | None
    sends_description: bool
    reason: str | None


class Notificatie(msgspec.Struct, forbid_unknown_fields=False):
    """A Notificaties API message (only what is used)."""

    kanaal: str
    hoofdObject: str  # noqa: N815 (the standard's name)
    resource: str = ""
    resourceUrl: str = ""  # noqa: N815
    actie: str = ""
