"""The ZGW parts of a running server (or of a command): one catalogue cache, the sender,
the outbox worker and the progress poller, wired to one database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..db import Database
from ..retention.scheduler import Periodic
from ..settings import Settings
from ..signals.service import SignalWriter
from . import config as zgw_config
from .catalogi import CatalogiCache
from .client import ZgwClient
from .handoff import Sender
from .progress import PollResult, Progress
from .worker import Worker

log = logging.getLogger(__name__)


class ZgwRuntime:
    """`worker` sends the outbox, `progress` follows made zaken; `start`/`stop` their threads."""

    def __init__(self, db: Database, settings: Settings,
                 signal_writes: Callable[[Callable[[SignalWriter], Any]], Any],
                 attachments_dir: Path | None = None):
        self.db = db
        self.settings = settings
        self.cache = CatalogiCache()
        timeout = settings.zgw_timeout_seconds

        # One connection pool for every call (keep-alive to the case system), shared by the
        # worker, the poller and requests; httpx clients are thread-safe.
        self.http = httpx.Client(timeout=timeout)

        def client(config: zgw_config.ZgwConfig, *, representation: str | None = None) -> ZgwClient:
            return ZgwClient(config, timeout=timeout, http=self.http,
                             user_representation=representation or config.data.behandelaar)

        self.client = client
        self.sender = Sender(db, attachments_dir or settings.attachments_dir, client, self.cache)
        self.worker = Worker(db, self.sender, after_timeout=3 * timeout,
                             signal_writes=signal_writes)
        self.progress = Progress(db, client, signal_writes, self.cache)
        every = settings.zgw_poll_minutes * 60
        self._poller = Periodic(self.poll, every, first=min(60.0, every), name="zgw-poll")

    def poll(self, zaak_url: str | None = None, *, reported: bool = False) -> PollResult:
        return self.progress.poll(zaak_url, reported=reported)

    def start(self) -> None:
        if self.settings.zgw_worker:
            self.worker.start()
            self._poller.start()

    def stop(self) -> None:
        self.worker.stop()
        self._poller.stop()
        self.http.close()
