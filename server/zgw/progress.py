"""Following made zaken: their current status and result, read from the case system (every
15 minutes in the server, at once with `gebiedsradar export zgw poll`, and for one zaak when a
Notificaties API callback names it). When a zaak reaches its eindstatus, its signals become
"afgesloten" through the normal mutation path (by the system user `zaaksysteem`, so the
history shows who), and a kwestie gets an update and is closed with the result as outcome."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..audit import audit
from ..db import Database
from ..kwesties.store import note_and_close
from ..signals.models import SignalUpdate
from ..signals.service import Mutation, SignalWriter
from ..users.models import User
from . import config as zgw_config
from . import outbox
from .catalogi import CatalogiCache
from .client import ZgwClient, ZgwError
from .subject import kwestie_signal_rows

log = logging.getLogger(__name__)

#: Who closes signals when their zaak is closed (no account: it cannot log in).
SYSTEM = User(username="zaaksysteem", role="beheerder")

SignalWrites = Callable[[Callable[[SignalWriter], Any]], Any]


@dataclass(slots=True)
class PollResult:
    polled: int = 0
    changed: int = 0
    closed: int = 0
    errors: int = 0
    #: The failure of the last zaak that could not be read (a command reports it).
    last_error: ZgwError | None = None


class Progress:
    """Polls the open zaken of one database."""

    def __init__(self, db: Database, client_factory: Callable[[zgw_config.ZgwConfig], ZgwClient],
                 signal_writes: SignalWrites, cache: CatalogiCache | None = None,
                 clock: Callable[[], float] | None = None):
        import time

        self.db = db
        self.client_factory = client_factory
        self.signal_writes = signal_writes
        self.cache = cache or CatalogiCache()
        self.clock = clock or time.time

    def poll(self, zaak_url: str | None = None, *, reported: bool = False) -> PollResult:
        """Read the open zaken (or the one with `zaak_url`) and record what changed.
        `reported`: the caller reports the failures itself (a command, in Dutch, from
        `last_error`), so they are logged at DEBUG, not as warnings beside its message."""
        result = PollResult()
        config = zgw_config.load(self.db.conn)
        if config is None:
            return result
        rows = outbox.open_zaken(self.db.conn, zaak_url)
        if not rows:
            return result
        with self.client_factory(config) as client:
            for row in rows:
                result.polled += 1
                try:
                    status, result_text, ended = self._read(client, row["zaak_url"])
                except ZgwError as e:
                    result.errors += 1
                    result.last_error = e
                    log.log(logging.DEBUG if reported else logging.WARNING,
                            "polling zaak %s failed: %s", row["identificatie"], e.message)
                    continue
                except Exception:  # an answer not as the standard says: the others still go
                    result.errors += 1
                    log.exception("polling zaak %s failed unexpectedly", row["identificatie"])
                    continue
                if (status, result_text) != (row["zaak_status"], row["zaak_result"]) or ended:
                    result.changed += 1
                if ended:
                    self._close(row, status, result_text)
                    result.closed += 1
                else:
                    self._record(row, status, result_text)
        return result

    def _record(self, row: sqlite3.Row, status: str | None, result: str | None) -> None:
        at = self.clock()
        self.db.write(lambda conn: outbox.record_progress(conn, row["id"], status, result, False, at))

    def _read(self, client: ZgwClient, zaak_url: str) -> tuple[str | None, str | None, bool]:
        """(status omschrijving, result omschrijving, at its eindstatus) of one zaak."""
        zaak = client.get(zaak_url, "het lezen van de zaak")
        status = result = None
        ended = bool(zaak.get("einddatum"))
        if zaak.get("status"):
            current = client.get(zaak["status"], "het lezen van de status")
            statustype = self.cache.get(client, current["statustype"], "het lezen van het statustype")
            status = statustype.get("omschrijving")
            ended = ended or bool(statustype.get("isEindstatus"))
        if zaak.get("resultaat"):
            resultaat = client.get(zaak["resultaat"], "het lezen van het resultaat")
            kind = self.cache.get(client, resultaat["resultaattype"], "het lezen van het resultaattype")
            result = kind.get("omschrijving") or resultaat.get("toelichting") or None
        return status, result, ended

    def _close(self, row: sqlite3.Row, status: str | None, result: str | None) -> None:
        """The zaak is closed: its signals afgesloten, a kwestie noted and closed, in one
        transaction with the hand-off row (so a crash never half-closes)."""
        at = self.clock()
        text = (f"Zaak {row['identificatie']} is afgehandeld in het zaaksysteem"
                f" (status: {status or 'eindstatus'}" + (f", resultaat: {result}" if result else "")
                + ").")

        def job(w: SignalWriter) -> None:
            now = outbox.by_id(w.conn, row["id"])
            if now is None or now["closed"]:  # closed meanwhile (a callback and a poll at once)
                return
            if row["subject_kind"] == "signal":
                ids = [row["subject_id"]]
            else:
                ids = [r["id"] for r in kwestie_signal_rows(w.conn, row["subject_id"])]
            open_ids = [sid for sid in ids if (found := w.conn.execute(
                "SELECT status FROM signals WHERE id = ? AND deleted = 0", (sid,)).fetchone())
                is not None and found[0] != "afgesloten"]
            for sid in open_ids:
                outcome = w.apply(SYSTEM, Mutation("update", sid, SignalUpdate(status="afgesloten")))
                if outcome.error is not None:
                    log.warning("closing signal %s after its zaak: %s", sid, outcome.error.detail)
            if row["subject_kind"] == "kwestie":
                note_and_close(w.conn, SYSTEM.username, row["subject_id"], text, result or text)
            outbox.record_progress(w.conn, row["id"], status, result, True, at)
            audit(w.conn, SYSTEM.username, "zaak_closed", row["subject_id"])

        self.signal_writes(job)
