"""Users in SQLite: add and read (log-in throttling: auth/throttle.py; account changes: accounts.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from ..db import Database
from ..timeutil import utc_text
from .models import ROLES, User
from .passwords import WeakPassword, check_password, hash_password
from .scopes import record_scope

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A user that cannot be added as asked."""


def _user(row) -> User:
    return User(username=row["username"], role=row["role"], areas=json.loads(row["areas"]),
                all_areas=bool(row["all_areas"]))


def add_user(db: Database, username: str, password: str, role: str,
             areas: list[str] | None = None, *, replace: bool = False,
             all_areas: bool = False) -> User:
    """Create (or with `replace`, reset) a user with an argon2id password hash.

    Without areas and without `all_areas` a user (other than a beheerder, who sees all)
    sees only the signals they made: "all areas" is never implied."""
    if not USERNAME.match(username):
        raise UserError(
            f"invalid username {username!r}: use 2-64 lowercase letters, digits, '.', '_' or '-'"
        )
    if role not in ROLES:
        raise UserError(f"invalid role {role!r}: choose from {', '.join(ROLES)}")
    try:
        check_password(password)
    except WeakPassword as e:
        raise UserError(str(e)) from None
    areas = sorted(set(areas or []))
    if all_areas and areas:
        raise UserError("kies --all-areas of --area, niet allebei")
    user = User(username=username, role=role, areas=areas,  # type: ignore[arg-type]
                all_areas=all_areas)
    password_hash = hash_password(password)  # slow on purpose: not while holding the write lock
    now = utc_text(datetime.now(UTC))
    with db.transaction() as conn:
        exists = conn.execute("SELECT token_generation FROM users WHERE username = ?",
                              (username,)).fetchone()
        if exists and not replace:
            raise UserError(f"user {username!r} already exists")
        # A reset ends the sessions of the replaced account (auth/tokens.py).
        generation = exists["token_generation"] + 1 if exists else 0
        conn.execute(
            "INSERT OR REPLACE INTO users (username, password_hash, role, areas, all_areas,"
            " created_at, token_generation) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (username, password_hash, role, json.dumps(areas), int(all_areas), now, generation),
        )
        record_scope(conn, user, now)
    return user


def get_user(db: Database, username: str) -> User | None:
    row = db.query_one("SELECT * FROM users WHERE username = ? AND active = 1", (username,))
    return _user(row) if row else None


def list_users(db: Database) -> list[User]:
    return [_user(r) for r in db.query("SELECT * FROM users WHERE active = 1 ORDER BY username")]


def list_accounts(db: Database) -> list[tuple[User, bool]]:
    """Every user, disabled ones too, with whether they may sign in."""
    return [(_user(r), bool(r["active"])) for r in db.query("SELECT * FROM users ORDER BY username")]
