"""Callbacks of a Notificaties API (`POST /notificaties/zgw`): verified by their ZGW JWT
(the client id and secret configured under `notificaties`), a message of kanaal "zaken"
about one of our open zaken makes the server read that zaak at once."""

from __future__ import annotations

from ..errors import Forbidden, NotSignedIn
from . import config as zgw_config
from .token import verify


def check_token(authorization: str | None, config: zgw_config.ZgwConfig | None) -> None:
    """NotSignedIn without a bearer token; Forbidden when it is not the configured sender's."""
    if not authorization or not authorization.startswith("Bearer "):
        raise NotSignedIn("Stuur een ZGW-JWT van de Notificaties API mee (Authorization: Bearer).")
    n = config.data.notificaties if config is not None else None
    if n is None or not n.secret:
        raise Forbidden("Notificaties van het zaaksysteem zijn niet ingesteld.")
    if not verify(authorization[len("Bearer "):].strip(), n.client_id, n.secret,
                  max_age=n.max_token_age_seconds):
        raise Forbidden("Het JWT van deze notificatie is ongeldig of verlopen.")


def zaak_of(kanaal: str, hoofd_object: str, resource_url: str) -> str | None:
    """The zaak a message is about (kanaal zaken), or None."""
    if kanaal != "zaken":
        return None
    return hoofd_object or resource_url or None
