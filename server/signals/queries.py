"""Reading signals: lists with filters and one signal, limited by the access rule (access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..areas.store import AreaCatalog
from ..db import Database
from ..timeutil import utc_text
from ..users.models import User
from .access import log_personal_reads, scope_clause, visible_row
from .models import Signal, SignalPage
from .rows import to_signals
from .search import search_clause


@dataclass(frozen=True, slots=True)
class SignalFilter:
    area: str | None = None
    category: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: Words the description must hold (full text, signals/search.py); no word: no filter.
    q: str | None = None
    #: Made by this user ("mijn signalen").
    created_by: str | None = None
    #: Handed to this user.
    assignee: str | None = None
    #: Follow-up due: a follow-up date on or before this day, and not closed.
    follow_up_by: date | None = None


def filter_clause(flt: SignalFilter) -> tuple[str, list[Any]]:
    """SQL for the filters the list and the statistics share (live signals only); the
    signals table is not aliased (the search names its rowid)."""
    where, params = ["deleted = 0"], []
    if flt.area:
        where.append("(kern_code = ? OR wijk_code = ? OR buurt_code = ?)")
        params += [flt.area] * 3
    if flt.category:
        where.append("(category = ? OR subcategory = ?)")
        params += [flt.category] * 2
    if flt.status:
        where.append("status = ?")
        params.append(flt.status)
    if flt.since:
        where.append("observed_utc >= ?")
        params.append(utc_text(flt.since))
    if flt.until:
        where.append("observed_utc < ?")
        params.append(utc_text(flt.until))
    if flt.created_by is not None:
        where.append("created_by = ?")
        params.append(flt.created_by)
    if flt.assignee is not None:
        where.append("assignee = ?")
        params.append(flt.assignee)
    if flt.follow_up_by is not None:
        where.append("follow_up_date <= ? AND status != 'afgesloten'")
        params.append(flt.follow_up_by.isoformat())
    search = search_clause(flt.q)
    if search is not None:
        where.append(search[0])
        params += search[1]
    return " AND ".join(where), params


def get_signal(db: Database, catalog: AreaCatalog, signal_id: str, user: User) -> Signal:
    row = visible_row(db.conn, signal_id, user)
    log_personal_reads(db, user, [row])
    return to_signals(db.conn, [row], catalog)[0]


def list_signals(db: Database, catalog: AreaCatalog, user: User, flt: SignalFilter,
                 limit: int, offset: int) -> SignalPage:
    scope, scope_params = scope_clause(user)
    where, params = filter_clause(flt)
    sql_where = f"{where} AND {scope}"
    params = [*params, *scope_params]
    conn = db.conn
    total = conn.execute(f"SELECT count(*) FROM signals WHERE {sql_where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT * FROM signals WHERE {sql_where} ORDER BY observed_utc DESC, id"
        " LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
    log_personal_reads(db, user, rows)
    return SignalPage(items=to_signals(conn, rows, catalog), total=total, limit=limit,
                      offset=offset)
