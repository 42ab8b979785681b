"""Log-in throttling: leaky buckets of failed attempts that drain over time.

Every failed log-in pours one unit into three buckets: the username, the client address,
and the pair of both. Each bucket drains at a steady rate, so failures are forgotten
without anyone resetting them. An attempt waits (429 with Retry-After) when

- its pair is full: one address guessing one name (the tight limit);
- its address is full: one address guessing many names (password spraying);
- its username is full *and* the attempt comes from an address that failed for this
  name itself (pair not empty). Guesses from elsewhere thus never lock out the real
  user, who signs in from an address that has not been failing for their name.

Known and unknown usernames are counted alike, so the answers never tell them apart.

The buckets live in SQLite (table `login_throttle`), not in the process: a failed log-in
is written anyway (the audit trail), one more row in that transaction costs next to
nothing, and a restart of the server does not empty the buckets.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Bucket:
    """How many failures a bucket holds and how fast one drains away."""

    capacity: float
    drain_seconds: float

    def drained(self, level: float, since: float, now: float) -> float:
        return max(0.0, level - max(0.0, now - since) / self.drain_seconds)

    def wait_below(self, level: float, target: float) -> float:
        """Seconds until the level has drained below `target`."""
        return max(0.0, (level - target) * self.drain_seconds)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    #: One address guessing one name: 5 tries, then one a minute.
    pair: Bucket = field(default_factory=lambda: Bucket(5, 60))
    #: One address over all names (an office behind one NAT address shares it): 30, then 3 a minute.
    address: Bucket = field(default_factory=lambda: Bucket(30, 20))
    #: One name over all addresses: 10, then one a minute, only for addresses failing for it.
    username: Bucket = field(default_factory=lambda: Bucket(10, 60))
    #: Key for the names in the table (the server's signing key, kept outside the database).
    pepper: bytes = b""


def _keys(limits: ThrottleLimits, username: str, address: str) -> dict[str, str]:
    # People type their password into the name field: the table (and so a backup) keeps only
    # a keyed hash of what was typed there, never the text.
    name = hmac.new(limits.pepper or b"gebiedsradar", username.encode(), hashlib.sha256).hexdigest()[:32]
    return {"pair": f"pair:{address}|{name}", "address": f"addr:{address}", "username": f"user:{name}"}


def _levels(conn: sqlite3.Connection, limits: ThrottleLimits, keys: dict[str, str],
            now: float) -> dict[str, float]:
    rows = conn.execute(
        "SELECT key, level, updated_at FROM login_throttle WHERE key IN (?, ?, ?)",
        tuple(keys.values())).fetchall()
    stored = {r["key"]: (r["level"], r["updated_at"]) for r in rows}
    levels = {}
    for kind, key in keys.items():
        level, since = stored.get(key, (0.0, now))
        levels[kind] = getattr(limits, kind).drained(level, since, now)
    return levels


def wait_seconds(conn: sqlite3.Connection, limits: ThrottleLimits, username: str, address: str,
                 now: float) -> int:
    """Whole seconds this attempt must wait before it is checked; 0: check it now."""
    levels = _levels(conn, limits, _keys(limits, username, address), now)
    waits = [0.0]
    for kind in ("pair", "address"):
        bucket: Bucket = getattr(limits, kind)
        if levels[kind] > bucket.capacity - 1 + 1e-9:
            waits.append(bucket.wait_below(levels[kind], bucket.capacity - 1))
    if levels["username"] > limits.username.capacity - 1 + 1e-9 and levels["pair"] > 1e-9:
        # Either the name calms down, or this address stops being one that failed for it.
        waits.append(min(limits.username.wait_below(levels["username"], limits.username.capacity - 1),
                         limits.pair.wait_below(levels["pair"], 0)))
    wait = max(waits)
    return math.ceil(wait) if wait > 0 else 0


def record_failure(conn: sqlite3.Connection, limits: ThrottleLimits, username: str, address: str,
                   now: float) -> None:
    """Pour one failure into the three buckets (inside the caller's transaction)."""
    keys = _keys(limits, username, address)
    levels = _levels(conn, limits, keys, now)
    rows = []
    for kind, key in keys.items():
        level = levels[kind] + 1
        rows.append((key, level, now, now + level * getattr(limits, kind).drain_seconds))
    conn.executemany("INSERT OR REPLACE INTO login_throttle (key, level, updated_at, empty_at)"
                     " VALUES (?, ?, ?, ?)", rows)
    # Rows that have drained completely carry nothing: the table holds only live buckets.
    conn.execute("DELETE FROM login_throttle WHERE empty_at < ?", (now,))


def record_success(conn: sqlite3.Connection, limits: ThrottleLimits, username: str, address: str) -> None:
    """The right password from this address: its own failures for this name are forgiven.

    The address and username buckets stay: someone with one valid account must not be able
    to empty them between guesses at others.
    """
    conn.execute("DELETE FROM login_throttle WHERE key = ?", (_keys(limits, username, address)["pair"],))

