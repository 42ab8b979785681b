"""Early-warning alerts for team leads and the area's director."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from ..guards import require_roles
from ..users.models import User
from .models import Acknowledge, Alert, AlertDetail, AlertStatus
from .store import acknowledge, get_alert, list_alerts


class AlertsController(Controller):
    path = "/alerts"
    tags = ["Vroegsignalering"]

    @get("", operation_id="listAlerts", sync_to_thread=True,
         summary="Early-warning alerts with their evidence, newest first")
    def list_alerts(self, request: Request[User, str, State], state: State,
                    status: FromQuery[AlertStatus | None] = None) -> list[Alert]:
        return list_alerts(state.db, state.areas.fresh(), request.user, status)

    @get("/{alert_id:str}", operation_id="getAlert", sync_to_thread=True,
         summary="One alert with its evidence signals in the order they were observed")
    def get(self, request: Request[User, str, State], state: State,
            alert_id: FromPath[str]) -> AlertDetail:
        return get_alert(state.db, state.areas.fresh(), request.user, alert_id)

    @post("/{alert_id:str}/acknowledge", operation_id="acknowledgeAlert", status_code=200,
          sync_to_thread=True, guards=[require_roles("teamleider", "beheerder")],
          summary="Mark an alert as seen (bekeken) or reject it with a reason (afgewezen)")
    def acknowledge(self, request: Request[User, str, State], state: State,
                    alert_id: FromPath[str], data: JSONBody[Acknowledge]) -> Alert:
        return acknowledge(state.db, state.areas.fresh(), request.user, alert_id, data)
