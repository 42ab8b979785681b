"""Settings of the Open311 read side, kept by the beheerder in the database.

Stored as JSON under the key `open311_config` of the `meta` table (one small document,
read per request: no migration needed, included in every backup with the rest of the
database, and changed while the server runs without a restart). `GET/PUT
/api/v1/export/open311/config` read and replace it; a change is in the audit log.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

import msgspec
from msgspec import Meta

from ..audit import audit
from ..db import Database
from ..validation import Text
from .rounding import DEFAULT_GRID_M

KEY = "open311_config"


class Open311Config(msgspec.Struct, forbid_unknown_fields=True):
    """What Open311 consumers get to see."""

    #: Send each signal's description (never of a signal marked as holding personal data,
    #: those are not published at all). Off by default: a description is free text.
    include_descriptions: bool = False
    #: Grid cell (metres, RD New) each location is moved to the centre of; also used by
    #: pseudonymised CSV/GeoJSON exports.
    location_rounding_m: Annotated[int, Meta(ge=10, le=10_000)] = DEFAULT_GRID_M
    #: `agency_responsible` of every request.
    agency_responsible: Annotated[Text, Meta(min_length=1, max_length=200)] = "Gemeente Noordoostpolder"


def load_config(conn: sqlite3.Connection) -> Open311Config:
    """The stored settings, or the defaults."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    return msgspec.json.decode(row[0], type=Open311Config) if row else Open311Config()


def save_config(db: Database, username: str, config: Open311Config) -> Open311Config:
    """Replace the settings (and log who did), in one transaction."""
    def job(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                     " SET value = excluded.value", (KEY, msgspec.json.encode(config).decode()))
        audit(conn, username, "open311_config", KEY)

    db.write(job)
    return config
