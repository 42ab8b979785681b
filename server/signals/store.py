"""Signals in SQLite: every write is one transaction with its change-log entry."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec

from ..areas.store import AreaCatalog
from ..audit import audit
from ..categories.store import category_parents
from ..db import Database
from ..problems import ProblemError, field_error
from ..timeutil import now, utc_text
from ..users.models import User
from .models import Location, Signal, SignalCreate, SignalPage, SignalUpdate

DELETERS = ("teamleider", "beheerder")
# Columns a client sets; the rest are the server's.
CLIENT_COLUMNS = ("category", "subcategory", "description", "urgency", "source", "lat", "lon",
                  "accuracy_m", "location_method", "observed_at", "status",
                  "contains_personal_data", "attachments", "follow_up_date")


@dataclass(frozen=True, slots=True)
class SignalFilter:
    area: str | None = None
    category: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def scope_clause(user: User, table: str = "") -> tuple[str, list[Any]]:
    """SQL that limits rows to what this user may see: their areas and their own signals."""
    if user.role == "beheerder" or not user.areas:
        return "1", []
    t = f"{table}." if table else ""
    marks = ",".join("?" * len(user.areas))
    clause = (f"({t}kern_code IN ({marks}) OR {t}wijk_code IN ({marks})"
              f" OR {t}buurt_code IN ({marks}) OR {t}created_by = ?)")
    return clause, [*user.areas, *user.areas, *user.areas, user.username]


def check_category(db: Database, category: str, subcategory: str | None,
                   parents: dict[str, str | None] | None = None) -> None:
    """A 422 problem unless the (sub)category is on the managed list."""
    parents = parents if parents is not None else category_parents(db)
    if parents.get(category, "missing") is not None:
        raise field_error(422, "category", f"onbekende categorie '{category}'")
    if subcategory is not None and parents.get(subcategory) != category:
        raise field_error(422, "subcategory",
                          f"'{subcategory}' is geen subcategorie van '{category}'")


def _columns(catalog: AreaCatalog, values: dict[str, Any]) -> dict[str, Any]:
    """Derived columns: areas from the location, UTC time for filtering."""
    if values["lat"] is not None:
        codes, near = catalog.assign(values["lat"], values["lon"], values["accuracy_m"])
    else:
        codes, near = {"kern": None, "wijk": None, "buurt": None}, False
    values["kern_code"], values["wijk_code"], values["buurt_code"] = (
        codes["kern"], codes["wijk"], codes["buurt"])
    values["outside_areas"] = int(values["lat"] is not None and not any(codes.values()))
    values["near_border"] = int(near)
    values["observed_utc"] = utc_text(datetime.fromisoformat(values["observed_at"]))
    return values


def client_values(data: SignalCreate) -> dict[str, Any]:
    """Wire fields → the client-set columns."""
    loc = data.location
    return {
        "category": data.category,
        "subcategory": data.subcategory,
        "description": data.description,
        "urgency": data.urgency,
        "source": data.source,
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "accuracy_m": loc.accuracy_m if loc else None,
        "location_method": loc.method if loc else None,
        "observed_at": (data.observed_at or now()).isoformat(),
        "status": data.status,
        "contains_personal_data": int(data.contains_personal_data),
        "attachments": json.dumps(data.attachments),
        "follow_up_date": data.follow_up_date.isoformat() if data.follow_up_date else None,
    }


def _log_change(conn: sqlite3.Connection, signal_id: str, version: int, op: str,
                user: User, at: str, values: dict[str, Any] | None = None) -> None:
    """Change log entry (what sync pulls), version snapshot (the base of merges), audit."""
    conn.execute(
        "INSERT INTO changes (signal_id, version, op, changed_by, changed_at) VALUES (?,?,?,?,?)",
        (signal_id, version, op, user.username, at),
    )
    if values is not None:
        conn.execute("INSERT OR REPLACE INTO signal_versions (signal_id, version, data)"
                     " VALUES (?, ?, ?)",
                     (signal_id, version, json.dumps({c: values[c] for c in CLIENT_COLUMNS})))
    audit(conn, user.username, f"signal_{op}", signal_id)


def client_columns(row: sqlite3.Row) -> dict[str, Any]:
    """The client-set columns of a stored signal."""
    return {c: row[c] for c in CLIENT_COLUMNS}


def version_snapshot(conn: sqlite3.Connection, signal_id: str, version: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT data FROM signal_versions WHERE signal_id = ? AND version = ?",
                       (signal_id, version)).fetchone()
    return json.loads(row[0]) if row else None


def insert_row(conn: sqlite3.Connection, catalog: AreaCatalog, signal_id: str,
               client: dict[str, Any], user: User) -> dict[str, Any]:
    """Insert a new signal (version 1) inside the caller's transaction."""
    at = now().isoformat()
    row = {**_columns(catalog, dict(client)), "id": signal_id, "version": 1, "deleted": 0,
           "created_by": user.username, "created_at": at, "updated_at": at}
    conn.execute(f"INSERT INTO signals ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                 tuple(row.values()))
    _log_change(conn, signal_id, 1, "create", user, at, row)
    return row  # the stored row, without reading it back


def update_row(conn: sqlite3.Connection, catalog: AreaCatalog, row: sqlite3.Row,
               client: dict[str, Any], user: User) -> sqlite3.Row:
    """Store new client values for a signal (version + 1) inside the caller's transaction."""
    at = now().isoformat()
    values = _columns(catalog, dict(client))
    version = row["version"] + 1
    sets = ", ".join(f"{c} = ?" for c in values)
    conn.execute(f"UPDATE signals SET {sets}, version = ?, updated_at = ? WHERE id = ?",
                 (*values.values(), version, at, row["id"]))
    _log_change(conn, row["id"], version, "update", user, at, values)
    return conn.execute("SELECT * FROM signals WHERE id = ?", (row["id"],)).fetchone()


def tombstone_row(conn: sqlite3.Connection, row: sqlite3.Row, user: User) -> int:
    """Delete a signal's content, keep its id and a new version; returns that version."""
    at = now().isoformat()
    version = row["version"] + 1
    # The content goes (AVG: nothing kept that is no longer needed); the id stays for sync.
    conn.execute(
        "UPDATE signals SET deleted = 1, version = ?, updated_at = ?, description = '',"
        " attachments = '[]', lat = NULL, lon = NULL, accuracy_m = NULL WHERE id = ?",
        (version, at, row["id"]))
    conn.execute("DELETE FROM signal_versions WHERE signal_id = ?", (row["id"],))
    _log_change(conn, row["id"], version, "delete", user, at)
    return version


def create_from_row(row: sqlite3.Row) -> SignalCreate:
    """A stored signal's client fields as a SignalCreate (the start of an update)."""
    loc = None
    if row["lat"] is not None:
        loc = Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"],
                       method=row["location_method"] or "gps")
    return SignalCreate(
        id=uuid.UUID(row["id"]), category=row["category"], subcategory=row["subcategory"],
        description=row["description"], urgency=row["urgency"], source=row["source"],
        location=loc, observed_at=datetime.fromisoformat(row["observed_at"]),
        status=row["status"], contains_personal_data=bool(row["contains_personal_data"]),
        attachments=json.loads(row["attachments"]),
        follow_up_date=date.fromisoformat(row["follow_up_date"]) if row["follow_up_date"] else None)


