"""Statistics for team leads (teamleider, beheerder)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter

from ..guards import require_roles
from ..params import period_param
from ..problems import ProblemError
from ..signals.models import Status
from ..timeutil import LOCAL, now
from ..users.models import User
from .models import AreaStatsCollection, AreaTrend
from .store import area_counts, area_trend
from .team import RegisseurLoadList, regisseur_load

Level = Literal["kern", "wijk", "buurt"]


class StatsController(Controller):
    path = "/stats"
    tags = ["Statistiek"]
    guards = [require_roles("teamleider", "beheerder")]

    @get("/areas", operation_id="getAreaStats", sync_to_thread=True,
         media_type="application/geo+json",
         summary="Signals per area for a period: count and per 1,000 inhabitants (GeoJSON)")
    def areas(
        self, request: Request[User, str, State], state: State,
        level: FromQuery[Level] = "kern",
        from_: Annotated[str | None, QueryParameter(
            name="from", description="observed_at vanaf: datum (Nederlandse tijd) of RFC 3339")] = None,
        to: Annotated[str | None, QueryParameter(
            description="observed_at tot: een datum telt tot en met die dag")] = None,
        category: Annotated[str | None, QueryParameter(description="categorie of subcategorie")] = None,
        status: FromQuery[Status | None] = None,
    ) -> Response[AreaStatsCollection]:
        body = area_counts(state.db, state.areas, level, period_param("from", from_, end=False),
                           period_param("to", to, end=True), category, status, request.user)
        return Response(body, media_type="application/geo+json")

    @get("/areas/{code:str}", operation_id="getAreaTrend", sync_to_thread=True,
         summary="One area: weekly counts of the last weeks and its top categories")
    def trend(self, request: Request[User, str, State], state: State, code: FromPath[str],
              level: FromQuery[Level] = "kern",
              weeks: Annotated[int, QueryParameter(ge=1, le=260)] = 26,
              category: Annotated[str | None, QueryParameter()] = None) -> AreaTrend:
        result = area_trend(state.db, state.areas, level, code, weeks,
                            now().astimezone(LOCAL).date(), category, request.user)
        if result is None:
            raise ProblemError(404, f"Er is geen {level} met code {code}.")
        return result

    @get("/regisseurs", operation_id="getRegisseurLoad", sync_to_thread=True,
         summary="Per gebiedsregisseur: open signals, overdue follow-ups and open signals assigned to them")
    def regisseurs(self, request: Request[User, str, State], state: State) -> RegisseurLoadList:
        return regisseur_load(state.db, request.user, now().astimezone(LOCAL).date())
