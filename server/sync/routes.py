"""HTTP routes of the sync protocol."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter
from msgspec import UNSET

from ..problems import ProblemError, problem_for
from ..request_context import set_device
from ..signals.rows import to_signal_with
from ..users.models import User
from .models import MAX_MUTATIONS, MutationResult, PullResponse, PushRequest, PushResponse
from .pull import pull
from .push import push_job, sent_text

MAX_PUSH_BYTES = 8 * 1024 * 1024
PUSH_PATH = "/api/v1/sync/push"


class SyncController(Controller):
    path = "/sync"
    tags = ["Synchronisatie"]

    @post("/push", operation_id="pushMutations", status_code=200,
          request_max_body_size=MAX_PUSH_BYTES,
          summary="Push a device's outbox: one result per mutation, in the order sent; idempotent"
                  " by mutation id (per user and device); a bad mutation is rejected on its own")
    async def push(self, request: Request[User, str, State], state: State,
                   data: JSONBody[PushRequest]) -> PushResponse:
        if len(data.mutations) > MAX_MUTATIONS:
            raise ProblemError(413, f"Te veel wijzigingen in één keer: {len(data.mutations)};"
                                    f" stuur er hoogstens {MAX_MUTATIONS} per verzoek.")
        set_device(str(data.device_id))  # for the audit log of this push
        job = push_job(state.writes.service, request.user, data)
        pushed = await state.writes.run(job, len(data.mutations))
        catalog = state.areas
        return PushResponse(server_epoch=pushed.epoch, results=[
            MutationResult(
                id=sent_text(m, "id"), status=o.status, signal_id=sent_text(m, "signal_id"),
                version=o.version,
                problem=problem_for(o.error, PUSH_PATH) if o.error else None,
                server=to_signal_with(o.row, catalog, pushed.arrived)
                if o.row is not None and not o.row["deleted"] else None,
                lost=o.lost if o.lost else UNSET)
            for m, o in zip(data.mutations, pushed.outcomes, strict=True)])

    @get("/pull", operation_id="pullChanges", sync_to_thread=True,
         summary="Changes since a cursor, in commit order, paged")
    def pull(self, request: Request[User, str, State], state: State,
             cursor: Annotated[str | None, QueryParameter(
                 description="Opaque cursor from the previous pull; none to start")] = None,
             limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500) -> PullResponse:
        return pull(state.db, state.areas.fresh(), request.user, cursor, limit)
