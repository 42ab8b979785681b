"""Field-level merge of a change made on an older version of a signal.

A device that edits offline sends the fields it changed and the version it saw
(its base). Fields only the server changed since then stay, fields only the
device changed are taken, and where both changed a field the device's change,
being the later one in server order, wins and is reported as an overlap.

One exception: closing is not undone by arrival order. A status change based on a
version from before the signal was closed ("afgesloten"), by someone else since,
does not win: the signal stays afgesloten and the change is reported as lost (the
push result is `conflict` with the server's state and `lost: {"status": <the
device's value>}`, so the app can show both). Reopening a signal the device already
saw closed is a deliberate change and is taken like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .rows import FIELD_COLUMNS

Columns = Mapping[str, Any]
CLOSED = "afgesloten"


def _group(values: Columns, field: str) -> tuple:
    return tuple(values[c] for c in FIELD_COLUMNS[field])


def changed_fields(before: Columns, after: Columns) -> set[str]:
    """The wire fields whose columns differ between two versions."""
    return {f for f in FIELD_COLUMNS if _group(before, f) != _group(after, f)}


def closed_meanwhile(base: Columns | None, server: Columns, field: str) -> bool:
    """Whether `field` is the status of a signal closed by someone else after `base`."""
    return (field == "status" and base is not None and server["status"] == CLOSED
            and base["status"] != CLOSED)


def merge(base: Columns | None, server: Columns, client: Columns, sent: Iterable[str],
          others: set[str]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Three-way merge by field; returns the merged columns, the overlapping fields and,
    of those, the ones where the client's value lost (kept the server's).

    `base` holds the columns of the version the client saw (None: unknown, the
    client's sent fields simply win), `server` the current ones, `client` the
    client's intended state, `sent` the fields the client sent and `others` the
    fields someone else changed since the base.
    """
    merged = dict(server)
    both: list[str] = []
    lost: list[str] = []
    for field in sent:
        theirs = _group(client, field)
        if base is not None and _group(base, field) == theirs:
            continue  # sent, but not changed relative to what the client saw
        if field in others and _group(server, field) != theirs:
            both.append(field)
            if closed_meanwhile(base, server, field):
                lost.append(field)  # closed since the client's base: it stays closed
                continue
        for col in FIELD_COLUMNS[field]:
            merged[col] = client[col]
    return merged, sorted(both), sorted(lost)
