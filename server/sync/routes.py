"""HTTP routes of the sync protocol."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter

from ..problems import ProblemError
from ..users.models import User
from .models import MAX_MUTATIONS, PullResponse, PushRequest, PushResponse
from .pull import pull
from .push import push

MAX_PUSH_BYTES = 8 * 1024 * 1024


class SyncController(Controller):
    path = "/sync"
    tags = ["Synchronisatie"]

    @post("/push", operation_id="pushMutations", status_code=200, sync_to_thread=True,
          request_max_body_size=MAX_PUSH_BYTES,
          summary="Push a device's outbox: per-mutation results, idempotent by mutation id")
    def push(self, request: Request[User, str, State], state: State,
             data: JSONBody[PushRequest]) -> PushResponse:
        if len(data.mutations) > MAX_MUTATIONS:
            raise ProblemError(413, f"Te veel wijzigingen in één keer: {len(data.mutations)};"
                                    f" stuur er hoogstens {MAX_MUTATIONS} per verzoek.")
        response = push(state.db, state.areas.fresh(), request.user, data)
        if any(r.status in ("applied", "conflict") for r in response.results):
            state.detector.request()  # new or changed signals: look for escalation soon
        return response

    @get("/pull", operation_id="pullChanges", sync_to_thread=True,
         summary="Changes since a cursor, in commit order, paged")
    def pull(self, request: Request[User, str, State], state: State,
             cursor: Annotated[str | None, QueryParameter(
                 description="Opaque cursor from the previous pull; none to start")] = None,
             limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500) -> PullResponse:
        return pull(state.db, state.areas.fresh(), request.user, cursor, limit)
