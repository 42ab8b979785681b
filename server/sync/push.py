"""Applying pushed mutations: idempotent, one savepoint each, all in one transaction.

Each mutation's change and the record of its id are written in the same
transaction, so a retry after a lost response finds the record and answers
`duplicate` with the first outcome. A mutation that fails is rolled back to
its savepoint and recorded as `rejected`: it never blocks the rest of the batch.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import msgspec

from ..areas.store import AreaCatalog
from ..db import Database
from ..problems import FieldError, Problem, ProblemError, make_problem
from ..signals.models import SignalCreate, SignalUpdate
from ..categories.store import category_parents
from ..signals.store import (DELETERS, apply_patch, check_category, client_columns, client_values,
                             create_from_row, insert_row, scope_clause, to_signal, tombstone_row,
                             update_row, version_snapshot)
from ..timeutil import now
from ..users.models import User
from .epoch import server_epoch
from .merge import merge
from .models import Mutation, MutationResult, PushRequest, PushResponse

_AT = re.compile(r"^(.*?)(?: - at `\$\.?([^`]*)`)?$")


@dataclass
class Outcome:
    status: str
    version: int | None
    row: sqlite3.Row | None
    problem: Problem | None = None


def _convert(data: dict[str, Any], kind: type) -> Any:
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as e:
        message, path = _AT.match(str(e)).groups()
        name = path or "data"
        if missing := re.search(r"missing required field `([^`]+)`", message):
            name = f"{path}.{missing.group(1)}" if path else missing.group(1)
        raise ProblemError(422, f"Controleer {name}.",
                           errors=[FieldError(name=name, reason=message)]) from None


def _row(conn: sqlite3.Connection, signal_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM signals WHERE id = ?", (signal_id,)).fetchone()


def _may_touch(conn: sqlite3.Connection, user: User, signal_id: str) -> bool:
    clause, params = scope_clause(user)
    return conn.execute(f"SELECT 1 FROM signals WHERE id = ? AND {clause}",
                        (signal_id, *params)).fetchone() is not None


def _fix_subcategory(parents: dict[str, str | None], columns: dict[str, Any]) -> None:
    if columns["subcategory"] is not None and parents.get(columns["subcategory"]) != columns["category"]:
        columns["subcategory"] = None


def _apply_create(db, conn, catalog, user, m: Mutation, parents, device) -> Outcome:
    data = _convert({**m.data, "id": str(m.signal_id)}, SignalCreate)
    check_category(db, data.category, data.subcategory, parents)
    wanted = client_values(data)
    row = _row(conn, str(m.signal_id))
    if row is None:
        row = insert_row(conn, catalog, str(m.signal_id), wanted, user)
        return Outcome("applied", row["version"], row)
    if row["deleted"]:
        raise ProblemError(409, "Dit signaal is verwijderd; het id kan niet opnieuw worden gebruikt.")
    if not _may_touch(conn, user, row["id"]):
        raise ProblemError(403, "U mag dit signaal niet wijzigen.")
    if client_columns(row) == wanted:
        return Outcome("applied", row["version"], row)  # the same create again
    # Another create under the same id: the later one wins, and the app is told.
    merged, _ = merge(None, client_columns(row), wanted, set(data.__struct_fields__) - {"id"})
    row = update_row(conn, catalog, row, merged, user)
    return Outcome("conflict", row["version"], row)


def _existing(conn: sqlite3.Connection, user: User, m: Mutation, verb: str) -> sqlite3.Row:
    """The signal a mutation is about, if it exists and this user may change it."""
    row = _row(conn, str(m.signal_id))
    if row is None:
        raise ProblemError(404, f"Signaal {m.signal_id} bestaat niet.")
    if not _may_touch(conn, user, row["id"]):
        raise ProblemError(403, f"U mag dit signaal niet {verb}.")
    return row


def _only_own_changes(conn: sqlite3.Connection, row: sqlite3.Row, base_version: int,
                      device: str) -> bool:
    """Whether every version after `base_version` came from this device's own mutations.

    A phone that edits a signal twice before it syncs sends both edits on the same
    base; the second must not conflict with the first.
    """
    own = {r[0] for r in conn.execute(
        "SELECT version FROM mutations WHERE signal_id = ? AND device_id = ? AND version > ?",
        (row["id"], device, base_version))}
    return own >= set(range(base_version + 1, row["version"] + 1))


def _apply_update(db, conn, catalog, user, m: Mutation, parents, device) -> Outcome:
    patch = _convert(m.data, SignalUpdate)
    row = _existing(conn, user, m, "wijzigen")
    if row["deleted"]:
        return Outcome("conflict", row["version"], None,
                       make_problem(409, "Dit signaal is intussen verwijderd."))
    sent = {f for f in patch.__struct_fields__ if getattr(patch, f) is not msgspec.UNSET}
    base = None
    if m.base_version is not None and m.base_version < row["version"] \
            and not _only_own_changes(conn, row, m.base_version, device):
        base = version_snapshot(conn, row["id"], m.base_version)
    server = client_columns(row)
    start = create_from_row(row) if base is None else _as_create(row, base)
    intended = client_values(apply_patch(start, patch))
    merged, both = merge(base if base is not None else server, server, intended, sent)
    _fix_subcategory(parents, merged)
    check_category(db, merged["category"], merged["subcategory"], parents)
    if merged == server:
        return Outcome("applied", row["version"], row)
    row = update_row(conn, catalog, row, merged, user)
    return Outcome("conflict" if both else "applied", row["version"], row,
                   make_problem(409, f"Ook elders gewijzigd: {', '.join(both)}. Uw wijziging is"
                                     " als laatste verwerkt.") if both else None)


def _as_create(row: sqlite3.Row, columns: dict[str, Any]) -> SignalCreate:
    """A snapshot of client columns as a SignalCreate."""
    fake = dict(row)
    fake.update(columns)
    return create_from_row(fake)  # type: ignore[arg-type]


def _apply_delete(db, conn, catalog, user, m: Mutation, parents, device) -> Outcome:
    row = _existing(conn, user, m, "verwijderen")
    if row["deleted"]:
        return Outcome("applied", row["version"], None)
    if row["created_by"] != user.username and user.role not in DELETERS:
        raise ProblemError(403, "Alleen wie het signaal maakte of een teamleider mag het verwijderen.")
    return Outcome("applied", tombstone_row(conn, row, user), None)


APPLY = {"create": _apply_create, "update": _apply_update, "delete": _apply_delete}


def _result(m_id, signal_id, status, version, problem, row, catalog) -> MutationResult:
    server = to_signal(row, catalog) if row is not None and not row["deleted"] else None
    return MutationResult(id=m_id, status=status, signal_id=signal_id, version=version,
                          problem=problem, server=server)


def push(db: Database, catalog: AreaCatalog, user: User, request: PushRequest,
         instance: str = "/api/v1/sync/push") -> PushResponse:
    """Apply a batch of mutations in one transaction (one fsync), each in its own savepoint."""
    results: list[MutationResult] = []
    received = now().isoformat()
    with db.transaction() as conn:
        epoch = server_epoch(conn)
        device = str(request.device_id)
        conn.execute(
            "INSERT INTO devices (device_id, username, last_seq, last_seen) VALUES (?, ?, 0, ?)"
            " ON CONFLICT(device_id) DO UPDATE SET username = excluded.username,"
            " last_seen = excluded.last_seen", (device, user.username, received))
        parents = category_parents(db)
        ids = [str(m.id) for m in request.mutations]
        known = {r["id"]: r for r in conn.execute(
            f"SELECT * FROM mutations WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else {}
        _prime_locations(catalog, request.mutations)
        for m in request.mutations:
            prior = known.get(str(m.id))
            if prior is not None:
                problem = msgspec.json.decode(prior["problem"], type=Problem) if prior["problem"] else None
                results.append(_result(m.id, m.signal_id, "duplicate", prior["version"], problem,
                                       _visible(conn, user, prior["signal_id"]), catalog))
                continue
            conn.execute("SAVEPOINT mutation")
            try:
                outcome = APPLY[m.op](db, conn, catalog, user, m, parents, device)
                conn.execute("RELEASE mutation")
            except ProblemError as e:
                conn.execute("ROLLBACK TO mutation")
                conn.execute("RELEASE mutation")
                outcome = Outcome("rejected", None, _visible(conn, user, str(m.signal_id)),
                                  make_problem(e.status, e.detail, instance=instance, errors=e.errors))
            record = {"id": str(m.id), "device_id": device, "seq": m.seq,
                      "username": user.username, "signal_id": str(m.signal_id), "op": m.op,
                      "status": outcome.status, "version": outcome.version,
                      "problem": msgspec.json.encode(outcome.problem).decode()
                      if outcome.problem else None, "received_at": received}
            conn.execute(f"INSERT INTO mutations ({','.join(record)}) VALUES"
                         f" ({','.join('?' * len(record))})", tuple(record.values()))
            known[record["id"]] = record  # the same id twice in one batch is a duplicate too
            results.append(_result(m.id, m.signal_id, outcome.status, outcome.version,
                                   outcome.problem, outcome.row, catalog))
        if request.mutations:
            conn.execute("UPDATE devices SET last_seq = max(last_seq, ?) WHERE device_id = ?",
                         (max(m.seq for m in request.mutations), device))
    return PushResponse(server_epoch=epoch, results=results)


def _prime_locations(catalog: AreaCatalog, mutations: list[Mutation]) -> None:
    """Assign the locations of a whole batch at once instead of one by one."""
    lats, lons, accs = [], [], []
    for m in mutations:
        loc = m.data.get("location") if isinstance(m.data, dict) else None
        if isinstance(loc, dict) and all(isinstance(loc.get(k), (int, float)) for k in ("lat", "lon")):
            lats.append(float(loc["lat"]))
            lons.append(float(loc["lon"]))
            acc = loc.get("accuracy_m")
            accs.append(float(acc) if isinstance(acc, (int, float)) else None)
    catalog.prime(lats, lons, accs)


def _visible(conn: sqlite3.Connection, user: User, signal_id: str) -> sqlite3.Row | None:
    return _row(conn, signal_id) if _may_touch(conn, user, signal_id) else None

