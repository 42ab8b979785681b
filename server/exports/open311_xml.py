"""Open311 documents as XML, the way the GeoReport v2 examples write them.

`<?xml version="1.0" encoding="utf-8"?>`, root `<services>` with `<service>` elements or
`<service_requests>` with `<request>` elements, one child element per field in the
specification's order; null is an empty element (`<media_url/>`), booleans `true`/`false`.
Characters XML 1.0 cannot hold (control characters other than tab and line breaks) are
dropped, never written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from .models import Open311Request, Open311Service

MEDIA_TYPE = "application/xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
REQUEST_FIELDS = tuple(Open311Request.__struct_fields__)
SERVICE_FIELDS = tuple(Open311Service.__struct_fields__)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return escape(_NOT_XML.sub("", str(value)))


def _element(name: str, value: Any) -> str:
    return f"<{name}/>" if value is None or value == "" else f"<{name}>{_text(value)}</{name}>"


def document(root: str, item: str, records: Iterable[Any],
             fields: Sequence[str]) -> bytes:
    """`<root><item>…</item>…</root>` with the fields (attributes) of each record, as UTF-8
    bytes."""
    parts = [DECLARATION, f"<{root}>"]
    for record in records:
        parts.append(f"<{item}>" + "".join(_element(f, getattr(record, f)) for f in fields) + f"</{item}>")
    parts.append(f"</{root}>\n")
    return "".join(parts).encode("utf-8")


def services_xml(services: Iterable[Any]) -> bytes:
    return document("services", "service", services, SERVICE_FIELDS)


def requests_xml(requests: Iterable[Any]) -> bytes:
    return document("service_requests", "request", requests, REQUEST_FIELDS)
