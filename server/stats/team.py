"""The team lead's overview: per gebiedsregisseur their open signals and what is overdue.

A regisseur's open signals are the live ones not afgesloten that they made or that are
assigned to them (a handed-over signal counts for both); overdue are those of them whose
follow-up date lies before today (Dutch time). A team lead bound to areas sees the numbers
of the signals in their own scope only, and only the regisseurs who share an area with
them or have such open signals (no names from elsewhere).
"""

from __future__ import annotations

import json
from datetime import date

import msgspec

from ..db import Database
from ..signals.access import scope_clause, sees_all
from ..users.models import User


class RegisseurLoad(msgspec.Struct):
    username: str
    #: Live signals not afgesloten that they made or that are assigned to them.
    open: int
    #: Of those, how many have a follow-up date before today.
    overdue: int
    #: Of those, how many are assigned to them.
    assigned_open: int


class RegisseurLoadList(msgspec.Struct):
    items: list[RegisseurLoad]


def regisseur_load(db: Database, user: User, today: date) -> RegisseurLoadList:
    """Every active gebiedsregisseur by username, with their open, overdue and assigned counts."""
    clause, params = scope_clause(user, "s")
    rows = db.query(
        "SELECT u.username, u.areas, count(s.id) AS open,"
        " coalesce(sum(s.follow_up_date IS NOT NULL AND s.follow_up_date < ?), 0) AS overdue,"
        " coalesce(sum(s.assignee IS NOT NULL AND s.assignee = u.username), 0) AS assigned_open"
        " FROM users u LEFT JOIN signals s ON s.deleted = 0 AND s.status != 'afgesloten'"
        f" AND (s.created_by = u.username OR s.assignee = u.username) AND {clause}"
        " WHERE u.active = 1 AND u.role = 'gebiedsregisseur'"
        " GROUP BY u.username ORDER BY u.username",
        (today.isoformat(), *params))
    mine = set(user.areas)
    return RegisseurLoadList(items=[
        RegisseurLoad(r["username"], r["open"], r["overdue"], r["assigned_open"]) for r in rows
        if sees_all(user) or r["open"] or mine & set(json.loads(r["areas"] or "[]"))])
