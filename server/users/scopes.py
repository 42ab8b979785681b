"""Scope generations: what each user could see, over time.

A user's scope is (all areas, area codes); a beheerder always has all areas. Every
change of it starts a new generation in `user_scopes`. A sync cursor names the
generation it was made under, so a pull after a change can send the phone removals
for the signals it may no longer keep (sync/pull.py).
"""

from __future__ import annotations

import json
import sqlite3

from ..signals.access import sees_all
from .models import User


def effective_scope(user: User) -> tuple[bool, list[str]]:
    """(all areas, area codes) as the access rule reads them: a beheerder sees all."""
    every = sees_all(user)
    return every, [] if every else sorted(user.areas)


def record_scope(conn: sqlite3.Connection, user: User, at: str) -> int:
    """Start a new scope generation when the user's scope changed; returns the current one.
    (A sync cursor names its generation: see sync/pull.py.)"""
    every, areas = effective_scope(user)
    last = conn.execute("SELECT generation, all_areas, areas FROM user_scopes WHERE username = ?"
                        " ORDER BY generation DESC LIMIT 1", (user.username,)).fetchone()
    if last is not None and (bool(last[1]), json.loads(last[2])) == (every, areas):
        return last[0]
    generation = last[0] + 1 if last is not None else 1
    conn.execute("INSERT INTO user_scopes (username, generation, all_areas, areas, changed_at)"
                 " VALUES (?, ?, ?, ?, ?)", (user.username, generation, int(every),
                                             json.dumps(areas), at))
    return generation


def scope_generation(conn: sqlite3.Connection, username: str) -> int:
    """The user's current scope generation (0: none recorded)."""
    row = conn.execute("SELECT max(generation) FROM user_scopes WHERE username = ?",
                       (username,)).fetchone()
    return row[0] or 0


def scope_at(conn: sqlite3.Connection, username: str, generation: int) -> User | None:
    """The user as the access rule saw them in an earlier generation (None: unknown)."""
    row = conn.execute("SELECT all_areas, areas FROM user_scopes WHERE username = ?"
                       " AND generation = ?", (username, generation)).fetchone()
    if row is None:
        return None
    return User(username=username, role="gebiedsregisseur", areas=json.loads(row[1]),
                all_areas=bool(row[0]))

