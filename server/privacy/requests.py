"""A resident's request: find the signals that mention them, and erase their personal data.

`find` searches the description and hand-over note of every live signal and of every
kept version snapshot, and the title, description, outcome and updates of every kwestie,
case-insensitively, and returns an excerpt around each hit for the beheerder to judge.
`erase` blanks the chosen signals (blank.py) and kwesties, deletes photos no other
signal uses, and leaves a destruction record and audit entries (ids only).
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import audit_many
from ..db import Database
from ..retention.destruction import record_destruction
from ..timeutil import now, utc_text
from .blank import BLANKED, ERASURE_MARKER, MARKERS, blank, delete_files, forget_photos, unused_photos

EXCERPT = 40  # characters shown on either side of a hit


def operator() -> str:
    """Who runs a command-line action, for the audit log."""
    try:
        return f"beheer:{getpass.getuser()}"
    except (KeyError, OSError):
        return "beheer"


@dataclass(slots=True)
class Match:
    signal_id: str
    observed_at: str
    kern: str
    status: str
    excerpt: str
    #: Where the text was found: "huidig" and/or "versie N".
    places: list[str] = field(default_factory=list)


def excerpt(text: str, needle: str) -> str:
    """The text around the first hit, on one line."""
    folded = text.casefold()
    at = folded.find(needle) if len(folded) == len(text) else text.lower().find(needle.lower())
    at = max(at, 0)
    start, end = max(0, at - EXCERPT), min(len(text), at + len(needle) + EXCERPT)
    piece = " ".join(text[start:end].split())
    return f"{'…' if start else ''}{piece}{'…' if end < len(text) else ''}"


def find(db: Database, text: str, by: str | None = None) -> list[Match]:
    """Live signals whose description, now or in a kept version, mentions `text`."""
    needle = text.casefold().strip()
    if not needle:
        raise ValueError("geef een naam, adres of ander woord om te zoeken")
    conn = db.conn
    kernen = {r[0]: r[1] for r in conn.execute("SELECT code, name FROM areas WHERE level = 'kern'")}
    found: dict[str, Match] = {}

    def hit(row, description: str, place: str) -> None:
        if needle not in description.casefold():
            return
        m = found.get(row["id"])
        if m is None:
            m = found[row["id"]] = Match(
                row["id"], row["observed_at"], kernen.get(row["kern_code"], row["kern_code"] or "-"),
                row["status"], excerpt(description, needle))
        m.places.append(place)

    # The note of a hand-over is free text too: searched with the description.
    for row in conn.execute("SELECT id, observed_at, kern_code, status, description"
                            " || coalesce(char(10) || assignment_note, '') AS text FROM signals"
                            " WHERE deleted = 0"):
        hit(row, row["text"], "huidig")
    for row in conn.execute(
            "SELECT s.id, s.observed_at, s.kern_code, s.status, v.version, v.data"
            " FROM signal_versions v JOIN signals s ON s.id = v.signal_id"
            " WHERE s.deleted = 0 ORDER BY v.version"):
        data = json.loads(row["data"])
        text = "\n".join(t for t in (data.get("description"), data.get("assignment_note")) if t)
        hit(row, text, f"versie {row['version']}")
    # A kwestie's title, description, outcome and updates are free text too (one place: "kwestie").
    for row in conn.execute("SELECT id, created_at AS observed_at, NULL AS kern_code, status,"
                            " title || char(10) || description || char(10) || coalesce(outcome, '')"
                            " || char(10) || coalesce((SELECT group_concat(u.text, char(10))"
                            " FROM kwestie_updates u WHERE u.kwestie_id = kwesties.id), '') AS text"
                            " FROM kwesties"):
        hit(row, row["text"], "kwestie")
    matches = sorted(found.values(), key=lambda m: (m.observed_at, m.signal_id))
    # The search text is a resident's name or address: the log names only what was shown.
    audit_many(conn, by or operator(), "privacy_find", [m.signal_id for m in matches] or [None])
    return matches


@dataclass(frozen=True, slots=True)
class Erased:
    signals: int
    photos: int
    already: int
    kwesties: int = 0


def unknown_ids(db: Database, ids: Sequence[str]) -> list[str]:
    """The ids among `ids` that name no stored signal (live or deleted) and no kwestie."""
    wanted = list(dict.fromkeys(ids))
    marks = ",".join("?" * len(wanted))
    known = {r["id"] for r in db.query(
        f"SELECT id FROM signals WHERE id IN ({marks}) UNION SELECT id FROM kwesties WHERE id IN ({marks})",
        [*wanted, *wanted])} if wanted else set()
    return [i for i in wanted if i not in known]


def _erase_kwesties(conn: sqlite3.Connection, ids: list[str], stamp: str) -> int:
    """Blank the title, description, outcome and updates of these kwesties (their signals are
    erased by id); returns how many kwesties had text left."""
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    texts = [r[0] for r in conn.execute(
        f"SELECT id FROM kwesties k WHERE id IN ({marks}) AND (title != ? OR description != ''"
        " OR coalesce(outcome, ?) != ? OR EXISTS (SELECT 1 FROM kwestie_updates u"
        " WHERE u.kwestie_id = k.id AND u.text != ?))",
        (*ids, ERASURE_MARKER, ERASURE_MARKER, ERASURE_MARKER, ERASURE_MARKER))]
    if not texts:
        return 0
    marks = ",".join("?" * len(texts))
    conn.execute(f"UPDATE kwesties SET title = ?, description = '', updated_at = ?,"
                 f" outcome = CASE WHEN outcome IS NULL THEN NULL ELSE ? END WHERE id IN ({marks})",
                 (ERASURE_MARKER, stamp, ERASURE_MARKER, *texts))
    conn.execute(f"UPDATE kwestie_updates SET text = ? WHERE kwestie_id IN ({marks})",
                 (ERASURE_MARKER, *texts))
    return len(texts)


def erase(db: Database, ids: Sequence[str], photos_root: Path, by: str | None = None) -> Erased:
    """Remove the personal data of these signals and kwesties; unknown ids are a ValueError
    (nothing erased)."""
    by = by or operator()
    wanted = list(dict.fromkeys(ids))
    conn = db.conn
    with db.transaction():
        marks = ",".join("?" * len(wanted))
        kwesties = [r[0] for r in conn.execute(f"SELECT id FROM kwesties WHERE id IN ({marks})", wanted)]
        rows = {r["id"]: r for r in conn.execute(
            f"SELECT id, deleted, {BLANKED} AS blanked FROM signals WHERE id IN ({marks})",
            [*MARKERS, *wanted])}
        unknown = [i for i in wanted if i not in rows and i not in kwesties]
        if unknown:
            raise ValueError(f"onbekend signaal: {', '.join(unknown)}")
        wanted = [i for i in wanted if i in rows]
        # Already without content: deleted (a tombstone) or erased before with no version left.
        live = [i for i in wanted if not rows[i]["deleted"] and not rows[i]["blanked"]]
        stamp = utc_text(now())
        candidates = blank(conn, live, ERASURE_MARKER, by, stamp)
        unused = unused_photos(conn, candidates)
        photos = forget_photos(conn, unused)
        record_destruction(conn, "signaal-persoonsgegevens", "avg-verzoek", len(live), by, stamp)
        record_destruction(conn, "foto", "avg-verzoek", len(photos), by, stamp)
        texts = _erase_kwesties(conn, kwesties, stamp)
        record_destruction(conn, "kwestie-tekst", "avg-verzoek", texts, by, stamp)
        audit_many(conn, by, "privacy_erase", [*wanted, *kwesties])  # also those that had nothing left
    delete_files(photos_root, unused)
    return Erased(len(live), len(photos), len(wanted) - len(live), kwesties=texts)
