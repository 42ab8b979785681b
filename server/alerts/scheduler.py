"""Detection after new signals arrive, debounced: one run for a burst of pushes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Debounced:
    """Call `fn` once, `delay` seconds after the first `request()` of a burst."""

    def __init__(self, fn: Callable[[], object], delay: float):
        self._fn = fn
        self._delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        #: What the last run returned (None before the first, or when it raised).
        self.last: object = None

    def request(self) -> None:
        with self._lock:
            if self._timer is not None:
                return  # a run is already coming: it will see these signals too
            self._timer = threading.Timer(self._delay, self._run)
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.last = self._fn()
        except Exception:  # detection must never take the server down
            self.last = None
            log.exception("early-warning detection failed")

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
