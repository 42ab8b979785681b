"""The `zaak` of signals and kwesties as the API shows it (a `ZaakRef`, or null)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from .models import ZaakRef
from .outbox import to_ref


def _template(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT data FROM zgw_config WHERE id = 1").fetchone()
    return json.loads(row[0]).get("zaak_weblink") if row is not None else None


def signal_refs(conn: sqlite3.Connection, signal_ids: Sequence[str]) -> dict[str, ZaakRef]:
    """Each signal's zaak: its own hand-off, or else that of a kwestie it is in."""
    if not signal_ids or conn.execute("SELECT 1 FROM zaak_handoffs LIMIT 1").fetchone() is None:
        return {}
    template = _template(conn)
    out: dict[str, ZaakRef] = {}
    ids = list(dict.fromkeys(signal_ids))
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for r in conn.execute(f"{_SIGNAL_ZAKEN} WHERE z.signal_id IN"
                              f" ({','.join('?' * len(part))})", part):
            out.setdefault(r["signal_id"], to_ref(r, template, _via(r)))
    return out


#: A signal's zaak with the hand-off it comes from (its own, or a kwestie's).
_SIGNAL_ZAKEN = ("SELECT z.*, h.subject_kind AS via_kind, h.subject_id AS via_id"
                 " FROM signal_zaken z JOIN zaak_handoffs h ON h.id = z.handoff_id")


def _via(row: sqlite3.Row) -> str | None:
    return row["via_id"] if row["via_kind"] == "kwestie" else None


def kwestie_of(conn: sqlite3.Connection, signal_id: str) -> str | None:
    """The kwestie whose hand-off is this signal's zaak (None: the signal has its own, or none)."""
    row = conn.execute(f"{_SIGNAL_ZAKEN} WHERE z.signal_id = ?", (signal_id,)).fetchone()
    return _via(row) if row is not None else None


def kwestie_ref(conn: sqlite3.Connection, kwestie_id: str) -> ZaakRef | None:
    row = conn.execute("SELECT * FROM zaak_handoffs WHERE subject_kind = 'kwestie'"
                       " AND subject_id = ?", (kwestie_id,)).fetchone()
    return to_ref(row, _template(conn)) if row is not None else None
