"""HTTP routes for signals."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from ..params import period_param
from ..problems import field_error
from ..users.models import User
from .models import Signal, SignalCreate, SignalPage, SignalUpdate, Status
from .store import (SignalFilter, create_signal, delete_signal, get_signal, list_signals,
                    update_signal)

IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description="Only change the signal when it still has this version, e.g. \"3\" (its ETag)")]


def _version(if_match: str | None) -> int | None:
    """The version in an If-Match header: `3`, `"3"` or `W/"3"`."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise field_error(400, "If-Match", "geef de versie van het signaal, bijvoorbeeld \"3\"")
    return int(text)


class SignalsController(Controller):
    path = "/signals"
    tags = ["Signalen"]

    @get("", operation_id="listSignals", sync_to_thread=True,
         summary="Signals the user may see, newest observation first, paged")
    def list_signals(
        self, request: Request[User, str, State], state: State,
        area: Annotated[str | None, QueryParameter(description="kern-, wijk- of buurtcode")] = None,
        category: Annotated[str | None, QueryParameter(description="categorie of subcategorie")] = None,
        status: FromQuery[Status | None] = None,
        since: Annotated[str | None, QueryParameter(
            description="observed_at vanaf (datum of RFC 3339-tijd), inclusief")] = None,
        until: Annotated[str | None, QueryParameter(
            description="observed_at tot (RFC 3339-tijd, exclusief; een datum telt tot en met die dag)")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> SignalPage:
        flt = SignalFilter(area=area, category=category, status=status,
                           since=period_param("since", since, end=False),
                           until=period_param("until", until, end=True))
        return list_signals(state.db, state.areas.fresh(), request.user, flt, limit, offset)

    @post("", operation_id="createSignal", sync_to_thread=True,
          summary="Create a signal; the server derives kern, wijk and buurt from its location")
    def create_signal(self, request: Request[User, str, State], state: State,
                      data: JSONBody[SignalCreate]) -> Response[Signal]:
        signal, created = create_signal(state.db, state.areas.fresh(), data, request.user)
        if created:
            state.detector.request()
        return Response(signal, status_code=201 if created else 200,
                        headers={"Location": f"/api/v1/signals/{signal.id}"})

    @get("/{signal_id:uuid}", operation_id="getSignal", sync_to_thread=True,
         summary="One signal")
    def get_signal(self, request: Request[User, str, State], state: State,
                   signal_id: FromPath[UUID]) -> Response[Signal]:
        signal = get_signal(state.db, state.areas.fresh(), str(signal_id), request.user)
        return Response(signal, headers={"ETag": f'"{signal.version}"'})

    @patch("/{signal_id:uuid}", operation_id="updateSignal", sync_to_thread=True,
           summary="Change some fields of a signal; its version goes up")
    def update_signal(self, request: Request[User, str, State], state: State, signal_id: FromPath[UUID],
                      data: JSONBody[SignalUpdate], if_match: IfMatch = None) -> Signal:
        return update_signal(state.db, state.areas.fresh(), str(signal_id), data, request.user,
                             _version(if_match))

    @delete("/{signal_id:uuid}", operation_id="deleteSignal", sync_to_thread=True,
            summary="Delete a signal (kept as a tombstone for sync)")
    def delete_signal(self, request: Request[User, str, State], state: State, signal_id: FromPath[UUID],
                      if_match: IfMatch = None) -> None:
        delete_signal(state.db, str(signal_id), request.user, _version(if_match))
