"""The access rule: who may see and change which signal, and the log of who saw what.

One rule, in SQL for lists and in Python for a row at hand, so every path (lists,
single reads, pulls, alerts, kwesties, photos, statistics, writes) answers the same:
- a beheerder sees every signal, and so does a user with `all_areas` (explicit:
  a user without areas and without all_areas sees only the signals they made);
- anyone else sees the signals in their areas (kern, wijk or buurt codes), the
  ones they made themselves and the ones handed to them (`assignee`);
- whoever may see a signal may change it; deleting it is for its maker, a
  teamleider or a beheerder.
A signal a user may not see answers like one that does not exist (`NotFound`, one text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from ..audit import audit_many
from ..db import Database
from ..errors import Forbidden, NotFound
from ..users.models import User

DELETERS = ("teamleider", "beheerder")
#: What a read of personal data is logged as (one entry per signal, object = its id).
READ_PERSONAL = "signal_read_personal"


def sees_all(user: User) -> bool:
    return user.role == "beheerder" or user.all_areas


def scope_clause(user: User, table: str = "", *, owner: str | None = None) -> tuple[str, list[Any]]:
    """SQL that is true (1) for the rows of `signals` (aliased `table`) this user may see.

    `owner` names the column of the maker when `table` is not a signals row (e.g. the
    areas a signal left, with its maker elsewhere); never NULL, so it can be compared.
    `{table}.assignee` is the one it is handed to (in `signal_left_areas`: the one a change
    took it from)."""
    if sees_all(user):
        return "1", []
    t = f"{table}." if table else ""
    maker = owner or f"{t}created_by"
    if not user.areas:
        return f"({maker} = ? OR coalesce({t}assignee = ?, 0))", [user.username, user.username]
    marks = ",".join("?" * len(user.areas))
    clause = (f"(coalesce({t}kern_code IN ({marks}) OR {t}wijk_code IN ({marks})"
              f" OR {t}buurt_code IN ({marks}) OR {t}assignee = ?, 0) OR {maker} = ?)")
    return clause, [*user.areas, *user.areas, *user.areas, user.username, user.username]


def may_see(user: User, row: Mapping[str, Any]) -> bool:
    """Whether this user may see (and so change) the signal in `row`."""
    if sees_all(user) or row["created_by"] == user.username or row["assignee"] == user.username:
        return True
    areas = user.areas
    return row["kern_code"] in areas or row["wijk_code"] in areas or row["buurt_code"] in areas


def covers_area(user: User, code: str, ancestors: Iterable[str] = ()) -> bool:
    """Whether every signal in the area `code` (with its parent areas `ancestors`) is in scope."""
    return sees_all(user) or code in user.areas or any(a in user.areas for a in ancestors)


def not_found(signal_id: str) -> NotFound:
    """The one answer for a signal that does not exist or that the user may not see."""
    return NotFound(f"Signaal {signal_id} bestaat niet of u mag het niet zien.")


def visible_row(conn: sqlite3.Connection, signal_id: str, user: User) -> sqlite3.Row:
    """A live signal this user may see, or NotFound (which does not say which)."""
    clause, params = scope_clause(user)
    row = conn.execute(f"SELECT * FROM signals WHERE id = ? AND deleted = 0 AND {clause}",
                       (signal_id, *params)).fetchone()
    if row is None:
        raise not_found(signal_id)
    return row


def check_delete(user: User, row: Mapping[str, Any]) -> None:
    if not may_see(user, row):
        raise Forbidden("U mag dit signaal niet verwijderen.")
    if row["created_by"] != user.username and user.role not in DELETERS:
        raise Forbidden("Alleen wie het signaal maakte of een teamleider mag het verwijderen.")


def personal_ids(rows: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """The signals among `rows` marked as holding personal data (live ones)."""
    return [r["id"] for r in rows if r is not None and r["contains_personal_data"] and not r["deleted"]]


def log_personal_reads(db: Database, user: User, rows: Iterable[Mapping[str, Any]]) -> None:
    """AVG / BIO: every path that returns a signal's content logs, for the signals marked as
    holding personal data, who read which (one entry per signal; one batch per request)."""
    personal = personal_ids(rows)
    if personal:
        db.write(lambda conn: audit_many(conn, user.username, READ_PERSONAL, personal))
