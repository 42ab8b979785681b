"""Pulling changes in commit order from an opaque cursor."""

from __future__ import annotations

import base64
import binascii

from ..areas.store import AreaCatalog
from ..db import Database
from ..errors import Unreadable
from ..signals.access import scope_clause
from ..signals.rows import arrived, photos, to_signal_with
from ..users.models import User
from .epoch import server_epoch
from .models import Change, PullResponse


def encode_cursor(epoch: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{epoch}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, epoch: str) -> int:
    """The change-log position of a cursor; 0 (the start) for none or another epoch."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        cursor_epoch, seq = text.rsplit(":", 1)
        position = int(seq)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unreadable("cursor", "onbekende cursor; begin zonder cursor opnieuw") from None
    # After a restore the log may have gone back in time: start again from the beginning.
    return position if cursor_epoch == epoch else 0


def pull(db: Database, catalog: AreaCatalog, user: User, cursor: str | None,
         limit: int) -> PullResponse:
    """Changes after `cursor` that this user may see, oldest first, one entry per signal."""
    conn = db.conn
    conn.execute("BEGIN")  # one snapshot for the epoch and the page
    try:
        epoch = server_epoch(conn)
        after = decode_cursor(cursor, epoch)
        clause, params = scope_clause(user, "s")
        rows = conn.execute(
            f"SELECT c.seq AS change_seq, s.* FROM changes c JOIN signals s ON s.id = c.signal_id"
            f" WHERE c.seq > ? AND {clause} ORDER BY c.seq LIMIT ?",
            (after, *params, limit + 1)).fetchall()
        last_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    finally:
        conn.execute("COMMIT")
    has_more = len(rows) > limit
    page = rows[:limit]
    # A signal changed several times in this page is sent once, at its last change.
    last_at = {r["id"]: i for i, r in enumerate(page)}
    latest = [r for i, r in enumerate(page) if last_at[r["id"]] == i]
    have = arrived(conn, photos(r for r in latest if not r["deleted"]))
    changes = [Change(deleted=r["id"], version=r["version"]) if r["deleted"]
               else Change(signal=to_signal_with(r, catalog, have)) for r in latest]
    # Past the last visible change when the page is complete: skip invisible tails too.
    position = page[-1]["change_seq"] if has_more else max(after, last_seq)
    return PullResponse(server_epoch=epoch, changes=changes,
                        cursor=encode_cursor(epoch, position), has_more=has_more)
