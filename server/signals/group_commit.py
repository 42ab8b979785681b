"""Group commit: signal writes that arrive together share one transaction and one fsync.

Every signal write of the server (REST and sync) is a job handed to one writer
thread. The thread takes all jobs waiting at that moment, runs each in its own
savepoint inside one `SignalService.writing()` transaction, commits once, and
only then answers each job. So twenty phones pushing at once cost one COMMIT,
not twenty, and nobody is told "stored" before it is durable. A job that fails
is rolled back to its savepoint and gets its exception; the others commit.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from .service import SignalService, SignalWriter

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Enough mutations for one transaction; more wait for the next (keeps latency bounded).
MAX_GROUP_WEIGHT = 2000


class GroupCommit:
    """One writer thread for a `SignalService`; `run(job)` from async code, `call(job)` from threads."""

    def __init__(self, service: SignalService, max_weight: int = MAX_GROUP_WEIGHT):
        self.service = service
        self.max_weight = max_weight
        self._queue: deque[tuple[Callable[[SignalWriter], Any], int, Future]] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        #: Transactions committed and jobs answered (for tests and the benchmark).
        self.groups = 0
        self.jobs = 0

    def submit(self, job: Callable[[SignalWriter], T], weight: int = 1) -> Future[T]:
        """Queue a job; its future is answered after the COMMIT that made it durable."""
        future: Future[T] = Future()
        # The job runs in the caller's context (request id, client, device for the audit log).
        context = contextvars.copy_context()
        job = functools.partial(context.run, job)
        with self._cond:
            if self._stopping:
                raise RuntimeError("the signal writer has stopped")
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="signal-writer",
                                                daemon=True)
                self._thread.start()
            self._queue.append((job, weight, future))
            self._cond.notify()
        return future

    async def run(self, job: Callable[[SignalWriter], T], weight: int = 1) -> T:
        return await asyncio.wrap_future(self.submit(job, weight))

    def call(self, job: Callable[[SignalWriter], T], weight: int = 1) -> T:
        return self.submit(job, weight).result()

    def write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """A plain write (such as the audit entry of a read) in the next group commit;
        on the writer thread itself it joins the transaction already open."""
        if threading.current_thread() is self._thread:
            return job(self.service.db.conn)
        return self.call(lambda w: job(w.conn))

    def stop(self) -> None:
        """Answer what is queued, then stop the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=60)

    def _take(self) -> list[tuple[Callable[[SignalWriter], Any], int, Future]] | None:
        with self._cond:
            while not self._queue:
                if self._stopping:
                    return None
                self._cond.wait()
            group, weight = [], 0
            while self._queue and (not group or weight + self._queue[0][1] <= self.max_weight):
                item = self._queue.popleft()
                group.append(item)
                weight += item[1]
            return group

    def _loop(self) -> None:
        while (group := self._take()) is not None:
            answers: list[tuple[Future, Any, BaseException | None]] = []
            try:
                with self.service.writing() as w:
                    for job, _, future in group:
                        answers.append((future, *self._run_one(w, job)))
            except BaseException as e:  # the COMMIT failed: nothing of this group is stored
                log.exception("signal write transaction failed")
                for _, _, future in group:
                    future.set_exception(e)
                continue
            self.groups += 1
            self.jobs += len(group)
            for future, result, error in answers:
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
        self.service.db.close_thread()

    @staticmethod
    def _run_one(w: SignalWriter, job: Callable[[SignalWriter], Any]
                 ) -> tuple[Any, BaseException | None]:
        changed = set(w.changed)
        w.conn.execute("SAVEPOINT job")
        try:
            result = job(w)
        except Exception as e:  # this job only: roll it back, the rest of the group commits
            w.conn.execute("ROLLBACK TO job")
            w.conn.execute("RELEASE job")
            w.changed = changed
            return None, e
        w.conn.execute("RELEASE job")
        return result, None
