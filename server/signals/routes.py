"""HTTP routes for signals: reads from the queries, every write a mutation of the service."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from ..errors import Unreadable
from ..params import Offset, period_param
from ..timeutil import LOCAL, now
from ..users.models import User
from . import access
from .history import SignalHistory, signal_history
from .models import Signal, SignalCreate, SignalPage, SignalUpdate, Status
from .nearby import MAX_RADIUS_M, MAX_WEEKS, NearbySignals, nearby_signals
from .queries import SignalFilter, get_signal, list_signals
from .rows import arrived, photos, to_signal_with
from .service import Mutation, Outcome, Overlap, SignalWriter, new_signal_id

IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description="The version of the signal this change is based on, e.g. \"3\" (its ETag):"
                " changed fields are merged with what others changed since, as in sync")]
IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False, min_length=1, max_length=255,
    pattern=r"^[\x21-\x7e]+$",
    description="Names this request (e.g. a UUID), to retry it safely: the same key again from"
                " the same user answers the first outcome instead of doing it again (a create"
                " without `id` then makes no second signal). Kept like a sync mutation id,"
                " per user")]
CONFLICT_FIELDS = "Conflict-Fields"  # documented in openapi.py


def _base_version(if_match: str | None) -> int | None:
    """The version in an If-Match header: `3`, `"3"` or `W/"3"`."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or int(text) < 1:
        raise Unreadable("If-Match", "geef de versie van het signaal, bijvoorbeeld \"3\"")
    return int(text)


async def _apply(state: State, actor: User, mutation: Mutation) -> tuple[Outcome, set[str]]:
    """Apply one mutation through the group commit; its data is read before the transaction."""
    batch = state.writes.service.prepare([mutation])

    def job(w: SignalWriter) -> tuple[Outcome, set[str]]:
        outcome = w.apply_batch(actor, batch)[0]
        return outcome, arrived(w.conn, photos([outcome.row]))

    return await state.writes.run(job)


