"""The worker thread that empties the outbox: sends due hand-offs, retries transient failures
with exponential back-off and jitter, stops permanent ones with the case system's message,
and resumes after a restart (a row left `sending` by a crash is taken up again when its lease,
renewed at every step, runs out: within two minutes).

Tests and the benchmark drive it without a thread: `run_once(now)` sends what is due at
`now`, `drain()` repeats that with a virtual clock that jumps to the next due time, so no
test waits for a real back-off.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from ..audit import audit
from ..db import Database
from ..signals.models import SignalUpdate
from ..signals.service import Mutation, SignalWriter
from . import outbox
from .client import RETRIED, ZgwError
from .handoff import Sender
from .progress import SYSTEM, SignalWrites
from .subject import kwestie_signal_rows

log = logging.getLogger(__name__)

#: Back-off: 2^attempt seconds, at most an hour, times a random factor in [0.5, 1].
BASE = 2.0
CAP = 3600.0
#: Tries before a hand-off that keeps failing transiently is given up (about a day).
MAX_ATTEMPTS = 30


def backoff(attempts: int, rng: random.Random, cap: float = CAP) -> float:
    """Seconds to wait after the `attempts`-th failed try: full back-off with jitter."""
    return min(cap, BASE ** min(attempts, 30)) * rng.uniform(0.5, 1.0)


class Worker:
    """Sends the outbox of one database."""

    def __init__(self, db: Database, sender: Sender, *, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None, max_attempts: int = MAX_ATTEMPTS,
                 cap: float = CAP, idle: float = 300.0, after_timeout: float = 0.0,
                 signal_writes: SignalWrites | None = None):
        self.db = db
        self.sender = sender
        #: The mutation path (GroupCommit) that puts signals back when a hand-off fails.
        self.signal_writes = signal_writes
        self.clock = clock
        self.rng = rng or random.Random()
        self.max_attempts = max_attempts
        self.cap = cap
        self.idle = idle
        #: Least wait after a call that timed out: it may still land, and the next try's
        #: look-up should see it (a late status or zaakobject would otherwise come twice).
        self.after_timeout = after_timeout
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one run at a time (thread, CLI-like callers, tests)
        #: Counts since start: calls that failed transiently and permanently, rows done.
        self.retries = 0
        self.failures = 0
        self.sent = 0
        #: The failure of the last try that failed (a command reports it in its own words).
        self.last_error: ZgwError | None = None

    # -- the thread -----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="zgw-worker", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Something was queued: look now instead of at the next due time."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.run_once()
                    nxt = outbox.next_due(self.db.conn)
                except Exception:  # never let the thread die: log and look again later
                    log.exception("zgw worker run failed")
                    nxt = None
                wait = self.idle if nxt is None else max(0.0, min(self.idle, nxt - self.clock()))
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            self.db.close_thread()

    # -- one run --------------------------------------------------------------------------

    def run_once(self, now: float | None = None) -> int:
        """Send every hand-off due at `now` (once each); returns how many were tried."""
        with self._lock:
            at = self.clock() if now is None else now
            rows = outbox.due(self.db.conn, at)
            for row in rows:
                if self._stop.is_set() and self._thread is not None:
                    break
                self._one(row, at)
            return len(rows)

    def _one(self, row, at: float) -> None:
        if not self.db.write(lambda conn: outbox.claim(conn, row["id"], at)):
            return  # another process is sending it
        attempts = row["attempts"] + 1
        try:
            status = self.sender.send(outbox.by_id(self.db.conn, row["id"]), at)
        except ZgwError as error:
            e = error
        except Exception:  # a bug or an unreadable answer: retried like a transient one
            log.exception("zgw hand-off %s failed unexpectedly", row["id"])
            # The user sees Dutch words, not the exception; the details are in the log.
            e = ZgwError("Er ging iets onverwachts mis bij het doorzetten; de beheerder vindt"
                         " de details in het serverlog.", permanent=False)
        else:
            self.sent += 1
            self.db.write(lambda conn: self._finish(conn, row, status, at))
            return
        self._failed(row, e, attempts, at)

    @staticmethod
    def _finish(conn, row, status: str | None, at: float) -> None:
        """Done, unless signals joined the kwestie while it was being sent (after its
        zaakobjecten were made): then it goes once more, at once, to add them."""
        if row["subject_kind"] == "kwestie":
            now = outbox.by_id(conn, row["id"])
            live = [r["id"] for r in kwestie_signal_rows(conn, row["subject_id"])]
            if now is not None and outbox.missing_signals(now, live):
                outbox.retry_later(conn, row["id"], None, at, at)
                return
        outbox.finish(conn, row["id"], status, at)

    def _failed(self, row, e: ZgwError, attempts: int, at: float) -> None:
        """A try that failed: stopped (permanent, or too many tries) or tried again later."""
        self.last_error = e
        if e.permanent or attempts >= self.max_attempts:
            self.failures += 1
            message = e.message if e.permanent else (
                f"Na {attempts} pogingen opgegeven: {e.message}")

            def failed(conn) -> None:
                outbox.fail(conn, row["id"], message, at)
                audit(conn, row["requested_by"], "zaak_handoff", row["subject_id"], "failed")

            if self.signal_writes is None:
                self.db.write(failed)
            else:
                def failed_and_put_back(w: SignalWriter) -> None:
                    failed(w.conn)
                    put_back(w, row["id"])
                self.signal_writes(failed_and_put_back)
        else:
            self.retries += 1
            self._later(row, f"Nog niet gelukt (poging {attempts}): {e.worded(RETRIED)}", attempts, at,
                        self.after_timeout if e.timed_out else 0.0)

    def _later(self, row, message: str, attempts: int, at: float, least: float = 0.0) -> None:
        nxt = at + max(least, backoff(attempts, self.rng, self.cap))
        self.db.write(lambda conn: outbox.retry_later(conn, row["id"], message, nxt, at))

    def drain(self, *, start: float | None = None, max_rounds: int = 10_000) -> float:
        """Run until nothing is queued, jumping a virtual clock to each next due time (tests,
        benchmark); returns the virtual time at the end. Rows that fail stay failed."""
        t = self.clock() if start is None else start
        for _ in range(max_rounds):
            nxt = outbox.next_due(self.db.conn)
            if nxt is None:
                return t
            t = max(t, nxt)
            self.run_once(t)
        raise RuntimeError("the outbox did not drain")


def put_back(w: SignalWriter, handoff_id: int) -> None:
    """A hand-off failed for good: its signals get back the status they had before it was
    asked for (through the mutation path, by the system user, so the history says who and a
    sync pull sees it), but only those still "doorgezet": a user's change since wins."""
    for sid, before in outbox.take_before(w.conn, handoff_id).items():
        found = w.conn.execute("SELECT status FROM signals WHERE id = ? AND deleted = 0",
                               (sid,)).fetchone()
        if found is None or found[0] != "doorgezet" or before == "doorgezet":
            continue
        outcome = w.apply(SYSTEM, Mutation("update", sid, SignalUpdate(status=before)))
        if outcome.error is not None:
            log.warning("putting back signal %s after a failed hand-off: %s", sid,
                        outcome.error.detail)
