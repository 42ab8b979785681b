"""The retention run inside the server: once at start-up (after a short pause) and then
every `retention_interval_hours`, on a thread of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Call `fn` after `first` seconds and then every `every` seconds until `stop()`."""

    def __init__(self, fn: Callable[[], object], every: float, first: float = 60.0,
                 name: str = "retention"):
        self._fn = fn
        self._every = every
        self._first = first
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        if self._every > 0:
            self._thread.start()

    def _loop(self) -> None:
        wait = self._first
        while not self._stopped.wait(wait):
            try:
                self._fn()
            except Exception:  # a failed run is logged and tried again next time
                log.exception("retention run failed")
            wait = self._every

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
