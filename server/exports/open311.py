"""Open311 GeoReport v2, read side: services (the categories) and service requests (the
signals), with the specification's field names (https://wiki.open311.org/GeoReport_v2).

What is published, and why:
- only signals NOT marked as holding personal data; a marked one does not exist here
  (a single request answers 404, as for an unknown id);
- the location moved to the centre of its grid cell (`location_rounding_m`, default
  100 m, rounding.py), so no home can be identified; `address` names the buurt and
  kern (never a street), `address_id` and `zipcode` are null;
- `description` only when the beheerder allows it (`include_descriptions`), else null;
- `media_url` null: photos stay behind the log-in (they may show people);
- `status` open or closed (afgesloten → closed, everything else open), `status_notes`
  the Dutch status and, once handed off, the zaak identificatie;
- `requested_datetime` the observation time, `updated_datetime` the last change,
  `expected_datetime` null; ISO 8601 with the Dutch offset;
- `service_code` the subcategory when the signal has one, else its category.

The same access rule as everywhere: a team lead bound to areas gets the signals of those
areas only. Filters as the specification names them (`service_code` comma separated,
`status` open/closed, `start_date`/`end_date` on `requested_datetime`, by default the
last 90 days, as the specification says), plus `page`/`page_size`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from ..areas.store import AreaCatalog
from ..errors import Unreadable
from ..signals.queries import SignalFilter
from ..timeutil import LOCAL, now, stored_time
from ..users.models import User
from . import source
from .config import Open311Config
from .models import Open311Request, Open311Service
from .rounding import round_points

STATUS_NOTES = {"nieuw": "Nieuw", "in_behandeling": "In behandeling",
                "doorgezet": "Doorgezet naar de organisatie", "afgesloten": "Afgesloten"}
DEFAULT_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
PUBLIC = "contains_personal_data = 0"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    description: str
    parent: str | None


def categories(conn: sqlite3.Connection) -> dict[str, Category]:
    """Every category (active or not: old signals keep theirs), by code."""
    rows = conn.execute("SELECT code, name, description, parent_code, active FROM categories"
                        " ORDER BY parent_code IS NOT NULL, position, code").fetchall()
    return {r["code"]: Category(r["code"], r["name"], r["description"], r["parent_code"])
            for r in rows}


def services(conn: sqlite3.Connection) -> list[Open311Service]:
    """One service per active category and subcategory, grouped by main category."""
    active = {r[0] for r in conn.execute("SELECT code FROM categories WHERE active = 1")}
    cats = categories(conn)
    subs: dict[str, list[Category]] = {}
    for c in cats.values():
        if c.parent and c.code in active:
            subs.setdefault(c.parent, []).append(c)
    out = []
    for main in (c for c in cats.values() if c.parent is None and c.code in active):
        out.append(_service(main, main, ", ".join(s.name for s in subs.get(main.code, []))))
        out += [_service(s, main, main.name) for s in subs.get(main.code, [])]
    return out


def _service(c: Category, main: Category, keywords: str) -> Open311Service:
    return Open311Service(service_code=c.code, service_name=c.name,
                          description=c.description or main.description, metadata=False,
                          type="realtime", keywords=keywords, group=main.name)


@dataclass(frozen=True, slots=True)
class RequestQuery:
    """The filters of GET requests, read and checked."""

    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # open, closed
    start: datetime | None = None
    end: datetime | None = None
    ids: tuple[str, ...] = ()
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def split_list(name: str, value: str | None, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
    """A comma separated query value (the specification's way of repeating one)."""
    items = tuple(v.strip() for v in (value or "").split(",") if v.strip())
    if allowed is not None and (bad := [v for v in items if v not in allowed]):
        raise Unreadable(name, f"{', '.join(bad)} is geen geldige waarde; kies uit {', '.join(allowed)}")
    return items


def _where(q: RequestQuery, *, window: bool) -> tuple[SignalFilter, str, list[Any]]:
    """The list filter and the extra SQL of a request query."""
    extra, params = [PUBLIC], []
    if q.ids:
        extra.append(f"signals.id IN ({','.join('?' * len(q.ids))})")
        params += list(q.ids)
        return SignalFilter(), " AND ".join(extra), params  # ids override the rest (spec)
    if q.service_codes:
        marks = ",".join("?" * len(q.service_codes))
        extra.append(f"(category IN ({marks}) OR subcategory IN ({marks}))")
        params += [*q.service_codes, *q.service_codes]
    if len(set(q.statuses)) == 1:
        extra.append("status = 'afgesloten'" if q.statuses[0] == "closed" else "status != 'afgesloten'")
    start, end = q.start, q.end
    if window and start is None and end is None:
        start = now() - DEFAULT_WINDOW
    elif window and start is None and end is not None:
        start = end - DEFAULT_WINDOW
    return SignalFilter(since=start, until=end), " AND ".join(extra), params


def _local(stored: str) -> datetime:
    """A stored time in Dutch time, to the second."""
    return stored_time(stored).astimezone(LOCAL).replace(microsecond=0)


def _request(r: sqlite3.Row, cats: dict[str, Category], catalog: AreaCatalog, config: Open311Config,
             lat: float | None, lon: float | None) -> Open311Request:
    code = r["subcategory"] or r["category"]
    cat = cats.get(code)
    zaak = r["zaak_identificatie"]
    places = [ref.name for ref in (catalog.ref("buurt", r["buurt_code"]), catalog.ref("kern", r["kern_code"]))
              if ref is not None]
    return Open311Request(
        service_request_id=r["id"],
        status="closed" if r["status"] == "afgesloten" else "open",
        status_notes=STATUS_NOTES.get(r["status"], r["status"]) + (f" (zaak {zaak})" if zaak else ""),
        service_name=cat.name if cat else code,
        service_code=code,
        description=r["description"] if config.include_descriptions else None,
        agency_responsible=config.agency_responsible,
        service_notice=None,
        requested_datetime=_local(r["observed_at"]),
        updated_datetime=_local(r["updated_at"]),
        expected_datetime=None,
        address=", ".join(dict.fromkeys(places)) or None,
        address_id=None,
        zipcode=None,
        lat=lat,
        long=lon,
        media_url=None,
    )


def to_requests(rows: Sequence[sqlite3.Row], cats: dict[str, Category], catalog: AreaCatalog,
                config: Open311Config) -> list[Open311Request]:
    """Service requests of a chunk of source rows (locations rounded at once)."""
    located = [i for i, r in enumerate(rows) if r["lat"] is not None and r["lon"] is not None]
    la, lo = round_points([rows[i]["lat"] for i in located], [rows[i]["lon"] for i in located],
                          config.location_rounding_m)
    points: dict[int, tuple[float, float]] = {i: (la[j], lo[j]) for j, i in enumerate(located)}
    return [_request(r, cats, catalog, config, *points.get(i, (None, None)))
            for i, r in enumerate(rows)]


def list_requests(conn: sqlite3.Connection, catalog: AreaCatalog, user: User, q: RequestQuery,
                  config: Open311Config) -> list[Open311Request]:
    """One page of service requests, newest first."""
    flt, extra, params = _where(q, window=True)
    sql, all_params = source.select(conn, user, flt, extra=extra, extra_params=tuple(params),
                                    newest_first=True,
                                    page=(q.page_size, (q.page - 1) * q.page_size))
    return to_requests(conn.execute(sql, all_params).fetchall(), categories(conn), catalog, config)


def one_request(conn: sqlite3.Connection, catalog: AreaCatalog, user: User, request_id: str,
                config: Open311Config) -> Open311Request | None:
    """One service request, or None when it does not exist, is not public or not visible."""
    found = list_requests(conn, catalog, user, RequestQuery(ids=(request_id,)), config)
    return found[0] if found else None


def stream_requests(conn: sqlite3.Connection, catalog: AreaCatalog, user: User, flt: SignalFilter,
                    config: Open311Config, counter: list[int]) -> Iterator[bytes]:
    """Every public service request under `flt` as one JSON array, chunk by chunk, oldest
    first (the CLI: no paging, no default window); `counter[0]` counts the rows."""
    cats = categories(conn)
    sql, params = source.select(conn, user, flt, extra=PUBLIC)
    yield b"["
    first = True
    for rows in source.chunks(conn, sql, params):
        counter[0] += len(rows)
        body = msgspec.json.encode(to_requests(rows, cats, catalog, config))[1:-1]
        yield (b"\n" if first else b",\n") + body
        first = False
    yield b"\n]\n"
