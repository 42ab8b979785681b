"""Removing a signal's personal data, and the photos nobody needs any more.

Used by the retention rules (server/retention) and by an erasure request (erase.py).
Blanking a signal:
- its description becomes a fixed marker (it says why, never what was there), and the
  note of its hand-over (free text too) goes; the old description also leaves the search
  index's data (signals/search.py), not only its answers;
- its location is generalised to its areas: the coordinates, accuracy and method go,
  the kern, wijk and buurt stay (statistics per area keep counting it);
- its photos go from the signal, and from disk when no other signal uses them;
- its version snapshots are deleted (they hold the old text); the change log holds no
  content (who, when, which version), so it stays;
- its version goes up with a change-log entry, so every phone pulls the blanked version.

This is the one writer of signal content besides the signal service: it writes no
snapshot on purpose (a snapshot would keep what is being removed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..attachments.store import path_for
from ..signals.search import forget_removed_text

#: The description of a signal whose personal data went because its term passed.
RETENTION_MARKER = "[Verwijderd: de bewaartermijn van de persoonsgegevens is verstreken.]"
#: The description of a signal whose personal data went at a resident's request.
ERASURE_MARKER = "[Verwijderd op verzoek van de betrokkene (AVG artikel 17).]"
MARKERS = (RETENTION_MARKER, ERASURE_MARKER)
#: SQL condition on `signals`: its personal data is gone already (a marker for description,
#: no location, no photos, no snapshot left). Its parameters are `MARKERS`.
BLANKED = ("description IN (?, ?) AND assignment_note IS NULL AND lat IS NULL"
           " AND attachments = '[]' AND NOT EXISTS"
           " (SELECT 1 FROM signal_versions v WHERE v.signal_id = signals.id)")

_INSERT_CHANGE = ("INSERT INTO changes (signal_id, version, op, changed_by, device_id, changed_at)"
                  " VALUES (?, ?, ?, ?, NULL, ?)")


def chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def photos_of(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """The photos (sha256) the signals and their snapshots refer to."""
    found: set[str] = set()
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for (text,) in conn.execute(f"SELECT attachments FROM signals WHERE id IN ({marks})", part):
            found.update(json.loads(text or "[]"))
        for (data,) in conn.execute(
                f"SELECT data FROM signal_versions WHERE signal_id IN ({marks})", part):
            found.update(json.loads(json.loads(data).get("attachments") or "[]"))
    return found


def blank(conn: sqlite3.Connection, ids: Sequence[str], marker: str, by: str,
          stamp: str) -> set[str]:
    """Blank these live signals (see the module); returns the photos they referred to."""
    photos = photos_of(conn, ids)
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM signal_versions WHERE signal_id IN ({marks})", part)
        conn.execute(
            "UPDATE signals SET description = ?, assignment_note = NULL, lat = NULL, lon = NULL,"
            " accuracy_m = NULL,"
            " location_method = NULL, attachments = '[]', version = version + 1,"
            f" device_id = NULL, updated_at = ? WHERE id IN ({marks}) AND deleted = 0",
            (marker, stamp, *part))
        conn.executemany(_INSERT_CHANGE, [
            (r[0], r[1], "update", by, stamp) for r in conn.execute(
                f"SELECT id, version FROM signals WHERE id IN ({marks}) AND deleted = 0", part)])
    if ids:  # the old descriptions out of the search index's data too
        forget_removed_text(conn)
    return photos


def unused_photos(conn: sqlite3.Connection, candidates: set[str],
                  ignoring: Iterable[str] = ()) -> set[str]:
    """Of these photos, the ones no signal and no snapshot refers to any more (not counting
    the signals `ignoring`: a dry run's view of what blanking them would leave)."""
    if not candidates:
        return set()
    skip = set(ignoring)
    used: set[str] = set()
    for signal_id, text in conn.execute(
            "SELECT id, attachments FROM signals WHERE attachments != '[]'"):
        if signal_id not in skip:
            used.update(candidates.intersection(json.loads(text)))
    # One JSON read per snapshot, not one text search per snapshot and candidate: the daily
    # run's candidates include every photo older than a year, inside the write transaction.
    for signal_id, text in conn.execute(
            "SELECT signal_id, json_extract(data, '$.attachments') FROM signal_versions"):
        if signal_id not in skip and text and text != "[]":
            used.update(candidates.intersection(json.loads(text)))
    return candidates - used


def forget_photos(conn: sqlite3.Connection, shas: Iterable[str]) -> list[str]:
    """Delete the records of these photos (inside the transaction); returns those that
    existed. Remove their files with `delete_files` after the COMMIT."""
    gone = []
    for sha in sorted(shas):
        if conn.execute("DELETE FROM attachments WHERE sha256 = ?", (sha,)).rowcount:
            gone.append(sha)
    return gone


def delete_files(root: Path, shas: Iterable[str]) -> None:
    """Remove photo files (after the COMMIT that forgot them: a rollback keeps them)."""
    for sha in shas:
        path_for(root, sha).unlink(missing_ok=True)