def _answer(state: State, outcome: Outcome, have: set[str]) -> Response[Signal]:
    """An outcome as HTTP: a stored or unchanged signal is 200 (201 when new); a change that
    overwrote someone else's says which fields in `Conflict-Fields`; the rest is a problem."""
    if outcome.error is not None and not isinstance(outcome.error, Overlap):
        raise outcome.error
    if outcome.row is None:  # a retry (Idempotency-Key) of a signal since deleted or moved away
        raise access.not_found(outcome.signal_id)
    headers = {"ETag": f'"{outcome.row["version"]}"',  # of the state sent (a retry: today's)
               "Location": f"/api/v1/signals/{outcome.signal_id}"}
    if isinstance(outcome.error, Overlap):
        headers[CONFLICT_FIELDS] = ", ".join(outcome.error.fields)
    return Response(to_signal_with(outcome.row, state.areas, have), headers=headers,
                    status_code=201 if outcome.created else 200)


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
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(
            max_length=1000, description="zoekwoorden in de omschrijving (alle woorden, ook als"
            " begin van een woord; hoofdletters en accenten tellen niet)")] = None,
        mine: Annotated[bool, QueryParameter(description="alleen signalen die ik maakte")] = False,
        assignee: Annotated[str | None, QueryParameter(
            min_length=1, max_length=64,
            description="alleen signalen overgedragen aan deze gebruiker (`me`: aan mij)")] = None,
        follow_up: Annotated[Literal["due"] | None, QueryParameter(
            name="followUp",
            description="`due`: opvolgdatum vandaag of eerder (Nederlandse tijd), niet afgesloten")
        ] = None,
        follow_up_snake: Annotated[Literal["due"] | None, QueryParameter(
            name="follow_up", include_in_schema=False)] = None,  # the app's spelling (issue 12)
    ) -> SignalPage:
        user = request.user
        flt = SignalFilter(area=area, category=category, status=status,
                           since=period_param("since", since, end=False),
                           until=period_param("until", until, end=True), q=q,
                           created_by=user.username if mine else None,
                           assignee=user.username if assignee == "me" else assignee,
                           follow_up_by=now().astimezone(LOCAL).date()
                           if follow_up or follow_up_snake else None)
        return list_signals(state.db, state.areas.fresh(), user, flt, limit, offset)

    @get("/nearby", operation_id="listNearbySignals", sync_to_thread=True,
         summary="Signals the user may see near a point, nearest first: at most 20, observed"
                 " in the last weeks, of one category")
    def list_nearby_signals(
        self, request: Request[User, str, State], state: State,
        lat: Annotated[float, QueryParameter(ge=-90, le=90, description="Breedtegraad (WGS84)")],
        lon: Annotated[float, QueryParameter(ge=-180, le=180, description="Lengtegraad (WGS84)")],
        category: Annotated[str | None, QueryParameter(
            max_length=64, description="categorie of subcategorie (leeg: elke)")] = None,
        radius: Annotated[int | None, QueryParameter(
            name="radiusM", ge=1, le=MAX_RADIUS_M, description="straal in meters (250)")] = None,
        radius_snake: Annotated[int | None, QueryParameter(
            name="radius_m", ge=1, le=MAX_RADIUS_M, include_in_schema=False)] = None,
        weeks: Annotated[int, QueryParameter(
            ge=1, le=MAX_WEEKS, description="waargenomen in de laatste zoveel weken")] = 12,
        exclude: Annotated[UUID | None, QueryParameter(
            description="dit signaal niet (het signaal dat wordt bewerkt)")] = None,
    ) -> NearbySignals:
        return nearby_signals(state.db, state.areas.fresh(), request.user, lat, lon,
                              category=category, radius_m=radius or radius_snake or 250,
                              weeks=weeks, now=now(),
                              exclude=str(exclude) if exclude else None)

    @get("/{signal_id:uuid}/history", operation_id="getSignalHistory", sync_to_thread=True,
         summary="Who changed what in a signal, and when, oldest first")
    def get_signal_history(self, request: Request[User, str, State], state: State,
                           signal_id: FromPath[UUID]) -> SignalHistory:
        return signal_history(state.db, request.user, str(signal_id))

    @post("", operation_id="createSignal",
          summary="Create a signal; the server derives kern, wijk and buurt from its location."
                  " The same signal again is 200; the same id with other content updates it")
    async def create_signal(self, request: Request[User, str, State], state: State,
                            data: JSONBody[SignalCreate],
                            idempotency_key: IdempotencyKey = None) -> Response[Signal]:
        mutation = Mutation("create", str(data.id) if data.id else new_signal_id(), data,
                            id=idempotency_key)
        return _answer(state, *await _apply(state, request.user, mutation))

    @get("/{signal_id:uuid}", operation_id="getSignal", sync_to_thread=True,
         summary="One signal")
    def get_signal(self, request: Request[User, str, State], state: State,
                   signal_id: FromPath[UUID]) -> Response[Signal]:
        signal = get_signal(state.db, state.areas.fresh(), str(signal_id), request.user)
        return Response(signal, headers={"ETag": f'"{signal.version}"'})

    @patch("/{signal_id:uuid}", operation_id="updateSignal",
           summary="Change some fields of a signal; its version goes up. With If-Match an older"
                   " version is merged field by field, as a sync update is")
    async def update_signal(self, request: Request[User, str, State], state: State,
                            signal_id: FromPath[UUID], data: JSONBody[SignalUpdate],
                            if_match: IfMatch = None,
                            idempotency_key: IdempotencyKey = None) -> Response[Signal]:
        mutation = Mutation("update", str(signal_id), data, _base_version(if_match),
                            id=idempotency_key)
        return _answer(state, *await _apply(state, request.user, mutation))

    @delete("/{signal_id:uuid}", operation_id="deleteSignal",
            summary="Delete a signal (kept as a tombstone for sync); with If-Match, only when"
                    " nobody else changed it since that version")
    async def delete_signal(self, request: Request[User, str, State], state: State,
                            signal_id: FromPath[UUID], if_match: IfMatch = None,
                            idempotency_key: IdempotencyKey = None) -> None:
        mutation = Mutation("delete", str(signal_id), None, _base_version(if_match),
                            id=idempotency_key)
        outcome, _ = await _apply(state, request.user, mutation)
        if outcome.error is not None:
            raise outcome.error
