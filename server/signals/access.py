"""The access rule: who may see and change which signal.

One rule, in SQL for lists and in Python for a row at hand, so every path
(lists, single reads, pulls, writes) answers the same:
- a beheerder, a teamleider and a gebiedsregisseur without areas see every signal;
- a gebiedsregisseur with areas sees the signals in those areas (kern, wijk or
  buurt) and the ones they made themselves;
- whoever may see a signal may change it; deleting it is for its maker, a
  teamleider or a beheerder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Forbidden
from ..users.models import User

DELETERS = ("teamleider", "beheerder")


def _all_areas(user: User) -> bool:
    return user.role != "gebiedsregisseur" or not user.areas


def scope_clause(user: User, table: str = "") -> tuple[str, list[Any]]:
    """SQL that limits rows of `signals` (aliased `table`) to what this user may see."""
    if _all_areas(user):
        return "1", []
    t = f"{table}." if table else ""
    marks = ",".join("?" * len(user.areas))
    clause = (f"({t}kern_code IN ({marks}) OR {t}wijk_code IN ({marks})"
              f" OR {t}buurt_code IN ({marks}) OR {t}created_by = ?)")
    return clause, [*user.areas, *user.areas, *user.areas, user.username]


def may_see(user: User, row: Mapping[str, Any]) -> bool:
    """Whether this user may see (and so change) the signal in `row`."""
    if _all_areas(user) or row["created_by"] == user.username:
        return True
    areas = user.areas
    return row["kern_code"] in areas or row["wijk_code"] in areas or row["buurt_code"] in areas


def check_change(user: User, row: Mapping[str, Any]) -> None:
    if not may_see(user, row):
        raise Forbidden("U mag dit signaal niet wijzigen.")


def check_delete(user: User, row: Mapping[str, Any]) -> None:
    if not may_see(user, row):
        raise Forbidden("U mag dit signaal niet verwijderen.")
    if row["created_by"] != user.username and user.role not in DELETERS:
        raise Forbidden("Alleen wie het signaal maakte of een teamleider mag het verwijderen.")