def apply_patch(base: SignalCreate, patch: SignalUpdate) -> SignalCreate:
    """`base` with the fields present in `patch`; a changed category drops a stale subcategory."""
    merged = msgspec.structs.replace(base)
    changes = {f: getattr(patch, f) for f in patch.__struct_fields__
               if getattr(patch, f) is not msgspec.UNSET}
    for name, value in changes.items():
        setattr(merged, name, value)
    if "category" in changes and "subcategory" not in changes:
        merged.subcategory = None  # a subcategory never outlives its category
    return merged


def _pending(catalog: AreaCatalog, hashes: list[str]) -> list[str]:
    if not hashes:
        return []
    marks = ",".join("?" * len(hashes))
    arrived = {r[0] for r in catalog.db.query(
        f"SELECT sha256 FROM attachments WHERE sha256 IN ({marks})", hashes)}
    return [h for h in hashes if h not in arrived]


def to_signal(row: sqlite3.Row, catalog: AreaCatalog) -> Signal:
    """A stored row as the wire model (photos not yet uploaded listed as pending)."""
    location = None
    if row["lat"] is not None:
        location = Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"],
                            method=row["location_method"] or "gps")
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
        attachments=(attachments := json.loads(row["attachments"])),
        pending_attachments=_pending(catalog, attachments),
        follow_up_date=date.fromisoformat(row["follow_up_date"]) if row["follow_up_date"] else None,
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


