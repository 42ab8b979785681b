"""Liveness."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import get
from litestar.datastructures import State

from .alerts.detect import DetectionRun
from .guards import PUBLIC


class Detection(msgspec.Struct):
    """The last early-warning run of this server: counts only (anyone may ask), the
    failed parts themselves are in the server log and in `gebiedsradar alerts detect`."""

    at: datetime
    #: Parts of the run (a series, a category of a method, storing a finding).
    units: int
    #: Parts that failed; the others still ran.
    failed: int
    #: Signals left out because their observation time could not be read.
    skipped_signals: int


class Health(msgspec.Struct, omit_defaults=True):
    status: str
    #: Absent until detection has run in this server process.
    detection: Detection | None = None


@get("/health", opt=PUBLIC, operation_id="getHealth", summary="Is the service up",
     tags=["Beheer"], sync_to_thread=False, security=[])
def health(state: State) -> Health:
    state.db.query_one("SELECT 1")
    run = getattr(state.get("detector"), "last", None)
    if not isinstance(run, DetectionRun):
        return Health(status="ok")
    return Health(status="ok", detection=Detection(
        at=run.at, units=run.units, failed=len(run.failures), skipped_signals=run.skipped))
