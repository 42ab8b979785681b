"""Times: RFC 3339 on the wire, one fixed-width UTC text in the database.

Every time the server stores or compares as text goes through `utc_text`
(`2026-11-28T09:15:00.000000Z`, always 27 characters), so string order in SQL is
time order. Times a client sends are accepted only when plausible (`plausible`),
and period filters are clamped to what can be stored (`period_bound`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Amsterdam")
_UTC_TEXT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: The earliest and latest moment a filter can name; a bound beyond them is clamped.
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
#: A signal observed before this is a typing error, not an observation.
OBSERVED_FLOOR = datetime(2000, 1, 1, tzinfo=UTC)
#: How far ahead of the server's clock an observation may be (a phone's clock runs fast).
OBSERVED_AHEAD = timedelta(days=1)


def now() -> datetime:
    return datetime.now(UTC)


def to_utc(moment: datetime) -> datetime:
    """An aware moment in UTC; one that falls outside years 1…9999 in UTC is clamped."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is still year 0 in UTC
        return EARLIEST if moment.year < 5000 else LATEST


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so string order is time order in SQL: always a four-digit year
    (`strftime("%Y")` writes year 1 as `1`) and microseconds (`isoformat` drops zero ones)."""
    u = to_utc(moment)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond:06d}Z")


def from_utc_text(text: str) -> datetime:
    return datetime.strptime(text, _UTC_TEXT).replace(tzinfo=UTC)


def stored_time(text: str) -> datetime:
    """A time column read back: the fixed-width text, or any older ISO text with an offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plausible(moment: datetime, at: datetime | None = None) -> str | None:
    """Why an observation time is not plausible (Dutch), or None when it is: from
    2000-01-01T00:00:00Z up to one day after `at` (now)."""
    limit = (at or now()) + OBSERVED_AHEAD
    utc = to_utc(moment)
    if utc < OBSERVED_FLOOR:
        return "moet op of na 2000-01-01T00:00:00Z liggen"
    if utc > limit:
        return "mag hooguit één dag na nu liggen"
    return None


def period_bound(value: str, *, end: bool) -> datetime:
    """Parse a `since`/`until` value: an RFC 3339 time, or a date taken in Dutch time.

    A bare date as an end bound means the end of that day, so `until=2026-11-30`
    includes the 30th. Any readable value is answered: a bound beyond what can be
    stored (`until=9999-12-31`, year 1 with a positive offset) is clamped to the
    earliest or latest moment, so it simply filters nothing out. The result is in UTC.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("gebruik een datum (JJJJ-MM-DD) of een tijd volgens RFC 3339") from None
    if len(value) == 10:  # a date
        day = date.fromisoformat(value)
        try:
            if end:
                day += timedelta(days=1)
        except OverflowError:
            return LATEST
        return to_utc(datetime.combine(day, time(0), tzinfo=LOCAL))
    if moment.tzinfo is None:
        raise ValueError("een tijd moet een tijdzone hebben, bijvoorbeeld +01:00 of Z")
    return to_utc(moment)
