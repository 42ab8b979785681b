"""Group commit: writes that wait together share one transaction, and each is answered
only after the COMMIT that made it durable; one failing write never takes others along."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.db import connect
from server.signals.group_commit import GroupCommit
from server.signals.service import Mutation, SignalService
from server.users.models import User

from conftest import signal_body

ACTOR = User(username="t", role="beheerder")


@pytest.fixture
def writes(settings):
    db = open_database(settings).db
    committer = GroupCommit(SignalService(db, AreaCatalog(db)))
    yield committer
    committer.stop()
    db.close()


def create(signal_id: str):
    body = signal_body()
    body.pop("id")
    mutation = Mutation("create", signal_id, body)
    return lambda w: w.apply(ACTOR, mutation)


def stored(settings, signal_id: str) -> bool:
    other = connect(settings.db_path)  # another connection sees only what is committed
    try:
        return other.execute("SELECT 1 FROM signals WHERE id = ?", (signal_id,)).fetchone() is not None
    finally:
        other.close()


def test_writes_waiting_together_share_one_transaction(writes, settings):
    gate, started = threading.Event(), threading.Event()

    def blocker(w):
        started.set()
        gate.wait(10)

    first = writes.submit(blocker)
    started.wait(10)  # the writer is busy: everything below queues up
    ids = [str(uuid.uuid4()) for _ in range(8)]
    futures = [writes.submit(create(i)) for i in ids]
    gate.set()
    first.result(10)
    outcomes = [f.result(10) for f in futures]
    assert [o.status for o in outcomes] == ["applied"] * 8
    assert writes.groups == 2 and writes.jobs == 9  # the blocker's group, then all eight
    assert all(stored(settings, i) for i in ids)


def test_an_answer_comes_only_after_commit(writes, settings):
    sid = str(uuid.uuid4())
    seen_inside: list[bool] = []

    def job(w):
        outcome = create(sid)(w)
        seen_inside.append(stored(settings, sid))  # not yet committed: others cannot see it
        return outcome

    assert writes.call(job).status == "applied"
    assert seen_inside == [False]
    assert stored(settings, sid)  # answered: durable and visible


def test_a_failing_write_is_rolled_back_alone(writes, settings):
    gate, started = threading.Event(), threading.Event()
    blocker = writes.submit(lambda w: (started.set(), gate.wait(10)))
    started.wait(10)
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())

    def failing(w):
        create(bad)(w)  # stored in this job's savepoint ...
        raise RuntimeError("broken job")  # ... and rolled back with it

    f_bad, f_good = writes.submit(failing), writes.submit(create(good))
    gate.set()
    blocker.result(10)
    with pytest.raises(RuntimeError, match="broken job"):
        f_bad.result(10)
    assert f_good.result(10).status == "applied"
    assert stored(settings, good) and not stored(settings, bad)


def test_a_failed_commit_answers_every_write_of_the_group_with_the_error(writes, settings):
    with writes.service.db.transaction() as conn:  # a check that only COMMIT evaluates
        conn.execute("CREATE TABLE deferred_check (signal_id TEXT REFERENCES signals(id)"
                     " DEFERRABLE INITIALLY DEFERRED)")
    gate, started = threading.Event(), threading.Event()
    blocker = writes.submit(lambda w: (started.set(), gate.wait(10)))
    started.wait(10)
    sid = str(uuid.uuid4())
    f_create = writes.submit(create(sid))
    f_breaks = writes.submit(lambda w: w.conn.execute(
        "INSERT INTO deferred_check VALUES ('no such signal')"))
    gate.set()
    blocker.result(10)  # its own group, committed before the others queued
    for f in (f_create, f_breaks):
        with pytest.raises(sqlite3.IntegrityError):
            f.result(10)
    assert not stored(settings, sid)
    assert writes.call(create(sid)).status == "applied"  # the writer goes on
