"""The only code that changes a signal: every write is a mutation applied here.

The REST routes (POST, PATCH, DELETE), a device's sync push, the demo data and the
area re-import all describe what they want as `Mutation`s and get `Outcome`s:

    batch = service.prepare(mutations)     # read and checked, no transaction needed
    with service.writing() as w:           # one transaction; events after COMMIT
        outcomes = w.apply_batch(actor, batch)

(The server runs the `with` block on its one writer thread, group_commit.py.)

The rules, in the order they are checked:
1. A mutation with an id that this user's device had applied before answers
   `duplicate` with the first outcome (the id and the change are written in one
   transaction). Ids are scoped to (user, device): another user's mutation with
   the same id is a mutation of its own. (A REST write has an id when it sends an
   `Idempotency-Key`, and no device.)
2. create: the fields are validated and the areas derived from the location.
   The same id again with the same content is the same create (`applied`; a time
   left out means the stored one, not "now" again); with other content the later
   create wins field by field (`conflict`); an id in use otherwise, by a deleted
   signal or one the user may not see, is never taken (`rejected`, one answer).
3. update: on the current version the fields are taken; on an older one they
   are merged field by field with what others changed since (merge.py); where
   both changed a field the later mutation wins and the answer is `conflict`,
   except a status change against a signal closed since the base: it stays
   afgesloten, and the answer is `conflict` with the lost value (`Outcome.lost`).
   An `assignee` newly set must be an active user; a `related_to` ("hoort bij")
   newly set must be a live signal the user may see, not the signal itself, and
   not one whose own chain leads back to it.
   An update of a deleted signal is a `conflict` with no server state.
   A signal the user may not see answers as one that does not exist (no probing).
4. delete: a tombstone, for the maker, a teamleider or a beheerder. A delete
   based on a version someone else has changed since is a `conflict` and
   deletes nothing: the user sees what changed first.
5. Any rule that fails rejects that mutation only (`rejected` with the domain
   error); the others in the batch still apply.
Who may see and change a signal is `access.py`; columns are `rows.py`; SQL is `writer.py`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec
import numpy as np

from geo.assign import AreaIndex

from ..areas.store import LEVELS, AreaCatalog
from ..categories.store import CategoryCache, CategoryTree
from ..db import Database
from ..errors import Conflict, DomainError, FieldIssue, Invalid, from_record, register, to_record
from ..events import Events, SignalsChanged
from ..timeutil import now, plausible, utc_text
from ..users.models import User
from ..validation import convert
from . import access, writer
from .merge import changed_fields, merge
from .models import Location, SignalCreate, SignalUpdate
from .rows import CLIENT_COLUMNS, client_columns, create_columns, observed_utc, sent_fields, to_columns

Op = Literal["create", "update", "delete"]
Status = Literal["applied", "duplicate", "conflict", "rejected"]


OVERWRITTEN = "ook elders gewijzigd; deze wijziging is als laatste verwerkt"
#: Why a field of a change did not win (the server's value stayed): see merge.py.
LOST = {
    "status": "het signaal was intussen afgesloten; deze wijziging is niet doorgevoerd",
    "subcategory": "de categorie is elders gewijzigd; deze subcategorie is niet doorgevoerd",
}
#: The same, short, in the problem's detail.
WHY_LOST = {
    "status": "het signaal was intussen afgesloten",
    "subcategory": "de categorie is intussen elders gewijzigd",
}
#: A create under an id that is taken: by a deleted signal, or by one the user may not see.
#: One answer for both, so a create cannot tell which, nor anything about the other signal.
#: (That the id is taken cannot be hidden: two signals cannot share one. Pretending to store
#: it would lose the user's signal, and the next read would tell anyway. Ids are random
#: UUIDs, so only someone who already has an id learns this, and only that it is taken.)
ID_TAKEN = ("Dit id hoort bij een ander signaal (verwijderd, of niet zichtbaar voor u) en kan"
            " niet opnieuw worden gebruikt. Sla het signaal op onder een nieuw id.")


@register
class Overlap(Conflict):
    """Someone else changed the same fields since the base: in `fields` this change won,
    except in `lost` (the server's value stayed, merge.py)."""

    kind = "overlap"

    def __init__(self, fields: Sequence[str], lost: Sequence[str] = ()):
        won = [f for f in fields if f not in lost]
        parts = []
        if won:
            parts.append(f"Ook elders gewijzigd: {', '.join(won)}. Uw wijziging is als laatste"
                         " verwerkt.")
        if lost:
            parts.append("Niet doorgevoerd: " + "; ".join(
                f"{f} ({WHY_LOST.get(f, 'intussen elders gewijzigd')})" for f in lost) + ".")
        super().__init__(" ".join(parts), errors=[
            FieldIssue(f, LOST.get(f, OVERWRITTEN) if f in lost else OVERWRITTEN)
            for f in fields])

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.errors)

    @property
    def lost(self) -> tuple[str, ...]:
        """The fields where this change did not win."""
        return tuple(e.name for e in self.errors if e.reason != OVERWRITTEN)


