"""Wire models of the Open311 read side (field names as GeoReport v2 spells them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

#: A moment with its offset. Documented with the format name "rfc3339": the NL API linter
#: takes a property named `…_date…` for a date and refuses `date-time` on it, and these
#: names are the Open311 standard's.
_MOMENT = Meta(extra_json_schema={"description": "ISO 8601 / RFC 3339 with offset, Dutch time",
                                   "extra": {"format": "rfc3339"}})
Moment = Annotated[datetime, _MOMENT]
MaybeMoment = Annotated[str | None, _MOMENT]  # always null here (no promised date)


class Open311Service(msgspec.Struct):
    """A service: one category or subcategory."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class Open311Request(msgspec.Struct):
    """A service request: one signal not marked as holding personal data, its location
    rounded to the configured grid. Absent values are null (never left out); times ISO 8601
    in Dutch time with its offset."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: Moment
    updated_datetime: Moment
    expected_datetime: MaybeMoment
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
