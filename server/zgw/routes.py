"""HTTP routes of the ZGW hand-off: the configuration (beheerder), the hand-off of a signal or
kwestie (202, then the `zaak` on it), a preview for the app's confirmation, and the callback
of a Notificaties API."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import Body, FromPath, HeaderParameter, QueryParameter

from ..audit import audit
from ..errors import Conflict, Invalid, NotFound
from ..guards import PUBLIC, require_roles
from ..users.models import User
from . import config as zgw_config
from . import notifications, payload, service
from .client import ZgwError
from .models import Notificatie, ZaakPreview, ZaakRef, ZaakRequest, ZgwConfigIn, ZgwConfigOut

TAGS = ["Zaaksysteem (ZGW)"]
Note = Annotated[ZaakRequest | None, Body(description="Een notitie voor het zaaksysteem (optioneel)")]


class ZgwConfigController(Controller):
    path = "/export/zgw"
    tags = TAGS

    @put("/config", operation_id="putZgwConfig", guards=[require_roles("beheerder")],
         sync_to_thread=True, summary="Set the connection with the case system (ZGW) and the"
         " mappings of categories to zaaktypen; without `secret` the stored one stays")
    def put_config(self, request: Request[User, str, State], state: State,
                   data: Annotated[ZgwConfigIn, Body()]) -> ZgwConfigOut:
        db = state.db
        old = zgw_config.load(db.conn)
        checked = zgw_config.check(data, state.writes.service.categories.get(db.conn),
                                   old.secret if old else None)
        checked = msgspec.structs.replace(
            checked, notificaties=zgw_config.merged_notificaties(checked.notificaties, old))

        def save(conn) -> None:
            zgw_config.store(conn, checked, request.user.username)
            audit(conn, request.user.username, "zgw_config", "zgw")
        db.write(save)
        state.zgw.cache.clear()
        return zgw_config.public(zgw_config.load(db.conn))  # type: ignore[arg-type]

    @get("/config", operation_id="getZgwConfig", guards=[require_roles("beheerder")],
         sync_to_thread=True, summary="The connection with the case system; never the secret")
    def get_config(self, state: State) -> ZgwConfigOut:
        config = zgw_config.load(state.db.conn)
        if config is None:
            raise NotFound("De koppeling met het zaaksysteem is nog niet ingesteld.")
        return zgw_config.public(config)

    @get("/preview", operation_id="previewZaak", sync_to_thread=True,
         summary="What handing off this signal or kwestie would do: the zaaktype, the"
                 " vertrouwelijkheid, whether the description goes, or why it cannot")
    def preview(self, request: Request[User, str, State], state: State,
                signal_id: Annotated[UUID | None, QueryParameter(name="signalId")] = None,
                kwestie_id: Annotated[str | None, QueryParameter(
                    name="kwestieId", min_length=1, max_length=64)] = None) -> ZaakPreview:
        if (signal_id is None) == (kwestie_id is None):
            raise Invalid("signalId", "geef signalId of kwestieId (één van beide)")
        kind, subject_id = ("signal", str(signal_id)) if signal_id else ("kwestie", str(kwestie_id))
        conn = state.db.conn
        user = request.user
        service.check_visible(conn, user, kind, subject_id)
        config = zgw_config.load(conn)
        allowed = service.may_hand_off(user, config)
        reason = None if allowed else "Doorzetten is voor teamleiders en beheerders."
        if allowed and service.outside_areas(conn, user, kind, subject_id):
            allowed, reason = False, service.OUTSIDE_AREAS
        try:
            chosen = service.plan(conn, config, kind, subject_id)
        except (Invalid, Conflict) as e:
            return ZaakPreview(configured=config is not None, allowed=False, zaaktype=None,
                               zaaktype_omschrijving=None, vertrouwelijkheidaanduiding=None,
                               sends_description=False, reason=e.detail)
        label = None
        try:
            with state.zgw.client(config) as client:
                label = state.zgw.cache.get(client, chosen.mapping.zaaktype,
                                            "het lezen van het zaaktype").get("omschrijving")
        except ZgwError:
            label = None  # the confirmation still shows the zaaktype's URL
        return ZaakPreview(
            configured=True, allowed=allowed, zaaktype=chosen.mapping.zaaktype,
            zaaktype_omschrijving=label,
            vertrouwelijkheidaanduiding=chosen.mapping.vertrouwelijkheidaanduiding,
            sends_description=payload.sends_description(chosen.subject, chosen.mapping),
            reason=reason)


async def _ask(request: Request[User, str, State], state: State, kind: str, subject_id: str,
               data: ZaakRequest | None) -> Response[ZaakRef]:
    note = data.note if data is not None and data.note else None
    ref, queued = await state.writes.run(
        lambda w: service.ask(w, request.user, kind, subject_id, note))
    if queued:
        state.zgw.worker.wake()
    return Response(ref, status_code=202)


class ZaakController(Controller):
    path = "/"
    tags = TAGS

    @post("/signals/{signal_id:uuid}/zaak", operation_id="handOffSignal", status_code=202,
          summary="Hand a signal off to the case system: 202 at once, the zaak is made in the"
                  " background (see `zaak` on the signal); asking again makes no second zaak."
                  " A signal whose zaak is a kwestie's (`zaak.kwestie_id`) answers that"
                  " kwestie's hand-off (a failed one is queued again), never a zaak of its own")
    async def hand_off_signal(self, request: Request[User, str, State], state: State,
                              signal_id: FromPath[UUID], data: Note = None) -> Response[ZaakRef]:
        return await _ask(request, state, "signal", str(signal_id), data)

    @post("/kwesties/{kwestie_id:str}/zaak", operation_id="handOffKwestie", status_code=202,
          summary="Hand a kwestie off to the case system as one zaak with its signals")
    async def hand_off_kwestie(self, request: Request[User, str, State], state: State,
                               kwestie_id: FromPath[str], data: Note = None) -> Response[ZaakRef]:
        return await _ask(request, state, "kwestie", kwestie_id, data)

    @post("/notificaties/zgw", operation_id="receiveZgwNotificatie", status_code=204, opt=PUBLIC,
          sync_to_thread=True,
          summary="Callback of a Notificaties API (kanaal zaken): the zaak named is read again"
                  " at once. Verified by the ZGW JWT configured under `notificaties`")
    def notificatie(self, state: State, data: Annotated[Notificatie, Body()],
                    authorization: Annotated[str | None, HeaderParameter(
                        name="Authorization", required=False)] = None) -> None:
        notifications.check_token(authorization, zgw_config.load(state.db.conn))
        zaak = notifications.zaak_of(data.kanaal, data.hoofdObject, data.resourceUrl)
        if zaak is not None:
            with suppress(ZgwError):  # else the next regular poll reads it
                state.zgw.poll(zaak)
