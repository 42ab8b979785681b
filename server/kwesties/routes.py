"""Kwesties for team leads."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from ..guards import require_roles
from ..users.models import User
from .models import Kwestie, KwestieCreate, KwestieDetail, KwestieFromAlert, KwestieSignals
from .store import add_signals, create_kwestie, from_alert, get_kwestie, list_kwesties


class KwestiesController(Controller):
    path = "/"
    tags = ["Kwesties"]
    guards = [require_roles("teamleider", "beheerder")]

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

    @post("/alerts/{alert_id:str}/kwestie", operation_id="createKwestieFromAlert",
          sync_to_thread=True, summary="Turn an alert into a kwestie with its signals")
    def from_alert(self, request: Request[User, str, State], state: State, alert_id: FromPath[str],
                   data: JSONBody[KwestieFromAlert]) -> KwestieDetail:
        kid = from_alert(state.db, request.user, alert_id, data.title)
        return get_kwestie(state.db, state.areas.fresh(), kid, request.user)
