"""Which signals an export holds, and reading them in chunks.

The rows are those `GET /api/v1/signals` lists for the same filter and user: the same
`filter_clause` (signals/queries.py) and the same access rule (`scope_clause`,
signals/access.py), oldest observation first (the `signals_observed` index gives that
order without sorting). The zaak identificatie comes from the view `signal_zaken`
(the ZGW hand-off, migration m017) as a scalar subquery, not a join: the view has a
`status` column too, and the list's filter names the signals' `status` unqualified. Only a
zaak the case system made (state `done`): an identificatie is reserved when a hand-off is
queued, and one that failed exists nowhere.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..db import connect
from ..signals.access import scope_clause
from ..signals.queries import SignalFilter, filter_clause
from ..users.models import User

#: Rows fetched (and turned into output) at a time: bounds memory, amortises the thread hop.
CHUNK = 1000
#: Page cache of an export's read connection (KiB). One pass over the rows reuses few pages,
#: so the 64 MiB the server's connections keep for hot indexes (db.py) would only add RSS.
READ_CACHE_KIB = 8192


def read_connection(path: Path | str) -> sqlite3.Connection:
    """A connection of an export's own, for one long read (closed by the export)."""
    conn = connect(path)
    conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
    return conn

_COLUMNS = ("id", "observed_at", "category", "subcategory", "kern_code", "wijk_code",
            "buurt_code", "lat", "lon", "urgency", "status", "source", "follow_up_date",
            "contains_personal_data", "deleted", "created_by", "assignee", "description",
            "updated_at")


def has_zaken(conn: sqlite3.Connection) -> bool:
    """Whether the database has the ZGW view (migration m017)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'signal_zaken'").fetchone() is not None


def select(conn: sqlite3.Connection, user: User, flt: SignalFilter, *, extra: str = "",
           extra_params: tuple[Any, ...] = (), newest_first: bool = False,
           page: tuple[int, int] | None = None) -> tuple[str, list[Any]]:
    """The SELECT of an export: the list's filter and the user's scope, plus `extra` SQL
    (e.g. Open311's "no personal data"); `page` = (limit, offset)."""
    where, params = filter_clause(flt)
    scope, scope_params = scope_clause(user)
    zaak = ("(SELECT z.identificatie FROM signal_zaken z WHERE z.signal_id = signals.id"
            " AND z.state = 'done' LIMIT 1)"
            if has_zaken(conn) else "NULL")
    order = "DESC" if newest_first else "ASC"
    sql = (f"SELECT {', '.join('signals.' + c for c in _COLUMNS)}, {zaak} AS zaak_identificatie"
           f" FROM signals WHERE {where} AND {scope}{' AND ' + extra if extra else ''}"
           f" ORDER BY observed_utc {order}, rowid {order}")
    params = [*params, *scope_params, *extra_params]
    if page is not None:
        sql += " LIMIT ? OFFSET ?"
        params += list(page)
    return sql, params


def chunks(conn: sqlite3.Connection, sql: str, params: list[Any],
           size: int = CHUNK) -> Iterator[list[sqlite3.Row]]:
    """The rows of `sql`, `size` at a time (`fetchmany`): one statement, so one snapshot of
    the database from the first chunk to the last, while writers go on (WAL)."""
    cursor = conn.execute(sql, params)
    try:
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
