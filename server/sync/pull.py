"""Pulling changes in commit order from an opaque cursor, and what a phone must drop.

A phone keeps copies of signals; when a signal leaves the user's scope the pull
sends `{"deleted": id, "version": v}` for it, so no copy outlives access:
- deleted: its tombstone keeps its areas, so whoever saw it gets the deletion;
- moved out of the user's areas (an edit of its location, an area import): the
  change that moved it has a `signal_left_areas` row (written by a trigger) with
  the areas it left; a user who could see it there gets a removal;
- handed to someone else, or to nobody: the same row names the assignee the change
  took it from, so the former assignee gets a removal too, unless they still see it
  otherwise (their areas, or they made it);
- the user's own scope changed (areas, all areas): the cursor names the scope
  generation it was made under (users/scopes.py). A pull with an older one first
  sends removals for every signal visible under that scope but not under the new
  one, paged by signal id; when the new scope may show more, it then pulls again
  from the start, so the phone also gets what it never had. A cursor of another
  user starts from the start.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from dataclasses import dataclass, replace

from ..areas.store import AreaCatalog
from ..db import Database
from ..errors import Unreadable
from ..signals.access import log_personal_reads, may_see, scope_clause, sees_all
from ..signals.rows import arrived, photos, to_signal_with
from ..users.models import User
from ..users.scopes import scope_at, scope_generation
from .epoch import server_epoch
from .models import Change, PullResponse


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a phone is: a change-log position under a scope generation; while removals for
    a change of scope are being sent, the generation they lead to and the last signal id."""

    epoch: str
    seq: int
    username: str
    generation: int
    target: int | None = None
    after_id: str = ""


def encode_cursor(c: Cursor) -> str:
    parts = [c.epoch, str(c.seq), c.username, str(c.generation)]
    if c.target is not None:
        parts += [str(c.target), c.after_id]
    return base64.urlsafe_b64encode(":".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, epoch: str, user: User) -> Cursor | None:
    """The cursor as sent; None for none, another epoch (after a restore the log may have
    gone back in time) or another user: those start from the beginning."""
    if not cursor:
        return None
    try:
        parts = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        if len(parts) == 2:  # made before scope generations: generation 1 of this user
            parts += [user.username, "1"]
        if len(parts) not in (4, 6):
            raise ValueError
        found = Cursor(parts[0], int(parts[1]), parts[2], int(parts[3]),
                       int(parts[4]) if len(parts) == 6 else None,
                       parts[5] if len(parts) == 6 else "")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unreadable("cursor", "onbekende cursor; begin zonder cursor opnieuw") from None
    if found.epoch != epoch or found.username != user.username or found.seq < 0:
        return None
    return found


def _covers(wide: User, narrow: User) -> bool:
    """Whether every signal `narrow` may see, `wide` may see too (same user, two scopes)."""
    return sees_all(wide) or (not sees_all(narrow) and set(narrow.areas) <= set(wide.areas))


def pull(db: Database, catalog: AreaCatalog, user: User, cursor: str | None,
         limit: int) -> PullResponse:
    """Changes after `cursor` that this user may see, oldest first, one entry per signal,
    with removals for signals that left their scope."""
    conn = db.conn
    conn.execute("BEGIN")  # one snapshot for the epoch, the scope and the page
    try:
        epoch = server_epoch(conn)
        generation = scope_generation(conn, user.username)
        at = decode_cursor(cursor, epoch, user) or Cursor(epoch, 0, user.username, generation)
        if at.generation != generation and at.target != generation:
            at = _rescope(conn, user, at, generation)
        if at.target is not None:
            response, sent = _removals(conn, user, at, limit)
        else:
            response, sent = _changes(conn, catalog, user, at, limit)
    finally:
        conn.execute("COMMIT")
    log_personal_reads(db, user, sent)
    return response


def _rescope(conn: sqlite3.Connection, user: User, at: Cursor, generation: int) -> Cursor:
    """The cursor's scope is not the user's: plan removals, or a pull from the start."""
    before = scope_at(conn, user.username, at.generation)
    if before is None:  # unknown generation: the phone cannot be trusted to hold anything
        return Cursor(at.epoch, 0, user.username, generation)
    if _covers(user, before):  # nothing to drop
        return Cursor(at.epoch, at.seq if _covers(before, user) else 0, user.username, generation)
    return replace(at, target=generation, after_id="")


def _removals(conn: sqlite3.Connection, user: User, at: Cursor,
              limit: int) -> tuple[PullResponse, list[sqlite3.Row]]:
    """One page of removals: signals visible under the cursor's scope but not the user's."""
    before = scope_at(conn, user.username, at.generation)
    assert before is not None
    was, was_params = scope_clause(before)
    now, now_params = scope_clause(user)
    rows = conn.execute(
        f"SELECT id, version FROM signals WHERE id > ? AND {was} AND NOT {now}"
        " ORDER BY id LIMIT ?", (at.after_id, *was_params, *now_params, limit + 1)).fetchall()
    page = rows[:limit]
    changes = [Change(deleted=r["id"], version=r["version"]) for r in page]
    if len(rows) > limit:
        following = replace(at, after_id=page[-1]["id"])
    else:  # done: from now on the new scope; pull it all again when it may show more
        assert at.target is not None
        following = Cursor(at.epoch, at.seq if _covers(before, user) else 0, user.username,
                           at.target)
    return PullResponse(server_epoch=at.epoch, changes=changes,
                        cursor=encode_cursor(following), has_more=True), []


def _changes(conn: sqlite3.Connection, catalog: AreaCatalog, user: User, at: Cursor,
             limit: int) -> tuple[PullResponse, list[sqlite3.Row]]:
    """One page of the change log after the cursor: the signals the user may see, and a
    removal for each that left the areas where they could see it."""
    clause, params = scope_clause(user, "s")
    left, left_params = scope_clause(user, "l", owner="s.created_by")
    rows = conn.execute(
        "SELECT c.seq AS change_seq, s.* FROM changes c JOIN signals s ON s.id = c.signal_id"
        " LEFT JOIN signal_left_areas l ON l.signal_id = c.signal_id AND l.version = c.version"
        f" WHERE c.seq > ? AND ({clause} OR (l.signal_id IS NOT NULL AND {left}))"
        " ORDER BY c.seq LIMIT ?", (at.seq, *params, *left_params, limit + 1)).fetchall()
    last_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    has_more = len(rows) > limit
    page = rows[:limit]
    # A signal changed several times in this page is sent once, at its last change.
    last_at = {r["id"]: i for i, r in enumerate(page)}
    latest = [r for i, r in enumerate(page) if last_at[r["id"]] == i]
    shown = [r for r in latest if not r["deleted"] and may_see(user, r)]
    have = arrived(conn, photos(shown))
    visible = {r["id"] for r in shown}
    changes = [Change(signal=to_signal_with(r, catalog, have)) if r["id"] in visible
               else Change(deleted=r["id"], version=r["version"]) for r in latest]
    # Past the last visible change when the page is complete: skip invisible tails too.
    position = page[-1]["change_seq"] if has_more else max(at.seq, last_seq)
    return PullResponse(server_epoch=at.epoch, changes=changes,
                        cursor=encode_cursor(replace(at, seq=position)), has_more=has_more), shown
