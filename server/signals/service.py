"""The only code that changes a signal: every write is a mutation applied here.

The REST routes (POST, PATCH, DELETE), a device's sync push and the area
re-import all describe what they want as a `Mutation` and get an `Outcome`:

    with service.writing() as w:           # one transaction; events after COMMIT
        outcome = w.apply(actor, mutation)  # or w.apply_batch(actor, mutations)

The rules, in the order they are checked:
1. A mutation with an id that was applied before answers `duplicate` with the
   first outcome (the id and the change are written in one transaction).
2. create: the fields are validated and the areas derived from the location.
   The same id again with the same content is the same create (`applied`);
   with other content the later create wins field by field (`conflict`);
   a deleted id is never used again (`rejected`).
3. update: on the current version the fields are taken; on an older one they
   are merged field by field with what others changed since (merge.py); where
   both changed a field the later mutation wins and the answer is `conflict`.
   An update of a deleted signal is a `conflict` with no server state.
4. delete: a tombstone, for the maker, a teamleider or a beheerder. A delete
   based on a version someone else has changed since is a `conflict` and
   deletes nothing: the user sees what changed first.
5. Any rule that fails rejects that mutation only (`rejected` with the domain
   error); the others in the batch still apply.
Who may see and change a signal is `access.py`; columns are `rows.py`; SQL is `writer.py`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

from geo.assign import AreaIndex

from ..areas.store import LEVELS, AreaCatalog
from ..categories.store import category_tree
from ..db import Database
from ..errors import Conflict, DomainError, FieldIssue, Invalid, NotFound, from_record, register, to_record
from ..events import Events, SignalsChanged
from ..timeutil import now
from ..users.models import User
from ..validation import convert
from . import access, writer
from .merge import changed_fields, merge
from .models import SignalCreate, SignalUpdate
from .rows import FIELD_COLUMNS, client_columns, observed_utc, sent_fields, to_columns

Op = Literal["create", "update", "delete"]
Status = Literal["applied", "duplicate", "conflict", "rejected"]
ALL_FIELDS = tuple(FIELD_COLUMNS)


OVERWRITTEN = "ook elders gewijzigd; deze wijziging is als laatste verwerkt"


@register
class Overlap(Conflict):
    """Applied, but someone else changed the same fields since the base: this change won."""

    kind = "overlap"

    def __init__(self, fields: Sequence[str]):
        super().__init__(f"Ook elders gewijzigd: {', '.join(fields)}. Uw wijziging is als laatste"
                         " verwerkt.", errors=[FieldIssue(f, OVERWRITTEN) for f in fields])

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.errors)


@dataclass(frozen=True, slots=True)
class Mutation:
    """One change of one signal, from any source.

    `data` is a SignalCreate / SignalUpdate, or the raw JSON object a device sent
    (validated here, so a bad one is rejected like any other rule). `id` makes it
    idempotent (sync); `device` is the device it came from.
    """

    op: Op
    signal_id: str
    data: SignalCreate | SignalUpdate | Mapping[str, Any] | None = None
    base_version: int | None = None
    id: str | None = None
    device: str | None = None
    seq: int = 0


@dataclass(slots=True)
class Outcome:
    """What a mutation did. `row`: the signal as now stored, when the actor may see it."""

    status: Status
    signal_id: str
    version: int | None
    row: Mapping[str, Any] | None
    error: DomainError | None = None
    #: This mutation changed the stored signal.
    stored: bool = False
    #: This mutation made the signal.
    created: bool = False


class SignalWriter:
    """One write transaction of signals (made by `SignalService.writing`)."""

    def __init__(self, conn: sqlite3.Connection, catalog: AreaCatalog, at: datetime):
        self.conn = conn
        self.catalog = catalog
        self.at = at
        self.stamp = at.isoformat()
        self.parents, self.active = category_tree(conn)
        #: Ids of signals this transaction changed; published after COMMIT.
        self.changed: set[str] = set()
        self._areas: dict[tuple[float, float, float], tuple] = {}

    # -- the entry points ------------------------------------------------------------------

    def apply(self, actor: User, m: Mutation) -> Outcome:
        """Apply one mutation in its own savepoint and record its id (if it has one)."""
        if m.id is not None and (prior := self._priors([m.id]).get(m.id)) is not None:
            return self._replay(actor, m, prior)
        self.conn.execute("SAVEPOINT mutation")
        try:
            outcome = self._apply(actor, m)
            self.conn.execute("RELEASE mutation")
        except DomainError as e:
            self.conn.execute("ROLLBACK TO mutation")
            self.conn.execute("RELEASE mutation")
            outcome = Outcome("rejected", m.signal_id, None, self._visible(actor, m.signal_id), e)
        if m.id is not None:
            self._record(actor, [(m, outcome)])
        if outcome.stored:
            self.changed.add(m.signal_id)
        return outcome

    def apply_batch(self, actor: User, mutations: Sequence[Mutation]) -> list[Outcome]:
        """Apply mutations in order. New signals that pass every rule go in together
        (one `executemany` per table, one savepoint); the rest, and all of them if that
        fails, one by one as `apply` does."""
        self._prime(mutations)
        bulk = self._bulk_creates(actor, mutations)
        outcomes: list[Outcome | None] = [None] * len(mutations)
        if bulk:
            self.conn.execute("SAVEPOINT bulk")
            try:
                rows = [row for _, _, row in bulk]
                writer.insert(self.conn, rows, actor.username, bulk[0][1].device, self.stamp)
                done = [(m, Outcome("applied", m.signal_id, 1, row, stored=True, created=True))
                        for _, m, row in bulk]
                self._record(actor, done)
                self.conn.execute("RELEASE bulk")
            except sqlite3.IntegrityError:  # e.g. the same id twice: let each rule decide
                self.conn.execute("ROLLBACK TO bulk")
                self.conn.execute("RELEASE bulk")
            else:
                for (i, m, _), (_, outcome) in zip(bulk, done, strict=True):
                    outcomes[i] = outcome
                    self.changed.add(m.signal_id)
        return [o if o is not None else self.apply(actor, m) for m, o in zip(mutations, outcomes, strict=True)]

    def reassign(self, actor: User, index: AreaIndex) -> tuple[int, int]:
        """Derive kern, wijk and buurt again for every live signal with a location (after
        an area import); returns (checked, changed). A changed signal gets a new version."""
        rows = self.conn.execute(
            "SELECT * FROM signals WHERE deleted = 0 AND lat IS NOT NULL").fetchall()
        if not rows:
            return 0, 0
        derived = _derive(index, [r["lat"] for r in rows], [r["lon"] for r in rows],
                          [r["accuracy_m"] for r in rows])
        pairs = []
        for r, (kern, wijk, buurt, outside, near) in zip(rows, derived, strict=True):
            if (kern, wijk, buurt, near) != (r["kern_code"], r["wijk_code"], r["buurt_code"],
                                             r["near_border"]):
                pairs.append((r, {**dict(r), "kern_code": kern, "wijk_code": wijk,
                                  "buurt_code": buurt, "outside_areas": outside,
                                  "near_border": near, "version": r["version"] + 1}))
        writer.update(self.conn, pairs, actor.username, None, self.stamp)
        self.changed.update(r["id"] for r, _ in pairs)
        return len(rows), len(pairs)

    # -- one mutation ----------------------------------------------------------------------

    def _apply(self, actor: User, m: Mutation) -> Outcome:
        row = self.conn.execute("SELECT * FROM signals WHERE id = ?", (m.signal_id,)).fetchone()
        if m.op == "create":
            return self._create(actor, m, row)
        if row is None:
            raise NotFound(f"Signaal {m.signal_id} bestaat niet.")
        if m.op == "update":
            return self._update(actor, m, row)
        return self._delete(actor, m, row)

    def _create(self, actor: User, m: Mutation, row: sqlite3.Row | None) -> Outcome:
        data = _as(m.data, SignalCreate, m.signal_id)
        wanted = self._new_columns(data)
        if row is None:
            new = self._new_row(m.signal_id, wanted, actor, m.device)
            writer.insert(self.conn, [new], actor.username, m.device, self.stamp)
            return Outcome("applied", m.signal_id, 1, new, stored=True, created=True)
        if row["deleted"]:
            raise Conflict("Dit signaal is verwijderd; het id kan niet opnieuw worden gebruikt.")
        access.check_change(actor, row)
        server = client_columns(row)
        if data.observed_at is None:
            wanted["observed_at"] = server["observed_at"]  # a retry without a time is the same
        if wanted == server:
            return Outcome("applied", m.signal_id, row["version"], row)  # the same create again
        # Another create under this id: the later one wins, and the app is told what it overwrote.
        differ = sorted(changed_fields(server, wanted))
        new = self._store_update(row, wanted, actor, m.device)
        return Outcome("conflict", m.signal_id, new["version"], new, Overlap(differ), stored=True)

    def _update(self, actor: User, m: Mutation, row: sqlite3.Row) -> Outcome:
        patch = _as(m.data, SignalUpdate)
        if row["deleted"]:
            return Outcome("conflict", m.signal_id, row["version"], None,
                           Conflict("Dit signaal is intussen verwijderd."))
        access.check_change(actor, row)
        sent = sent_fields(patch)
        server = client_columns(row)
        client = {**server, **to_columns(patch, sent)}
        base, others = self._base(row, m.base_version, writer.author(actor.username, m.device))
        merged, both = merge(base, server, client, sent, others)
        self._check_categories(server, client, merged, sent, both)
        if merged == server:
            return Outcome("applied", m.signal_id, row["version"], row)
        new = self._store_update(row, merged, actor, m.device)
        if both:
            return Outcome("conflict", m.signal_id, new["version"], new, Overlap(both), stored=True)
        return Outcome("applied", m.signal_id, new["version"], new, stored=True)

    def _delete(self, actor: User, m: Mutation, row: sqlite3.Row) -> Outcome:
        if row["deleted"]:
            return Outcome("applied", m.signal_id, row["version"], None)  # deleted already
        access.check_delete(actor, row)
        _, others = self._base(row, m.base_version, writer.author(actor.username, m.device))
        if others:
            return Outcome("conflict", m.signal_id, row["version"], row, Conflict(
                f"Het signaal is gewijzigd sinds u het zag ({', '.join(sorted(others))}) en is"
                " daarom niet verwijderd. Bekijk het en verwijder het opnieuw als dat nog nodig is."))
        version = writer.tombstone(self.conn, row, actor.username, m.device, self.stamp)
        return Outcome("applied", m.signal_id, version, None, stored=True)

    # -- rules -----------------------------------------------------------------------------

    def _base(self, row: sqlite3.Row, base_version: int | None,
              me: str) -> tuple[dict[str, Any] | None, set[str]]:
        """The client columns of the base version and the fields others changed since.

        No base: unknown (the sent fields win). Snapshots exist only of versions a
        client change replaced, so the base's columns are those of the first snapshot
        at or after it (or the row's), and each snapshot says who replaced it.
        """
        if base_version is None:
            return None, set()
        current = client_columns(row)
        if base_version >= row["version"]:
            return current, set()
        snaps = writer.history(self.conn, row["id"], base_version)
        if not snaps:
            return current, set()
        others: set[str] = set()
        for (_, cols, replaced_by), after in zip(snaps, [s[1] for s in snaps[1:]] + [current], strict=True):
            if replaced_by != me:
                others |= changed_fields(cols, after)
        return snaps[0][1], others

    def _check_categories(self, server: Mapping[str, Any], client: Mapping[str, Any],
                          merged: dict[str, Any], sent: Sequence[str], both: list[str]) -> None:
        """A (sub)category this mutation newly sets must be on the managed list, and a
        subcategory never outlives its category. Values it keeps are not judged again, so
        a category taken off the list later does not block other edits of old signals."""
        category, sub = client["category"], client["subcategory"]
        if "category" in sent and category != server["category"]:
            self._check_category(category)
        if "subcategory" in sent and sub is not None and sub != server["subcategory"]:
            self._check_subcategory(sub, category)
        kept = merged["subcategory"]
        if kept is not None and self.parents.get(kept, merged["category"]) != merged["category"]:
            merged["subcategory"] = None  # its category changed, here or elsewhere
            if "subcategory" in sent and kept == sub and "subcategory" not in both:
                both.append("subcategory")  # the category changed elsewhere: the app is told
                both.sort()

    def _check_category(self, code: str) -> None:
        if code not in self.active or self.parents[code] is not None:
            raise Invalid("category", f"onbekende categorie '{code}'")

    def _check_subcategory(self, code: str, category: str) -> None:
        if code not in self.active or self.parents.get(code) != category:
            raise Invalid("subcategory", f"'{code}' is geen subcategorie van '{category}'")

    def _new_columns(self, data: SignalCreate) -> dict[str, Any]:
        cols = to_columns(data, ALL_FIELDS)
        if data.observed_at is None:
            cols["observed_at"] = self.stamp
        self._check_category(data.category)
        if data.subcategory is not None:
            self._check_subcategory(data.subcategory, data.category)
        return cols

    # -- rows ------------------------------------------------------------------------------

    def _new_row(self, signal_id: str, cols: dict[str, Any], actor: User,
                 device: str | None) -> dict[str, Any]:
        return {"id": signal_id, **cols, **self._derived(cols), "version": 1, "deleted": 0,
                "device_id": device, "created_by": actor.username, "created_at": self.stamp,
                "updated_at": self.stamp}

    def _store_update(self, row: sqlite3.Row, cols: dict[str, Any], actor: User,
                      device: str | None) -> dict[str, Any]:
        new = {**dict(row), **cols, **self._derived(cols), "version": row["version"] + 1,
               "device_id": device, "updated_at": self.stamp}
        writer.update(self.conn, [(row, new)], actor.username, device, self.stamp)
        return new

    def _derived(self, cols: Mapping[str, Any]) -> dict[str, Any]:
        """Areas from the location, and the UTC time the filters use."""
        lat, lon, acc = cols["lat"], cols["lon"], cols["accuracy_m"]
        if lat is None:
            kern = wijk = buurt = None
            outside = near = 0
        else:
            key = (lat, lon, acc or 0.0)
            hit = self._areas.get(key)
            if hit is None:
                hit = self._areas[key] = _derive(self.catalog.index, [lat], [lon], [acc])[0]
            kern, wijk, buurt, outside, near = hit
        return {"kern_code": kern, "wijk_code": wijk, "buurt_code": buurt,
                "outside_areas": outside, "near_border": near,
                "observed_utc": observed_utc(cols["observed_at"])}

    def _prime(self, mutations: Sequence[Mutation]) -> None:
        """Derive the areas of every location in a batch at once (vectorised)."""
        points = []
        for m in mutations:
            loc = getattr(m.data, "location", None) if not isinstance(m.data, Mapping) \
                else m.data.get("location")
            if isinstance(loc, Mapping):
                lat, lon, acc = loc.get("lat"), loc.get("lon"), loc.get("accuracy_m")
            elif loc is not None:
                lat, lon, acc = loc.lat, loc.lon, loc.accuracy_m
            else:
                continue
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)) \
                    and (acc is None or isinstance(acc, (int, float))):
                points.append((float(lat), float(lon), float(acc) if acc is not None else None))
        if points:
            lats, lons, accs = zip(*points, strict=True)
            for p, hit in zip(points, _derive(self.catalog.index, lats, lons, accs), strict=True):
                self._areas[(p[0], p[1], p[2] or 0.0)] = hit

    def _bulk_creates(self, actor: User, mutations: Sequence[Mutation]
                      ) -> list[tuple[int, Mutation, dict[str, Any]]]:
        """The creates of a batch that can go in together: new ids, nothing else in the
        batch touches their signal first, and every rule passes."""
        ids = [m.id for m in mutations if m.id is not None]
        known = self._priors(ids) if ids else {}
        seen: set[str] = set()
        candidates: list[tuple[int, Mutation, dict[str, Any]]] = []
        for i, m in enumerate(mutations):
            first = m.signal_id not in seen and (m.id is None or m.id not in known)
            seen.add(m.signal_id)
            if m.id is not None:
                known.setdefault(m.id, None)  # the same mutation id later in the batch: slow path
            if m.op != "create" or not first:
                continue
            try:
                cols = self._new_columns(_as(m.data, SignalCreate, m.signal_id))
            except DomainError:
                continue  # rejected in order, on the slow path
            candidates.append((i, m, self._new_row(m.signal_id, cols, actor, m.device)))
        if not candidates:
            return []
        wanted = [m.signal_id for _, m, _ in candidates]
        existing = {r[0] for r in self.conn.execute(
            f"SELECT id FROM signals WHERE id IN ({','.join('?' * len(wanted))})", wanted)}
        devices = {m.device for _, m, _ in candidates}
        if len(devices) > 1:
            return []  # one batch comes from one device
        return [c for c in candidates if c[1].signal_id not in existing]

    # -- idempotency records ---------------------------------------------------------------

    def _priors(self, ids: Sequence[str]) -> dict[str, sqlite3.Row | None]:
        found: dict[str, sqlite3.Row | None] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            found.update((r["id"], r) for r in self.conn.execute(
                f"SELECT * FROM mutations WHERE id IN ({','.join('?' * len(part))})", part))
        return found

    def _record(self, actor: User, done: Sequence[tuple[Mutation, Outcome]]) -> None:
        self.conn.executemany(
            "INSERT INTO mutations (id, device_id, seq, username, signal_id, op, status, version,"
            " problem, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(m.id, m.device or "", m.seq, actor.username, m.signal_id, m.op, o.status, o.version,
              to_record(o.error) if o.error else None, self.stamp) for m, o in done])

    def _replay(self, actor: User, m: Mutation, prior: sqlite3.Row) -> Outcome:
        error = from_record(prior["problem"]) if prior["problem"] else None
        return Outcome("duplicate", prior["signal_id"], prior["version"],
                       self._visible(actor, prior["signal_id"]), error)

    def _visible(self, actor: User, signal_id: str) -> sqlite3.Row | None:
        row = self.conn.execute("SELECT * FROM signals WHERE id = ? AND deleted = 0",
                                (signal_id,)).fetchone()
        return row if row is not None and access.may_see(actor, row) else None


def _as(data: Any, kind: type, signal_id: str | None = None) -> Any:
    """Mutation data as a create or an update; a raw object is validated first."""
    if isinstance(data, kind):
        return data
    if kind is SignalCreate:
        raw = dict(data or {})
        raw.pop("id", None)  # the mutation names the signal
        return convert(raw, SignalCreate)
    return convert(data or {}, kind)


def _derive(index: AreaIndex, lats: Sequence[float], lons: Sequence[float],
            accuracies: Sequence[float | None]) -> list[tuple]:
    """(kern, wijk, buurt, outside_areas, near_border) for many points at once."""
    found = index.locate_many(lats, lons)
    near = index.near_border(lats, lons, np.array([a or 0.0 for a in accuracies]))
    out = []
    for i in range(len(lats)):
        codes = [found[level][i].code if found[level][i] else None for level in LEVELS]
        out.append((*codes, int(not any(codes)), int(near[i])))
    return out


class SignalService:
    """Signal writes for one database: transactions that publish `SignalsChanged` after COMMIT."""

    def __init__(self, db: Database, catalog: AreaCatalog, events: Events | None = None):
        self.db = db
        self.catalog = catalog
        self.events = events or Events()

    @contextmanager
    def writing(self) -> Iterator[SignalWriter]:
        """One write transaction: committed when the block ends, rolled back on an error."""
        with self.db.transaction() as conn:
            w = SignalWriter(conn, self.catalog.fresh(), now())
            yield w
        if w.changed:
            self.events.publish(SignalsChanged(frozenset(w.changed)))

    def apply(self, actor: User, mutation: Mutation) -> Outcome:
        """One mutation in a transaction of its own (CLI, demo, tests)."""
        with self.writing() as w:
            return w.apply(actor, mutation)


def new_signal_id() -> str:
    """An id for a signal whose client sent none."""
    return str(uuid.uuid4())


__all__ = ["Mutation", "Outcome", "Overlap", "SignalService", "SignalWriter", "json"]