class Mutation(msgspec.Struct, frozen=True):
    """One change of one signal, from any source.

    `data` is a SignalCreate / SignalUpdate, or the raw JSON object a device sent
    (validated by `prepare`, so a bad one is rejected like any other rule). `id` makes
    it idempotent (sync); `device` is the device it came from.
    """

    op: Op
    signal_id: str
    data: Any = None
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
    #: Fields where the change lost to the server's value: field → the value it sent.
    lost: dict[str, Any] | None = None


@dataclass(slots=True)
class Batch:
    """Mutations read and checked before their transaction (see `prepare`)."""

    mutations: list[Mutation]
    #: The areas version the columns were derived with.
    areas_version: str = ""
    #: Position → why its data is not acceptable (rejected in its turn).
    errors: dict[int, DomainError] = field(default_factory=dict)
    #: Position of a create → its client and derived columns.
    columns: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: (lat, lon, accuracy) → (kern, wijk, buurt, outside_areas, near_border).
    areas: dict[tuple[float, float, float], tuple] = field(default_factory=dict)


def prepare(catalog: AreaCatalog, categories: CategoryTree, mutations: Sequence[Mutation],
            at: datetime) -> Batch:
    """What can be known of mutations without the database: each one's data read and
    checked against the category list, the areas of every location (at once), and the
    columns of each new signal. Runs before the write transaction, so the single writer
    only does what needs it."""
    batch = Batch([], catalog.version)
    stamp = utc_text(at)
    for i, m in enumerate(mutations):
        if m.op != "delete":
            try:
                m = msgspec.structs.replace(m, data=_as(m.data, SignalCreate if m.op == "create"
                                                        else SignalUpdate))
                _check_observed(m.data, at)
            except DomainError as e:
                batch.errors[i] = e
        batch.mutations.append(m)
    located = [m.data.location for i, m in enumerate(batch.mutations)
               if i not in batch.errors and m.op != "delete"
               and isinstance(m.data.location, Location)]
    if located:
        hits = _derive(catalog.index, [p.lat for p in located], [p.lon for p in located],
                       [p.accuracy_m for p in located])
        batch.areas = {(p.lat, p.lon, p.accuracy_m or 0.0): hit
                       for p, hit in zip(located, hits, strict=True)}
    for i, m in enumerate(batch.mutations):
        if m.op != "create" or i in batch.errors:
            continue
        try:
            _check_new(categories, m.data)
        except DomainError as e:
            batch.errors[i] = e
            continue
        cols = create_columns(m.data)
        cols["observed_at"] = cols["observed_at"] or stamp
        batch.columns[i] = {**cols, **_derived(catalog, batch.areas, cols,
                                               m.data.observed_at or at)}
    return batch


