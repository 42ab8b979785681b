"""Refused requests in the audit log (401, 403, 404 of an object out of scope, 429).

The refusal is recorded after the request's own work is over, in a transaction of its
own: the signal writer's next group commit (`group_commit.py`), so the event loop never
waits for the write lock and a denial is never lost with a rolled-back transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request

from . import audit

log = logging.getLogger(__name__)


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
        writes = state.get("writes")
        if writes is not None:
            writes.submit(lambda w: audit(w.conn, username, action, obj, "denied"))
        else:
            with state.db.transaction() as conn:
                audit(conn, username, action, obj, "denied")
    except Exception:  # the answer to the client must not fail because of its audit entry
        log.exception("could not record a denied request in the audit log")
