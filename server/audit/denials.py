"""Refused requests in the audit log (401, 403, 404 of an object out of scope, 429).

The refusal is recorded after the request's own work is over, in a transaction of its
own: the signal writer's next group commit (`group_commit.py`), so the event loop never
waits for the write lock and a denial is never lost with a rolled-back transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from litestar import Request

from . import audit

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..db import Database
    from ..signals.group_commit import GroupCommit

log = logging.getLogger(__name__)


def write_soon(db: Database, writes: GroupCommit | None,
               job: Callable[[sqlite3.Connection], object]) -> None:
    """Write an audit entry without waiting for it: in the signal writer's next group commit
    when there is one (a failure there is logged), else in a transaction now."""
    if writes is None:
        with db.transaction() as conn:
            job(conn)
        return
    future = writes.submit(lambda w: job(w.conn))

    def report(done: Future[object]) -> None:
        if not done.cancelled() and (error := done.exception()) is not None:
            log.error("could not write an audit entry", exc_info=error)

    future.add_done_callback(report)


def denial_entry(request: Request[Any, Any, Any], status: int) -> tuple[str | None, str, str | None]:
    """(user, action, object) of a refusal: the route, not the concrete path, is the action;
    the path parameters (ids) are the object. Never the query string or the body."""
    user = request.scope.get("user")
    username = getattr(user, "username", None)
    template = request.scope.get("path_template") or request.url.path
    params = request.scope.get("path_params") or {}
    obj = ",".join(str(v) for v in params.values()) or None
    return username, f"{request.method} {template} ({status})", obj


def record_denial(request: Request[Any, Any, Any], status: int) -> None:
    """Queue the audit entry of a refused request; never raises."""
    try:
        username, action, obj = denial_entry(request, status)
        state = request.app.state
        write_soon(state.db, state.get("writes"),
                   lambda conn: audit(conn, username, action, obj, "denied"))
    except Exception:  # the answer to the client must not fail because of its audit entry
        log.exception("could not record a denied request in the audit log")
