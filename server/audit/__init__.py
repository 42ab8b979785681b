"""The audit log (BIO2 8.15): who did what to which object, with what result, when, from where.

One entry names the user, the action, the object (an id, never content), the result
(`allowed`, `denied`, `failed`), the time, and, from the request context
(`server/request_context.py`), the client address, the device and the request id.
Passwords, tokens and descriptions never go in: callers pass ids and action names.

Entries are append-only and hash-chained (`chain.py`): write them inside the
transaction of the action they record, so an action and its entry commit together.
A denial is recorded in a transaction of its own (`problems.py`), never in the one
that was rolled back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Literal

from ..request_context import current
from ..timeutil import now, utc_text
from .chain import Entry, append

Result = Literal["allowed", "denied", "failed"]
RESULTS = ("allowed", "denied", "failed")


def audit(conn: sqlite3.Connection, username: str | None, action: str, obj: str | None = None,
          result: Result = "allowed", *, device: str | None = None) -> None:
    """Append one entry; call inside the transaction of the action it records."""
    audit_many(conn, username, action, [obj], result, device=device)


def audit_many(conn: sqlite3.Connection, username: str | None, action: str,
               objs: Iterable[str | None], result: Result = "allowed", *,
               device: str | None = None) -> None:
    """One entry per object, for the same user, action and result (e.g. the signals a list
    showed): one read of the chain's head and one `executemany`."""
    if result not in RESULTS:
        raise ValueError(f"audit result must be one of {RESULTS}, not {result!r}")
    ctx = current()
    at = utc_text(now())
    client = ctx.client if ctx else None
    device = device or (ctx.device_id if ctx else None)
    request_id = ctx.request_id if ctx else None
    entries = [Entry(at, username, action, obj, result, client, device, request_id) for obj in objs]
    if not entries:
        return
    if conn.in_transaction:
        append(conn, entries)
        return
    # Not inside a transaction (a read path): a short one of its own, taking the write lock
    # first so no other writer extends the chain between reading its head and appending.
    conn.execute("BEGIN IMMEDIATE")
    try:
        append(conn, entries)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def result_of(error: BaseException) -> Result:
    """`denied` for an access refusal (no right, not visible, not signed in, throttled),
    `failed` for anything else that stopped an action."""
    from ..errors import Forbidden, NotFound, NotSignedIn, TooManyAttempts

    return "denied" if isinstance(error, Forbidden | NotFound | NotSignedIn | TooManyAttempts) \
        else "failed"


__all__ = ["RESULTS", "Result", "audit", "audit_many", "result_of"]
