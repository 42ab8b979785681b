"""Liveness."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State

from .guards import PUBLIC


class Health(msgspec.Struct):
    status: str


@get("/health", opt=PUBLIC, operation_id="getHealth", summary="Is the service up",
     tags=["Beheer"], sync_to_thread=False, security=[])
def health(state: State) -> Health:
    state.db.query_one("SELECT 1")
    return Health(status="ok")
