"""Checking a log-in: throttled with decay, alike for known and unknown names, hashing bounded.

One attempt runs in three steps: `admit` (is this attempt throttled? the stored hash),
the argon2 verification, and `conclude` (record the outcome in the throttle buckets and
the audit trail). `check_login` runs them in a row; `Logins` runs them from the event
loop with the verification in a small pool of its own, so a burst of log-ins (argon2
costs ~0.15 s of CPU each) queues there instead of taking the CPU from every other
request, and attempts beyond the queue are refused at once.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anyio import CapacityLimiter, to_thread

from ..audit import audit
from ..audit.denials import write_soon
from ..db import Database
from ..errors import NotSignedIn, TooManyAttempts
from ..sync.epoch import server_epoch
from ..users.models import User
from ..users.passwords import hash_password, needs_rehash, verify_password
from ..users.store import get_user
from .throttle import ThrottleLimits, record_failure, record_success, wait_seconds
from .tokens import current_generation

if TYPE_CHECKING:
    from ..signals.group_commit import GroupCommit

clock = time.time  # what a log-in calls "now" (tests replace it)

WRONG = "Gebruikersnaam of wachtwoord klopt niet."


def _throttled(wait: int) -> TooManyAttempts:
    return TooManyAttempts(
        f"Te veel mislukte pogingen. Probeer het over {wait} seconde{'' if wait == 1 else 'n'}"
        " opnieuw.", wait)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of the argon2 step."""

    ok: bool
    new_hash: str | None = None  # the password hashed again with today's parameters


@dataclass(frozen=True, slots=True)
class Success:
    user: User
    token_generation: int
    epoch: str  # the server epoch the token belongs to (a restore ends it)


def admit(db: Database, limits: ThrottleLimits, username: str, address: str,
          now: float) -> str | None:
    """The stored hash to verify against (None: no such active user); TooManyAttempts when
    this attempt must wait. The same for known and unknown names."""
    wait = wait_seconds(db.conn, limits, username, address, now)
    if wait:
        raise _throttled(wait)  # the caller writes it to the audit log (`audit_denied`)
    row = db.query_one("SELECT password_hash FROM users WHERE username = ? AND active = 1",
                       (username,))
    return row["password_hash"] if row else None


def verify(stored_hash: str | None, password: str) -> Verdict:
    """One argon2 verification, also when there is no user (against a dummy hash)."""
    ok = verify_password(stored_hash, password)
    if ok and stored_hash and needs_rehash(stored_hash):
        return Verdict(True, hash_password(password))
    return Verdict(ok)


def conclude(db: Database, limits: ThrottleLimits, username: str, address: str, verdict: Verdict,
             now: float) -> Success:
    """Record the outcome; the signed-in user, or NotSignedIn."""
    with db.transaction() as conn:
        if not verdict.ok:
            record_failure(conn, limits, username, address, now)
            audit_denied(conn, username)
        else:
            record_success(conn, limits, username, address)
            if verdict.new_hash:
                conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                             (verdict.new_hash, username))
            audit(conn, username, "login", username, "allowed")
            generation = current_generation(conn, username)
            epoch = server_epoch(conn)
    if not verdict.ok:
        raise NotSignedIn(WRONG)
    user = get_user(db, username)
    if user is None:  # disabled between the two steps
        raise NotSignedIn(WRONG)
    return Success(user, generation, epoch)


def audit_denied(conn: sqlite3.Connection, username: str) -> None:
    """A refused log-in in the audit log (inside the caller's transaction). An unknown name is
    not written down: people type their password there by mistake."""
    known = conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
    audit(conn, None, "login", username if known else None, "denied")


def check_login(db: Database, username: str, password: str, address: str = "local", *,
                limits: ThrottleLimits | None = None, now: float | None = None) -> Success:
    """The whole log-in in the calling thread (the API uses `Logins`)."""
    limits = limits or ThrottleLimits()
    now = clock() if now is None else now
    try:
        stored = admit(db, limits, username, address, now)
    except TooManyAttempts:
        with db.transaction() as conn:
            audit_denied(conn, username)
        raise
    return conclude(db, limits, username, address, verify(stored, password), now)


class Logins:
    """Log-ins from the event loop: at most `hashing` verifications at once, `waiting` queued."""

    def __init__(self, db: Database, limits: ThrottleLimits | None = None, *, hashing: int = 1,
                 waiting: int = 4, writes: GroupCommit | None = None):
        self.db = db
        # Throttled attempts cost no hashing, so they can come fast: their audit entries ride
        # on the signal writer's group commits instead of one synchronous commit each.
        self.writes = writes
        self.limits = limits or ThrottleLimits()
        self._pool = CapacityLimiter(hashing)
        self._room = hashing + waiting
        self._busy = 0  # attempts between admission and conclusion (one event loop: no lock)

    async def log_in(self, username: str, password: str, address: str) -> Success:
        if self._busy >= self._room:
            # Refused before any work, and not counted as a failure: nothing was checked.
            raise TooManyAttempts("Er wordt nu veel ingelogd. Probeer het over 1 seconde opnieuw.", 1)
        self._busy += 1
        try:
            now = clock()
            try:
                stored = await to_thread.run_sync(admit, self.db, self.limits, username, address, now)
            except TooManyAttempts:
                self._audit_throttled(username)
                raise
            verdict = await to_thread.run_sync(verify, stored, password, limiter=self._pool)
            return await to_thread.run_sync(conclude, self.db, self.limits, username, address,
                                            verdict, clock())
        finally:
            self._busy -= 1

    def _audit_throttled(self, username: str) -> None:
        write_soon(self.db, self.writes, lambda conn: audit_denied(conn, username))
