"""The one mapping between a signal on the wire and its row in the `signals` table."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec

from ..areas.store import AreaCatalog
from ..timeutil import utc_text
from ..zgw.refs import signal_refs
from .models import Location, Signal, SignalCreate, SignalUpdate

Row = Mapping[str, Any]

# Wire fields a client sets and the columns that hold them: a location changes as a whole.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("category",),
    "subcategory": ("subcategory",),
    "description": ("description",),
    "urgency": ("urgency",),
    "source": ("source",),
    "location": ("lat", "lon", "accuracy_m", "location_method"),
    "observed_at": ("observed_at",),
    "status": ("status",),
    "contains_personal_data": ("contains_personal_data",),
    "attachments": ("attachments",),
    "follow_up_date": ("follow_up_date",),
    "assignee": ("assignee",),
    "assignment_note": ("assignment_note",),
    "related_to": ("related_to",),
}
CLIENT_COLUMNS: tuple[str, ...] = tuple(c for cols in FIELD_COLUMNS.values() for c in cols)
# Columns the server derives from the client's: areas from the location, UTC time for filters.
DERIVED_COLUMNS = ("kern_code", "wijk_code", "buurt_code", "outside_areas", "near_border",
                   "observed_utc")
# Every column of the signals table, in the order the writer inserts them.
ALL_COLUMNS = ("id", *CLIENT_COLUMNS, *DERIVED_COLUMNS, "version", "deleted", "device_id",
               "created_by", "created_at", "updated_at")


def _values(field: str, value: Any) -> tuple[Any, ...]:
    """A wire value as the values of its columns."""
    if field == "location":
        return (None, None, None, None) if value is None else (
            value.lat, value.lon, value.accuracy_m, value.method)
    if field == "observed_at" or field == "follow_up_date":
        return (value.isoformat() if value is not None else None,)
    if field == "attachments":
        return (json.dumps(value),)
    if field == "contains_personal_data":
        return (int(value),)
    if field == "related_to":
        return (str(value) if value is not None else None,)
    return (value,)


def sent_fields(patch: SignalUpdate) -> list[str]:
    """The fields present in a partial update."""
    return [f for f in patch.__struct_fields__ if getattr(patch, f) is not msgspec.UNSET]


def to_columns(data: SignalCreate | SignalUpdate, fields: Iterable[str]) -> dict[str, Any]:
    """The client columns of `fields` from a create or an update."""
    out: dict[str, Any] = {}
    for field in fields:
        out.update(zip(FIELD_COLUMNS[field], _values(field, getattr(data, field)), strict=True))
    return out


def create_columns(data: SignalCreate) -> dict[str, Any]:
    """Every client column of a create (`to_columns` of all fields, written out: the hot path
    of ingest). A missing `observed_at` is None here; the service sets it."""
    loc = data.location
    return {
        "category": data.category, "subcategory": data.subcategory,
        "description": data.description, "urgency": data.urgency, "source": data.source,
        "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
        "accuracy_m": loc.accuracy_m if loc else None,
        "location_method": loc.method if loc else None,
        "observed_at": data.observed_at.isoformat() if data.observed_at else None,
        "status": data.status, "contains_personal_data": int(data.contains_personal_data),
        "attachments": json.dumps(data.attachments) if data.attachments else "[]",
        "follow_up_date": data.follow_up_date.isoformat() if data.follow_up_date else None,
        "assignee": data.assignee, "assignment_note": data.assignment_note,
        "related_to": str(data.related_to) if data.related_to else None,
    }


def client_columns(row: Row) -> dict[str, Any]:
    """The client-set columns of a stored signal."""
    return {c: row[c] for c in CLIENT_COLUMNS}


def observed_utc(observed_at: str) -> str:
    """The fixed-width UTC text of an `observed_at` column (string order is time order)."""
    return utc_text(datetime.fromisoformat(observed_at))


def to_signal(row: Row, catalog: AreaCatalog, pending: Sequence[str] = (),
              attachments: list[str] | None = None) -> Signal:
    """A stored row as the wire model; `pending`: its photos whose bytes have not arrived
    (`attachments`: the row's photo list, when the caller has read it already)."""
    location = None
    if row["lat"] is not None:
        location = Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"],
                            method=row["location_method"] or "gps")
    follow_up = row["follow_up_date"]
    return Signal(
        id=uuid.UUID(row["id"]),
        category=row["category"],
        subcategory=row["subcategory"],
        description=row["description"],
        urgency=row["urgency"],
        source=row["source"],
        location=location,
        observed_at=datetime.fromisoformat(row["observed_at"]),
        status=row["status"],
        contains_personal_data=bool(row["contains_personal_data"]),
        attachments=attachments if attachments is not None else json.loads(row["attachments"]),
        pending_attachments=list(pending),
        follow_up_date=date.fromisoformat(follow_up) if follow_up else None,
        assignee=row["assignee"],
        assignment_note=row["assignment_note"],
        related_to=uuid.UUID(row["related_to"]) if row["related_to"] else None,
        kern=catalog.ref("kern", row["kern_code"]),
        wijk=catalog.ref("wijk", row["wijk_code"]),
        buurt=catalog.ref("buurt", row["buurt_code"]),
        outside_areas=bool(row["outside_areas"]),
        near_border=bool(row["near_border"]),
        version=row["version"],
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def photos(rows: Iterable[Row | None]) -> set[str]:
    """The photo hashes these rows refer to."""
    return {h for r in rows if r is not None and r["attachments"] != "[]"
            for h in json.loads(r["attachments"])}


def arrived(conn: sqlite3.Connection, hashes: set[str]) -> set[str]:
    """Which of these photos have arrived (their bytes are stored)."""
    found: set[str] = set()
    ordered = sorted(hashes)
    for start in range(0, len(ordered), 500):  # stay under SQLite's variable limit
        part = ordered[start:start + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT sha256 FROM attachments WHERE sha256 IN ({','.join('?' * len(part))})", part))
    return found


def to_signal_with(row: Row, catalog: AreaCatalog, arrived_photos: set[str]) -> Signal:
    """A row as the wire model, given which photos have arrived."""
    hashes = json.loads(row["attachments"]) if row["attachments"] != "[]" else []
    return to_signal(row, catalog, [h for h in hashes if h not in arrived_photos], hashes)


def to_signals(conn: sqlite3.Connection, rows: Sequence[Row], catalog: AreaCatalog) -> list[Signal]:
    """Rows as wire models; which photos are still on their way is one query for all of them,
    and so is their zaak in the case system (server/zgw)."""
    have = arrived(conn, photos(rows))
    out = [to_signal_with(r, catalog, have) for r in rows]
    zaken = signal_refs(conn, [r["id"] for r in rows])
    if zaken:
        for signal in out:
            signal.zaak = zaken.get(str(signal.id))
    return out
