"""Retention: how long each kind of record is kept, and the run that destroys what is due.

The rules, in the order a run applies them (terms in `Settings`, see README
"Retention"). "Closed" is the moment the status became afgesloten (`signals.closed_at`);
a signal in an open kwestie is kept whole until the kwestie closes.

- persoonsgegevens (kind signaal-persoonsgegevens), 12 months after closing: of a signal
  marked contains_personal_data the description, location, photos and snapshots are
  removed (privacy/blank.py).
- signalen (signaal), 60 months (5 years, selection list for meldingen) after closing:
  the content goes, and the snapshots, change log and idempotency records with it; a
  tombstone stays so phones remove their copy at their next pull.
- tombstones (tombstone), 12 months after deletion: the tombstone and its change log go.
  A phone that has not pulled for that long keeps its copy until it logs out.
- fotos (foto): the photos of those signals when no other signal uses them, and photos
  no signal refers to (left by deleted signals) 12 months after their upload.
- audit (auditregel), 60 months: the oldest audit-log rows (the chain stays verifiable).

Every run writes a destruction record per rule that destroyed something (kind, count,
when, rule; never content) and one audit entry. `dry_run` counts and changes nothing.
`clock` is what a run calls "now" (tests replace it).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..audit import audit, audit_many
from ..audit.chain import count_before, purge_before
from ..db import Database
from ..privacy.blank import (
    BLANKED,
    MARKERS,
    RETENTION_MARKER,
    blank,
    chunks,
    delete_files,
    forget_photos,
    unused_photos,
)
from ..privacy.blank import photos_of as _photos_of
from ..settings import Settings
from ..signals.search import forget_removed_text
from ..timeutil import now, utc_text
from .destruction import record_destruction

log = logging.getLogger(__name__)

clock: Callable[[], datetime] = now
BY = "systeem:bewaartermijnen"

_OPEN_KWESTIE = ("id NOT IN (SELECT ks.signal_id FROM kwestie_signals ks"
                 " JOIN kwesties k ON k.id = ks.kwestie_id WHERE k.status = 'open')")


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the last day if shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    kind: str
    count: int
    term: str


@dataclass(frozen=True, slots=True)
class Terms:
    """The cut-off moments of one run (fixed-width UTC text)."""

    personal: str
    signal: str
    tombstone: str
    audit: str

    @classmethod
    def of(cls, settings: Settings, at: datetime) -> Terms:
        return cls(*(utc_text(months_before(at, m)) for m in (
            settings.retain_personal_months, settings.retain_signal_months,
            settings.retain_tombstone_months, settings.retain_audit_months)))


def _ids(conn, sql: str, params: tuple) -> list[str]:
    return [r[0] for r in conn.execute(sql, params)]


def due_personal(conn, terms: Terms) -> list[str]:
    return _ids(conn, "SELECT id FROM signals WHERE deleted = 0 AND contains_personal_data = 1"
                      f" AND closed_at < ? AND NOT ({BLANKED}) AND {_OPEN_KWESTIE}",
                (terms.personal, *MARKERS))


def due_signals(conn, terms: Terms) -> list[str]:
    return _ids(conn, f"SELECT id FROM signals WHERE deleted = 0 AND closed_at < ? AND {_OPEN_KWESTIE}",
                (terms.signal,))


def due_tombstones(conn, terms: Terms) -> list[str]:
    return _ids(conn, "SELECT id FROM signals WHERE deleted = 1 AND updated_at < ?",
                (terms.tombstone,))


def orphan_photos(conn, terms: Terms) -> set[str]:
    old = {r[0] for r in conn.execute("SELECT sha256 FROM attachments WHERE created_at < ?",
                                      (terms.tombstone,))}
    return unused_photos(conn, old)


def _purge_signals(conn, ids: list[str], stamp: str) -> set[str]:
    """Signal content gone after its term: a tombstone stays (phones pull the removal);
    snapshots, the earlier change log and idempotency records go. Returns its photos."""
    photos = blank(conn, ids, RETENTION_MARKER, BY, stamp)  # also removes snapshots
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM changes WHERE signal_id IN ({marks})", part)
        conn.execute(f"DELETE FROM mutations WHERE signal_id IN ({marks})", part)
        conn.execute(
            "UPDATE signals SET deleted = 1, description = '', subcategory = NULL, assignment_note = NULL,"
            f" follow_up_date = NULL, version = version + 1, updated_at = ? WHERE id IN ({marks})",
            (stamp, *part))
        conn.executemany(
            "INSERT INTO changes (signal_id, version, op, changed_by, device_id, changed_at)"
            " VALUES (?, ?, 'delete', ?, NULL, ?)",
            [(r[0], r[1], BY, stamp) for r in conn.execute(
                f"SELECT id, version FROM signals WHERE id IN ({marks})", part)])
    return photos


def _purge_tombstones(conn, ids: list[str]) -> None:
    """A tombstone past its term goes with everything that names its signal."""
    for part in chunks(ids):
        marks = ",".join("?" * len(part))
        for table in ("kwestie_signals", "changes", "signal_versions", "mutations"):
            conn.execute(f"DELETE FROM {table} WHERE signal_id IN ({marks})", part)
        conn.execute(f"DELETE FROM signals WHERE id IN ({marks})", part)


def _due(conn, terms: Terms) -> tuple[list[str], list[str], list[str]]:
    """The signals each rule takes now: (personal data, whole signals, tombstones); a signal
    whose content goes whole is not also blanked."""
    signals = due_signals(conn, terms)
    purged = set(signals)
    personal = [i for i in due_personal(conn, terms) if i not in purged]
    return personal, signals, due_tombstones(conn, terms)


def run(db: Database, settings: Settings, dry_run: bool = False) -> list[RuleResult]:
    """Apply every rule once, in one transaction; with `dry_run` only count (no writes)."""
    at = clock()
    terms = Terms.of(settings, at)
    stamp = utc_text(at)
    conn = db.conn
    unused: set[str] = set()
    if dry_run:
        personal, signals, tombstones = _due(conn, terms)
        photos = len(unused_photos(conn, _photos_of(conn, personal + signals), personal + signals)
                     | orphan_photos(conn, terms))
        return _results(settings, personal, signals, tombstones, photos,
                        count_before(conn, terms.audit))
    with db.transaction():
        audit_rows = purge_before(conn, terms.audit)  # first: this run's own entries stay
        personal, signals, tombstones = _due(conn, terms)
        candidates = blank(conn, personal, RETENTION_MARKER, BY, stamp)
        audit_many(conn, BY, "retention_blank", personal)
        candidates |= _purge_signals(conn, signals, stamp)
        audit_many(conn, BY, "retention_purge", signals)
        _purge_tombstones(conn, tombstones)
        audit_many(conn, BY, "retention_purge_tombstone", tombstones)
        # Texts removed since the last run (a delete, an edit, the rules above) leave the
        # search index's data too, not only its answers (a delete itself does not wait for it).
        forget_removed_text(conn)
        unused = unused_photos(conn, candidates) | orphan_photos(conn, terms)
        photos = len(forget_photos(conn, unused))
        results = _results(settings, personal, signals, tombstones, photos, audit_rows)
        for r in results:
            record_destruction(conn, r.kind, r.rule, r.count, BY, stamp)
        audit(conn, BY, "retention_run", None)
    delete_files(settings.attachments_dir, unused)
    if any(r.count for r in results):
        log.info("retention: %s", ", ".join(f"{r.rule} {r.count}" for r in results if r.count))
    return results


def _results(s: Settings, personal: list[str], signals: list[str], tombstones: list[str],
             photos: int, audit_rows: int) -> list[RuleResult]:
    return [
        RuleResult("persoonsgegevens", "signaal-persoonsgegevens", len(personal),
                   f"{s.retain_personal_months} maanden na afsluiten"),
        RuleResult("signalen", "signaal", len(signals), f"{s.retain_signal_months} maanden na afsluiten"),
        RuleResult("tombstones", "tombstone", len(tombstones),
                   f"{s.retain_tombstone_months} maanden na verwijderen"),
        RuleResult("fotos", "foto", photos, "met hun signaal; ongebruikt"
                   f" {s.retain_tombstone_months} maanden na uploaden"),
        RuleResult("audit", "auditregel", audit_rows, f"{s.retain_audit_months} maanden"),
    ]
