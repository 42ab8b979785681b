"""GeoJSON (RFC 7946): one FeatureCollection, written feature by feature.

WGS84 longitude, latitude (no `crs` member: RFC 7946 has none); a signal without a location
has `"geometry": null`. The properties are the CSV's columns with JSON types (numbers,
`true`/`false`, `null`), under the same names; the feature's `id` is the signal's id.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .columns import Column, Value

MEDIA_TYPE = "application/geo+json"
_encode = msgspec.json.Encoder().encode


class GeoJsonEncoder:
    """Bytes of a GeoJSON export: `header()`, `rows(chunk)` per chunk, `footer()`."""

    def __init__(self, cols: Sequence[Column]):
        self.names = tuple(c.name for c in cols)
        self._lat, self._lon = self.names.index("lat"), self.names.index("lon")
        self._first = True

    def header(self) -> bytes:
        return b'{"type":"FeatureCollection","features":[\n'

    def rows(self, chunk: Sequence[Sequence[Value]]) -> bytes:
        if not chunk:
            return b""
        names, lat_i, lon_i = self.names, self._lat, self._lon
        features = [{
            "type": "Feature", "id": row[0],
            "geometry": {"type": "Point", "coordinates": [row[lon_i], row[lat_i]]}
            if row[lat_i] is not None and row[lon_i] is not None else None,
            "properties": dict(zip(names, row, strict=True)),
        } for row in chunk]
        # One encode per chunk: the list's brackets off, a comma before all but the first.
        body = _encode(features)[1:-1].replace(b'},{"type":"Feature"', b'},\n{"type":"Feature"')
        lead = b"" if self._first else b",\n"
        self._first = False
        return lead + body

    def footer(self) -> bytes:
        return b"\n]}\n"
