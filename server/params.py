"""Query values shared by several routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter

from .errors import Unreadable
from .timeutil import period_bound

#: The largest offset SQLite can take (a signed 64-bit integer); larger is a 400, not a 500.
MAX_OFFSET = 2**63 - 1
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Hoeveel overslaan")]


def period_param(name: str, value: str | None, *, end: bool) -> datetime | None:
    """A period bound from a query value (`since`, `until`, `from`, `to`); 400 when unreadable.

    Any readable RFC 3339 time or date is answered: one beyond the years 1…9999 in UTC is
    clamped (`until=9999-12-31` means "no end"), see `timeutil.period_bound`."""
    if value is None:
        return None
    try:
        return period_bound(value, end=end)
    except ValueError as e:
        raise Unreadable(name, str(e)) from None