class SignalWriter:
    """One write transaction of signals (made by `SignalService.writing`)."""

    def __init__(self, conn: sqlite3.Connection, catalog: AreaCatalog, categories: CategoryTree,
                 at: datetime):
        self.conn = conn
        self.catalog = catalog
        self.categories = categories
        self.at = at
        self.stamp = utc_text(at)
        #: Ids of signals this transaction changed; published after COMMIT.
        self.changed: set[str] = set()
        self._areas: dict[tuple[float, float, float], tuple] = {}

    # -- the entry points ------------------------------------------------------------------

    def apply(self, actor: User, m: Mutation) -> Outcome:
        """Apply one mutation (in its own savepoint) and record its id, if it has one."""
        return self.apply_batch(actor, [m])[0]

    def apply_batch(self, actor: User, batch: Batch | Sequence[Mutation]) -> list[Outcome]:
        """Apply mutations in order. New signals that pass every rule go in together (one
        `executemany` per table, one savepoint); the rest, and all of them if that fails,
        one by one, each in its own savepoint."""
        if not isinstance(batch, Batch):
            batch = prepare(self.catalog, self.categories, batch, self.at)
        elif batch.areas_version != self.catalog.version:  # areas imported meanwhile
            batch = prepare(self.catalog, self.categories, batch.mutations, self.at)
        self._areas = batch.areas
        known: dict[tuple[str, str], Mapping[str, Any]] = {}
        outcomes: list[Outcome | None] = [None] * len(batch.mutations)
        bulk = self._bulk(actor, batch)
        if bulk:
            # Optimistic: a known mutation id or signal id fails a unique key, and then
            # every mutation takes the careful path below.
            self.conn.execute("SAVEPOINT bulk")
            try:
                writer.insert(self.conn, [row for _, row in bulk], actor.username,
                              batch.mutations[bulk[0][0]].device, self.stamp)
                done = [(batch.mutations[i], Outcome("applied", row["id"], 1, row, stored=True,
                                                     created=True)) for i, row in bulk]
                self._record(actor, done, known)
                self.conn.execute("RELEASE bulk")
            except sqlite3.IntegrityError:  # e.g. the same id twice: let each rule decide
                self.conn.execute("ROLLBACK TO bulk")
                self.conn.execute("RELEASE bulk")
            else:
                for (i, _), (m, outcome) in zip(bulk, done, strict=True):
                    outcomes[i] = outcome
                    self.changed.add(m.signal_id)
        rest = [_key(m) for m, o in zip(batch.mutations, outcomes, strict=True)
                if o is None and m.id is not None]
        known.update(self._priors(actor, rest))
        return [o if o is not None else self._one(actor, batch, i, known)
                for i, o in enumerate(outcomes)]

    def reassign(self, actor: User, index: AreaIndex) -> tuple[int, int]:
        """Derive kern, wijk and buurt again for every live signal with a location (after
        an area import); returns (checked, changed). A changed signal gets a new version."""
        rows = self.conn.execute(
            "SELECT id, lat, lon, accuracy_m, kern_code, wijk_code, buurt_code, near_border,"
            " version FROM signals WHERE deleted = 0 AND lat IS NOT NULL").fetchall()
        if not rows:
            return 0, 0
        derived = _derive(index, [r["lat"] for r in rows], [r["lon"] for r in rows],
                          [r["accuracy_m"] for r in rows])
        moved = [(r["id"], kern, wijk, buurt, outside, near, r["version"] + 1)
                 for r, (kern, wijk, buurt, outside, near) in zip(rows, derived, strict=True)
                 if (kern, wijk, buurt, near) != (r["kern_code"], r["wijk_code"],
                                                  r["buurt_code"], r["near_border"])]
        writer.update_areas(self.conn, moved, actor.username, self.stamp)
        self.changed.update(m[0] for m in moved)
        return len(rows), len(moved)

    # -- one mutation ----------------------------------------------------------------------

    def _one(self, actor: User, batch: Batch, i: int,
             known: dict[tuple[str, str], Mapping]) -> Outcome:
        m = batch.mutations[i]
        if m.id is not None and (prior := known.get(_key(m))) is not None:
            return self._replay(actor, prior, m)
        self.conn.execute("SAVEPOINT mutation")
        try:
            if i in batch.errors:
                raise batch.errors[i]
            outcome = self._apply(actor, m, batch.columns.get(i))
            self.conn.execute("RELEASE mutation")
        except DomainError as e:
            self.conn.execute("ROLLBACK TO mutation")
            self.conn.execute("RELEASE mutation")
            outcome = Outcome("rejected", m.signal_id, None, self.visible(actor, m.signal_id), e)
        if m.id is not None:
            self._record(actor, [(m, outcome)], known)
        if outcome.stored:
            self.changed.add(m.signal_id)
        return outcome

    def _apply(self, actor: User, m: Mutation, columns: dict[str, Any] | None) -> Outcome:
        row = self.conn.execute("SELECT * FROM signals WHERE id = ?", (m.signal_id,)).fetchone()
        if m.op == "create":
            assert columns is not None
            return self._create(actor, m, row, columns)
        if row is None or not access.may_see(actor, row):
            raise access.not_found(m.signal_id)  # alike: no probing for ids in other areas
        if m.op == "update":
            return self._update(actor, m, row)
        return self._delete(actor, m, row)

    def _create(self, actor: User, m: Mutation, row: sqlite3.Row | None,
                columns: dict[str, Any]) -> Outcome:
        if row is None:
            self._check_links(actor, m.signal_id, None, columns)
            new = self._new_row(m, columns, actor)
            writer.insert(self.conn, [new], actor.username, m.device, self.stamp)
            return Outcome("applied", m.signal_id, 1, new, stored=True, created=True)
        if row["deleted"] or not access.may_see(actor, row):
            raise Conflict(ID_TAKEN)
        server = client_columns(row)
        wanted = {c: columns[c] for c in CLIENT_COLUMNS}
        if m.data.observed_at is None:
            wanted["observed_at"] = server["observed_at"]  # a retry without a time is the same
        if wanted == server:
            return Outcome("applied", m.signal_id, row["version"], row)  # the same create again
        self._check_links(actor, m.signal_id, server, wanted)
        # Another create under this id: the later one wins, and the app is told what it overwrote.
        differ = sorted(changed_fields(server, wanted))
        new = self._store_update(row, wanted, actor, m.device)
        return Outcome("conflict", m.signal_id, new["version"], new, Overlap(differ), stored=True)

    def _update(self, actor: User, m: Mutation, row: sqlite3.Row) -> Outcome:
        patch = m.data
        if row["deleted"]:
            return Outcome("conflict", m.signal_id, row["version"], None,
                           Conflict("Dit signaal is intussen verwijderd."))
        sent = sent_fields(patch)
        server = client_columns(row)
        client = {**server, **to_columns(patch, sent)}
        base, others = self._base(row, m.base_version, writer.author(actor.username, m.device))
        merged, both, lost = merge(base, server, client, sent, others)
        self._check_categories(server, client, merged, sent, both, lost)
        self._check_links(actor, m.signal_id, server, merged)
        values = _lost_values(patch, lost) if lost else None
        if merged == server:
            if lost:  # nothing taken: the signal as it is, and what did not win
                return Outcome("conflict", m.signal_id, row["version"], row, Overlap(both, lost),
                               lost=values)
            return Outcome("applied", m.signal_id, row["version"], row)
        new = self._store_update(row, merged, actor, m.device)
        if both:
            return Outcome("conflict", m.signal_id, new["version"], new, Overlap(both, lost),
                           stored=True, lost=values)
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
        later = [s[1] for s in snaps[1:]] + [current]
        for (_, cols, replaced_by), after in zip(snaps, later, strict=True):
            if replaced_by != me:
                others |= changed_fields(cols, after)
        return snaps[0][1], others

    def _check_categories(self, server: Mapping[str, Any], client: Mapping[str, Any],
                          merged: dict[str, Any], sent: Sequence[str], both: list[str],
                          lost: list[str]) -> None:
        """A (sub)category this mutation newly sets must be on the managed list, and a
        subcategory never outlives its category. Values it keeps are not judged again, so
        a category taken off the list later does not block other edits of old signals."""
        category, sub = client["category"], client["subcategory"]
        if "category" in sent and category != server["category"]:
            _require_category(self.categories, category)
        if "subcategory" in sent and sub is not None and sub != server["subcategory"]:
            _require_subcategory(self.categories, sub, category)
        kept = merged["subcategory"]
        if kept is not None and not self.categories.fits(kept, merged["category"]):
            # Its category changed, here or elsewhere. The server's subcategory stays when it
            # fits the category that stays (set with it elsewhere); else there is none.
            theirs = server["subcategory"]
            fits = theirs is not None and self.categories.fits(theirs, merged["category"])
            merged["subcategory"] = theirs if fits else None
            if "subcategory" in sent and kept == sub:  # the app is told its value did not stay
                for fields in (both, lost):
                    if "subcategory" not in fields:
                        fields.append("subcategory")
                        fields.sort()

    def _check_links(self, actor: User, signal_id: str, server: Mapping[str, Any] | None,
                     cols: Mapping[str, Any]) -> None:
        """An assignee this change newly sets must be an active user; a "hoort bij"
        (`related_to`) it newly sets must be a live signal the actor may see, not this one,
        and not one whose chain of "hoort bij" leads back to this one. Kept values are not
        judged again (a colleague who left does not block other edits)."""
        assignee = cols["assignee"]
        if assignee is not None and (server is None or assignee != server["assignee"]):
            found = self.conn.execute("SELECT 1 FROM users WHERE username = ? AND active = 1",
                                      (assignee,)).fetchone()
            if found is None:
                raise Invalid("assignee", f"'{assignee}' is geen actieve gebruiker",
                              f"Toewijzen kan alleen aan een actieve collega; '{assignee}' is"
                              " dat niet.")
        target = cols["related_to"]
        if target is None or (server is not None and target == server["related_to"]):
            return
        if target == signal_id:
            raise Invalid("related_to", "een signaal kan niet bij zichzelf horen")
        row = self.conn.execute("SELECT * FROM signals WHERE id = ?", (target,)).fetchone()
        if row is None or row["deleted"] or not access.may_see(actor, row):
            raise Invalid("related_to", f"signaal {target} bestaat niet of u mag het niet zien")
        seen = {target}
        step = row["related_to"]
        while step is not None and step not in seen:
            if step == signal_id:
                raise Invalid("related_to", "dat signaal hoort (via andere) al bij dit signaal;"
                              " een kring is niet mogelijk")
            seen.add(step)
            nxt = self.conn.execute("SELECT related_to FROM signals WHERE id = ?",
                                    (step,)).fetchone()
            step = nxt[0] if nxt is not None else None

    # -- rows ------------------------------------------------------------------------------

    def _new_row(self, m: Mutation, columns: Mapping[str, Any], actor: User) -> dict[str, Any]:
        return {"id": m.signal_id, **columns, "version": 1, "deleted": 0, "device_id": m.device,
                "created_by": actor.username, "created_at": self.stamp, "updated_at": self.stamp}

    def _store_update(self, row: sqlite3.Row, cols: dict[str, Any], actor: User,
                      device: str | None) -> dict[str, Any]:
        new = {**dict(row), **cols, **_derived(self.catalog, self._areas, cols),
               "version": row["version"] + 1, "device_id": device, "updated_at": self.stamp}
        writer.update(self.conn, [(row, new)], actor.username, device, self.stamp)
        return new

    def _bulk(self, actor: User, batch: Batch) -> list[tuple[int, dict[str, Any]]]:
        """The creates of a batch that may go in together: valid, from one device, and
        nothing earlier in the batch touches their signal or repeats their mutation id."""
        seen: set[str] = set()
        ids: set[str | None] = set()
        candidates = []
        for i, m in enumerate(batch.mutations):
            first = m.signal_id not in seen and (m.id is None or m.id not in ids)
            seen.add(m.signal_id)
            ids.add(m.id)
            # A hand-over or "hoort bij" is checked against the database: the careful path.
            if first and i in batch.columns and batch.columns[i]["assignee"] is None \
                    and batch.columns[i]["related_to"] is None:
                candidates.append((i, self._new_row(m, batch.columns[i], actor)))
        if len({batch.mutations[i].device for i, _ in candidates}) > 1:
            return []
        return candidates

    # -- idempotency records ---------------------------------------------------------------

    def _priors(self, actor: User, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Mapping[str, Any]]:
        """The records of these (device, mutation id)s of this user."""
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        by_device: dict[str, list[str]] = {}
        for device, mid in keys:
            by_device.setdefault(device, []).append(mid)
        for device, ids in by_device.items():
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                found.update(((device, r["id"]), r) for r in self.conn.execute(
                    "SELECT id, signal_id, version, problem FROM mutations WHERE username = ?"
                    f" AND device_id = ? AND id IN ({','.join('?' * len(part))})",
                    (actor.username, device, *part)))
        return found

    def _record(self, actor: User, done: Sequence[tuple[Mutation, Outcome]],
                known: dict[tuple[str, str], Mapping[str, Any]]) -> None:
        """Write the idempotency records; a repeat of one later in this batch is a duplicate."""
        records = [(m.id, m.device or "", m.seq, actor.username, m.signal_id, m.op, o.status,
                    o.version, to_record(o.error) if o.error else None, self.stamp)
                   for m, o in done]
        self.conn.executemany(
            "INSERT INTO mutations (id, device_id, seq, username, signal_id, op, status, version,"
            " problem, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
        for r in records:
            known[(r[1], r[0])] = {"signal_id": r[4], "version": r[7], "problem": r[8]}

    def _replay(self, actor: User, prior: Mapping[str, Any], m: Mutation) -> Outcome:
        error = from_record(prior["problem"]) if prior["problem"] else None
        lost = (_lost_values(m.data, error.lost)
                if isinstance(error, Overlap) and error.lost else None)
        return Outcome("duplicate", prior["signal_id"], prior["version"],
                       self.visible(actor, prior["signal_id"]), error, lost=lost)

    def visible(self, actor: User, signal_id: str) -> sqlite3.Row | None:
        """The live signal, when this user may see it (what a rejected mutation shows)."""
        row = self.conn.execute("SELECT * FROM signals WHERE id = ? AND deleted = 0",
                                (signal_id,)).fetchone()
        return row if row is not None and access.may_see(actor, row) else None


def _check_observed(data: SignalCreate | SignalUpdate, at: datetime) -> None:
    """Only a plausible observation time is taken (2000 … a day after `at`): one typing
    error must not sit in every later count and detection run."""
    if isinstance(data.observed_at, datetime) and (reason := plausible(data.observed_at, at)):
        raise Invalid("observed_at", reason, f"Controleer observed_at: die {reason}.")


def _lost_values(data: Any, fields: Sequence[str]) -> dict[str, Any]:
    """The values a change sent for the fields where it lost, as on the wire."""
    return {f: msgspec.to_builtins(getattr(data, f, None)) for f in fields}


def _key(m: Mutation) -> tuple[str, str]:
    """The idempotency key of a mutation within its user's records: (device, mutation id)."""
    assert m.id is not None
    return (m.device or "", m.id)


def _check_new(categories: CategoryTree, data: SignalCreate) -> None:
    _require_category(categories, data.category)
    if data.subcategory is not None:
        _require_subcategory(categories, data.subcategory, data.category)


def _require_category(categories: CategoryTree, code: str) -> None:
    if not categories.is_main(code):
        raise Invalid("category", f"onbekende categorie '{code}'")


def _require_subcategory(categories: CategoryTree, code: str, category: str) -> None:
    if not categories.is_sub_of(code, category):
        raise Invalid("subcategory", f"'{code}' is geen subcategorie van '{category}'")


def _as(data: Any, kind: type) -> Any:
    """Mutation data as a create or an update; a raw object is validated first."""
    if isinstance(data, kind):
        return data
    if kind is SignalCreate and isinstance(data, dict) and "id" in data:
        data = {k: v for k, v in data.items() if k != "id"}  # the mutation names the signal
    return convert(data if data is not None else {}, kind)


def _derived(catalog: AreaCatalog, areas: dict[tuple[float, float, float], tuple],
             cols: Mapping[str, Any], observed: datetime | None = None) -> dict[str, Any]:
    """Areas from the location (from `areas` when known), and the UTC time the filters use."""
    lat = cols["lat"]
    if lat is None:
        kern = wijk = buurt = None
        outside = near = 0
    else:
        key = (lat, cols["lon"], cols["accuracy_m"] or 0.0)
        hit = areas.get(key)
        if hit is None:
            hit = areas[key] = _derive(catalog.index, [lat], [key[1]], [key[2]])[0]
        kern, wijk, buurt, outside, near = hit
    return {"kern_code": kern, "wijk_code": wijk, "buurt_code": buurt, "outside_areas": outside,
            "near_border": near, "observed_utc": utc_text(observed) if observed is not None
            else observed_utc(cols["observed_at"])}


def _derive(index: AreaIndex, lats: Sequence[float], lons: Sequence[float],
            accuracies: Sequence[float | None]) -> list[tuple]:
    """(kern, wijk, buurt, outside_areas, near_border) for many points at once."""
    found = index.locate_many(lats, lons)
    near = index.near_border(lats, lons, np.array([a or 0.0 for a in accuracies]))
    kern, wijk, buurt = ([a.code if a else None for a in found[level]] for level in LEVELS)
    return [(k, w, b, int(k is None and w is None and b is None), int(n))
            for k, w, b, n in zip(kern, wijk, buurt, near.tolist(), strict=True)]


class SignalService:
    """Signal writes for one database: transactions that publish `SignalsChanged` after COMMIT."""

    def __init__(self, db: Database, catalog: AreaCatalog, events: Events | None = None):
        self.db = db
        self.catalog = catalog
        self.events = events or Events()
        self.categories = CategoryCache()

    def prepare(self, mutations: Sequence[Mutation]) -> Batch:
        """Read and check a batch before its transaction, on the caller's thread (the event
        loop: so it never reloads the areas itself; if they changed, the writer, which
        does, prepares the batch again)."""
        return prepare(self.catalog, self.categories.get(self.db.conn), mutations, now())

    @contextmanager
    def writing(self) -> Iterator[SignalWriter]:
        """One write transaction: committed when the block ends, rolled back on an error."""
        with self.db.transaction() as conn:
            w = SignalWriter(conn, self.catalog.fresh(), self.categories.get(conn), now())
            yield w
        if w.changed:
            self.events.publish(SignalsChanged(frozenset(w.changed)))


def new_signal_id() -> str:
    """An id for a signal whose client sent none."""
    return str(uuid.uuid4())


