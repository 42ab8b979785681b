"""Times: RFC 3339 on the wire, sortable UTC text in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Amsterdam")
_UTC_TEXT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so string order is time order in SQL (the year has four digits)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def from_utc_text(text: str) -> datetime:
    return datetime.strptime(text, _UTC_TEXT).replace(tzinfo=UTC)


def period_bound(value: str, *, end: bool) -> datetime:
    """Parse a `since`/`until` value: an RFC 3339 time, or a date taken in Dutch time.

    A bare date as an end bound means the end of that day, so `until=2026-11-30`
    includes the 30th.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("gebruik een datum (JJJJ-MM-DD) of een tijd volgens RFC 3339") from None
    if len(value) == 10:  # a date
        day = date.fromisoformat(value)
        start = datetime.combine(day, time(0), tzinfo=LOCAL)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL) if end else start
    if moment.tzinfo is None:
        raise ValueError("een tijd moet een tijdzone hebben, bijvoorbeeld +01:00 of Z")
    return moment
