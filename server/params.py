"""Query values shared by several routes."""

from __future__ import annotations

from datetime import datetime

from .errors import Unreadable
from .timeutil import period_bound


def period_param(name: str, value: str | None, *, end: bool) -> datetime | None:
    """A period bound from a query value (`since`, `until`, `from`, `to`); 400 when unreadable."""
    if value is None:
        return None
    try:
        return period_bound(value, end=end)
    except ValueError as e:
        raise Unreadable(name, str(e)) from None
