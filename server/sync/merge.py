"""Field-level merge of an update made on an older version of a signal."""

from __future__ import annotations

from typing import Any

# Wire fields and the columns that hold them: a location changes as a whole.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("category",),
    "subcategory": ("subcategory",),
    "description": ("description",),
    "urgency": ("urgency",),
    "source": ("source",),
    "location": ("lat", "lon", "accuracy_m", "location_method"),
    "observed_at": ("observed_at",),
    "status": ("status",),
    "contains_personal_data": ("contains_personal_data",),
    "attachments": ("attachments",),
    "follow_up_date": ("follow_up_date",),
}


def _group(values: dict[str, Any], field: str) -> tuple:
    return tuple(values[c] for c in FIELD_COLUMNS[field])


def merge(base: dict[str, Any] | None, server: dict[str, Any], client: dict[str, Any],
          sent: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge by field; returns the merged columns and the fields both sides changed.

    `base` is the version the client edited, `server` the current one, `client` the
    client's whole intended state and `sent` the fields the client changed. The
    client's mutation is the later one in server order, so it wins where both
    changed a field; the server's other changes are kept. Without a known base
    the client's sent fields simply win.
    """
    merged = dict(server)
    both: list[str] = []
    for field in sent:
        theirs = _group(client, field)
        if base is not None and _group(base, field) == theirs:
            continue  # sent, but not changed relative to what the client saw
        if base is not None and _group(server, field) != _group(base, field) \
                and _group(server, field) != theirs:
            both.append(field)
        for col in FIELD_COLUMNS[field]:
            merged[col] = client[col]
    return merged, sorted(both)
