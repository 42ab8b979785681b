"""An account's life after it was added: a new password, disabled, enabled.

A new password and disabling both bump the user's token generation, so every token
issued before ends at once (auth/tokens.py); enabling does not bring old tokens back.
Each change is written to the audit trail by whoever made it (`by`).
"""

from __future__ import annotations

from ..audit import audit
from ..db import Database
from .passwords import WeakPassword, check_password, hash_password
from .store import UserError

#: Who changes accounts from the command line (the operating-system user is not known here).
COMMAND_LINE = "systeem:opdrachtregel"


def _change(db: Database, username: str, action: str, sql: str, params: tuple, by: str) -> None:
    with db.transaction() as conn:
        found = conn.execute(sql, (*params, username)).rowcount == 1
        audit(conn, by, action, username, "allowed" if found else "failed")
    if not found:
        raise UserError(f"gebruiker {username!r} bestaat niet")


def set_password(db: Database, username: str, password: str, *, by: str = COMMAND_LINE) -> None:
    """A new password; the user's tokens end."""
    try:
        check_password(password)
    except WeakPassword as e:
        raise UserError(str(e)) from None
    _change(db, username, "user_password",
            "UPDATE users SET password_hash = ?, token_generation = token_generation + 1"
            " WHERE username = ?", (hash_password(password),), by)


def disable(db: Database, username: str, *, by: str = COMMAND_LINE) -> None:
    """The user can no longer log in, and their tokens end at once."""
    _change(db, username, "user_disable",
            "UPDATE users SET active = 0, token_generation = token_generation + 1"
            " WHERE username = ?", (), by)


def enable(db: Database, username: str, *, by: str = COMMAND_LINE) -> None:
    """The user can log in again (with the password they had); old tokens stay ended."""
    _change(db, username, "user_enable", "UPDATE users SET active = 1 WHERE username = ?", (), by)
