"""The fixed columns of the CSV and GeoJSON exports: their names, what each holds, and how
a chunk of stored rows becomes their values.

The order and the names never change within API version 1 (add at the end only), so a
spreadsheet or script built on an export keeps working. README.md ("Exports") lists them
from `COLUMNS`. A pseudonymised export leaves out the columns marked `personal` and rounds
the locations to a grid (`rounding.py`); of a signal marked as holding personal data it
also leaves out the location and the buurt (in a village a 100 m cell can be one house).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..areas.store import AreaCatalog
from ..timeutil import LOCAL
from .rounding import round_points

Value = str | float | bool | None


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    doc: str
    #: A number (lat, lon): written as a number, never neutralised as a formula.
    numeric: bool = False
    #: Left out of a pseudonymised export.
    personal: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "UUID of the signal (the same id as in the API and the app)"),
    Column("observed_at", "when it was observed: RFC 3339 in Dutch time (Europe/Amsterdam),"
                          " e.g. 2026-11-28T10:15:00+01:00"),
    Column("category", "category code (GET /api/v1/categories)"),
    Column("subcategory", "subcategory code, or empty"),
    Column("kern_code", "CBS code of the kern (woonplaats), empty outside every area"),
    Column("kern_name", "name of the kern"),
    Column("wijk_code", "CBS wijk code (WKxxxxxx)"),
    Column("wijk_name", "name of the wijk"),
    Column("buurt_code", "CBS buurt code (BUxxxxxxxx); pseudonymised: empty for a signal with"
                         " personal data"),
    Column("buurt_name", "name of the buurt"),
    Column("lat", "latitude, WGS84 degrees; empty without a location. Pseudonymised: the centre"
                  " of its grid cell, empty for a signal with personal data", numeric=True),
    Column("lon", "longitude, WGS84 degrees (as lat)", numeric=True),
    Column("urgency", "laag, normaal, hoog or acuut"),
    Column("status", "nieuw, in_behandeling, doorgezet or afgesloten"),
    Column("source", "who it came from: inwoner, ondernemer, organisatie, dorpsbelang,"
                     " jongerenraad, bezwaarmaker, eigen_waarneming, anders"),
    Column("follow_up_date", "follow-up date (YYYY-MM-DD), or empty"),
    Column("zaak_identificatie", "identificatie of the zaak in the case system, once handed off"),
    Column("contains_personal_data", "ja when marked as holding personal data, else nee"
                                     " (GeoJSON: true/false)"),
    Column("created_by", "user name of whoever recorded it", personal=True),
    Column("assignee", "user name it is handed to, or empty", personal=True),
    Column("description", "the description as written (may hold personal data)", personal=True),
)

def columns(pseudonymised: bool) -> tuple[Column, ...]:
    """The columns of an export, in order."""
    return tuple(c for c in COLUMNS if not (pseudonymised and c.personal))


def local_time(observed_at: str) -> str:
    """A stored observation time as RFC 3339 in Dutch time, to the second."""
    return datetime.fromisoformat(observed_at).astimezone(LOCAL).isoformat(timespec="seconds")


def values(rows: Sequence[Mapping[str, Any]], catalog: AreaCatalog, *, pseudonymised: bool,
           grid_m: float) -> list[tuple[Value, ...]]:
    """The values of `columns(pseudonymised)` for a chunk of source rows (locations of the
    whole chunk rounded at once)."""
    lats: list[float | None] = [r["lat"] for r in rows]
    lons: list[float | None] = [r["lon"] for r in rows]
    if pseudonymised:
        hidden = [r["contains_personal_data"] or r["lat"] is None or r["lon"] is None for r in rows]
        shown = [i for i, h in enumerate(hidden) if not h]
        la, lo = round_points([lats[i] for i in shown], [lons[i] for i in shown], grid_m)
        lats, lons = [None] * len(rows), [None] * len(rows)
        for j, i in enumerate(shown):
            lats[i], lons[i] = la[j], lo[j]
    ref = catalog.ref
    out = []
    for r, lat, lon in zip(rows, lats, lons, strict=True):
        kern, wijk = ref("kern", r["kern_code"]), ref("wijk", r["wijk_code"])
        personal = bool(r["contains_personal_data"])
        buurt = None if pseudonymised and personal else ref("buurt", r["buurt_code"])
        row: tuple[Value, ...] = (
            r["id"], local_time(r["observed_at"]), r["category"], r["subcategory"],
            kern.code if kern else r["kern_code"], kern.name if kern else None,
            wijk.code if wijk else r["wijk_code"], wijk.name if wijk else None,
            None if pseudonymised and personal else r["buurt_code"], buurt.name if buurt else None,
            lat, lon, r["urgency"], r["status"], r["source"], r["follow_up_date"],
            r["zaak_identificatie"], personal)
        if not pseudonymised:
            row += (r["created_by"], r["assignee"], r["description"])
        out.append(row)
    return out