def create_signal(db: Database, catalog: AreaCatalog, data: SignalCreate,
                  user: User) -> tuple[Signal, bool]:
    """Store a new signal; returns it and whether it was new.

    Sending the same signal again (same id, same content, same user) is a safe
    retry and returns the stored one; the same id with other content is a 409.
    """
    check_category(db, data.category, data.subcategory)
    signal_id = str(data.id or uuid.uuid4())
    values = client_values(data)
    with db.transaction() as conn:
        existing = conn.execute("SELECT * FROM signals WHERE id = ?", (signal_id,)).fetchone()
        if existing is not None:
            same = existing["created_by"] == user.username and not existing["deleted"] and all(
                existing[c] == values[c] for c in CLIENT_COLUMNS)
            if not same:
                raise ProblemError(409, f"Er bestaat al een signaal met id {signal_id}.")
            return to_signal(existing, catalog), False
        stored = insert_row(conn, catalog, signal_id, values, user)
    return to_signal(stored, catalog), True


def visible_row(conn: sqlite3.Connection, signal_id: str, user: User) -> sqlite3.Row:
    clause, params = scope_clause(user)
    row = conn.execute(
        f"SELECT * FROM signals WHERE id = ? AND deleted = 0 AND {clause}", (signal_id, *params)
    ).fetchone()
    if row is None:
        raise ProblemError(404, f"Signaal {signal_id} bestaat niet of u mag het niet zien.")
    return row


def _check_version(row: sqlite3.Row, if_match: int | None) -> None:
    if if_match is not None and row["version"] != if_match:
        raise ProblemError(412, f"Het signaal is intussen gewijzigd: versie {row['version']},"
                                f" niet {if_match}. Haal het opnieuw op.")


def audit_personal_reads(db: Database, user: User, rows: list[sqlite3.Row]) -> None:
    """AVG: who read a signal about a resident is logged, one entry per signal."""
    personal = [r["id"] for r in rows if r["contains_personal_data"]]
    if personal:
        with db.transaction() as conn:
            for signal_id in personal:
                audit(conn, user.username, "signal_read_personal", signal_id)


def get_signal(db: Database, catalog: AreaCatalog, signal_id: str, user: User) -> Signal:
    row = visible_row(db.conn, signal_id, user)
    audit_personal_reads(db, user, [row])
    return to_signal(row, catalog)


def filter_clause(flt: SignalFilter) -> tuple[str, list[Any]]:
    """SQL for the filters the list and the statistics share (live signals only)."""
    where, params = ["deleted = 0"], []
    if flt.area:
        where.append("(kern_code = ? OR wijk_code = ? OR buurt_code = ?)")
        params += [flt.area] * 3
    if flt.category:
        where.append("(category = ? OR subcategory = ?)")
        params += [flt.category] * 2
    if flt.status:
        where.append("status = ?")
        params.append(flt.status)
    if flt.since:
        where.append("observed_utc >= ?")
        params.append(utc_text(flt.since))
    if flt.until:
        where.append("observed_utc < ?")
        params.append(utc_text(flt.until))
    return " AND ".join(where), params


def list_signals(db: Database, catalog: AreaCatalog, user: User, flt: SignalFilter,
                 limit: int, offset: int) -> SignalPage:
    scope, scope_params = scope_clause(user)
    where, params = filter_clause(flt)
    sql_where = f"{where} AND {scope}"
    params = [*params, *scope_params]
    conn = db.conn
    total = conn.execute(f"SELECT count(*) FROM signals WHERE {sql_where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT * FROM signals WHERE {sql_where} ORDER BY observed_utc DESC, id"
        " LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
    return SignalPage(items=[to_signal(r, catalog) for r in rows], total=total,
                      limit=limit, offset=offset)


def update_signal(db: Database, catalog: AreaCatalog, signal_id: str, patch: SignalUpdate,
                  user: User, if_match: int | None = None) -> Signal:
    """Apply the fields present in `patch`; the version goes up by one."""
    with db.transaction() as conn:
        row = visible_row(conn, signal_id, user)
        _check_version(row, if_match)
        merged = apply_patch(create_from_row(row), patch)
        check_category(db, merged.category, merged.subcategory)
        stored = update_row(conn, catalog, row, client_values(merged), user)
    return to_signal(stored, catalog)


def delete_signal(db: Database, signal_id: str, user: User, if_match: int | None = None) -> int:
    """Tombstone a signal (it stays for sync, without its content); returns the new version."""
    with db.transaction() as conn:
        row = visible_row(conn, signal_id, user)
        if row["created_by"] != user.username and user.role not in DELETERS:
            raise ProblemError(403, "Alleen wie het signaal maakte of een teamleider mag het"
                                    " verwijderen.")
        _check_version(row, if_match)
        version = tombstone_row(conn, row, user)
    return version
