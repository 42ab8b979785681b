"""Checking a log-in, with a growing wait after repeated failures for one user."""

from __future__ import annotations

import math
import time

from ..audit import audit
from ..db import Database
from ..errors import NotSignedIn, TooManyAttempts
from ..users.models import User
from ..users.passwords import hash_password, needs_rehash, verify_password
from ..users.store import get_user

clock = time.time  # what check_login calls "now" when not given one (tests replace it)


def backoff_seconds(failures: int, free_attempts: int, max_delay: int) -> float:
    """Wait before the next attempt after `failures` failed ones: 0, then 1, 2, 4 … s."""
    if failures < free_attempts:
        return 0.0
    return float(min(2 ** (failures - free_attempts), max_delay))


def check_login(db: Database, username: str, password: str, *, free_attempts: int = 3,
                max_delay: int = 300, now: float | None = None) -> User:
    """The user for these credentials; NotSignedIn or TooManyAttempts otherwise."""
    now = clock() if now is None else now
    row = db.query_one(
        "SELECT password_hash, failed_logins, locked_until FROM users"
        " WHERE username = ? AND active = 1",
        (username,),
    )
    if row and row["locked_until"] > now:
        wait = math.ceil(row["locked_until"] - now)
        raise TooManyAttempts(
            f"Te veel mislukte pogingen. Probeer het over {wait} seconden opnieuw.", wait)
    ok = verify_password(row["password_hash"] if row else None, password)
    if not ok:
        if row:
            with db.transaction() as conn:
                failures = row["failed_logins"] + 1
                conn.execute(
                    "UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                    (failures, now + backoff_seconds(failures, free_attempts, max_delay), username),
                )
                audit(conn, username, "login_failed")
        raise NotSignedIn("Gebruikersnaam of wachtwoord klopt niet.")
    with db.transaction() as conn:
        conn.execute(
            "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE username = ?", (username,)
        )
        if needs_rehash(row["password_hash"]):
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                         (hash_password(password), username))
        audit(conn, username, "login")
    user = get_user(db, username)
    assert user is not None
    return user
