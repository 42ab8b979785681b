"""Kwesties: every role works on the kwesties that hold a signal it may see (a beheerder or
an all-areas user on all); turning an alert into a kwestie is for team leads."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from ..guards import require_roles
from ..users.models import User
from .models import (
    Kwestie,
    KwestieCreate,
    KwestieDetail,
    KwestieFromAlert,
    KwestieNote,
    KwestieNoteOut,
    KwestieSignals,
    KwestieUpdate,
)
from .store import (
    add_note,
    add_signals,
    create_kwestie,
    from_alert,
    get_kwestie,
    list_kwesties,
    remove_signal,
    update_kwestie,
)


class KwestiesController(Controller):
    path = "/"
    tags = ["Kwesties"]

    @get("/kwesties", operation_id="listKwesties", sync_to_thread=True,
         summary="Kwesties with their number of signals and first/last observation")
    def list_kwesties(self, request: Request[User, str, State], state: State) -> list[Kwestie]:
        return list_kwesties(state.db, request.user)

    @post("/kwesties", operation_id="createKwestie", sync_to_thread=True,
          summary="Group signals into a kwestie")
    def create(self, request: Request[User, str, State], state: State,
               data: JSONBody[KwestieCreate]) -> KwestieDetail:
        kid = create_kwestie(state.db, request.user, data.title, [str(s) for s in data.signal_ids],
                             data.description)
        return get_kwestie(state.db, state.areas.fresh(), kid, request.user)

    @get("/kwesties/{kwestie_id:str}", operation_id="getKwestie", sync_to_thread=True,
         summary="One kwestie with the timeline of its signals")
    def get(self, request: Request[User, str, State], state: State,
            kwestie_id: FromPath[str]) -> KwestieDetail:
        return get_kwestie(state.db, state.areas.fresh(), kwestie_id, request.user)

    @post("/kwesties/{kwestie_id:str}/signals", operation_id="addKwestieSignals", status_code=200,
          sync_to_thread=True, summary="Add signals to a kwestie")
    def add(self, request: Request[User, str, State], state: State, kwestie_id: FromPath[str],
            data: JSONBody[KwestieSignals]) -> KwestieDetail:
        add_signals(state.db, request.user, kwestie_id, [str(s) for s in data.signal_ids])
        return get_kwestie(state.db, state.areas.fresh(), kwestie_id, request.user)

    @patch("/kwesties/{kwestie_id:str}", operation_id="updateKwestie", sync_to_thread=True,
           summary="Rename or describe a kwestie, close it with an outcome or reopen it")
    def update(self, request: Request[User, str, State], state: State, kwestie_id: FromPath[str],
               data: JSONBody[KwestieUpdate]) -> KwestieDetail:
        update_kwestie(state.db, request.user, kwestie_id, data)
        return get_kwestie(state.db, state.areas.fresh(), kwestie_id, request.user)

    @delete("/kwesties/{kwestie_id:str}/signals/{signal_id:str}", operation_id="removeKwestieSignal",
            sync_to_thread=True, summary="Take a signal out of a kwestie")
    def remove(self, request: Request[User, str, State], state: State, kwestie_id: FromPath[str],
               signal_id: FromPath[str]) -> None:
        remove_signal(state.db, request.user, kwestie_id, signal_id)

    @post("/kwesties/{kwestie_id:str}/updates", operation_id="addKwestieUpdate", sync_to_thread=True,
          summary="Write a short update on the course of a kwestie")
    def note(self, request: Request[User, str, State], state: State, kwestie_id: FromPath[str],
             data: JSONBody[KwestieNote]) -> KwestieNoteOut:
        return add_note(state.db, request.user, kwestie_id, data.text)

    @post("/alerts/{alert_id:str}/kwestie", operation_id="createKwestieFromAlert",
          guards=[require_roles("teamleider", "beheerder")], sync_to_thread=True,
          summary="Turn an alert into a kwestie with its signals")
    def from_alert(self, request: Request[User, str, State], state: State, alert_id: FromPath[str],
                   data: JSONBody[KwestieFromAlert]) -> KwestieDetail:
        kid = from_alert(state.db, request.user, alert_id, data.title)
        return get_kwestie(state.db, state.areas.fresh(), kid, request.user)
