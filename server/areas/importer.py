"""Importing official boundaries: replace areas and re-assign every signal, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from geo.assign import AreaIndex
from geo.boundaries import Boundaries

from ..audit import audit
from ..signals.service import SignalService
from ..users.models import User
from .store import insert_areas, load_areas

SYSTEM = User(username="systeem:gebieden-import", role="beheerder")


@dataclass
class ImportReport:
    municipalities: list[str]
    counts: dict[str, int]
    water: int
    kern_source: str
    replaced_defaults: bool
    signals_checked: int = 0
    signals_changed: int = 0


def import_boundaries(service: SignalService, boundaries: Boundaries) -> ImportReport:
    """Replace the areas of the imported municipalities (and the bundled defaults), and
    re-assign every signal through the signal service (a signal whose areas change gets
    a new version and change-log entry, so devices pull the new assignment).

    Areas of other municipalities already imported stay, so a regional
    deployment imports one municipality at a time or all at once.
    """
    munis = boundaries.municipalities
    with service.writing() as w:
        conn = w.conn
        had_defaults = conn.execute(
            "SELECT 1 FROM areas WHERE source = 'default' LIMIT 1").fetchone() is not None
        marks = ",".join("?" * len(munis))
        conn.execute(f"DELETE FROM areas WHERE source = 'default' OR municipality IN ({marks})",
                     munis)
        insert_areas(conn, boundaries.areas, "import")
        index = AreaIndex(load_areas(conn))
        checked, changed = w.reassign(SYSTEM, index)
        audit(conn, SYSTEM.username, "areas_import", ",".join(munis))
    return ImportReport(
        municipalities=munis,
        counts={lvl: boundaries.count(lvl) for lvl in ("kern", "wijk", "buurt")},
        water=sum(a.water for a in boundaries.areas),
        kern_source=boundaries.kern_source,
        replaced_defaults=had_defaults,
        signals_checked=checked,
        signals_changed=changed,
    )
