"""After-commit events: who changed what, told once the change is durable.

The signal service publishes `SignalsChanged` after its transaction commits
(never for a rolled-back change); early-warning detection subscribes, and so
can exports later. Subscribers run on the committing thread and must be quick
(hand work to a timer or a queue); one that fails is logged and the others
still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignalsChanged:
    """Signals were created, changed or deleted (their ids)."""

    ids: frozenset[str]


Subscriber = Callable[[SignalsChanged], object]


class Events:
    """A small synchronous publish/subscribe bus for one process."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(fn)

    def publish(self, event: SignalsChanged) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for fn in subscribers:
            try:
                fn(event)
            except Exception:  # one subscriber must not stop the others or the writer
                log.exception("subscriber %r failed on %r", fn, event)
