"""Reading msgspec validation errors as field problems: one parser for the API and sync."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from .errors import FieldIssue, Invalid

T = TypeVar("T")

_AT = re.compile(r"^(.*?)(?: - at `\$\.?([^`]*)`)?$", re.S)
_MISSING = re.compile(r"missing required field `([^`]+)`")


def field_issue(message: str, path: str, root: str) -> FieldIssue:
    """A validation message about `path` (dotted, '' for the whole object) as a field issue.

    msgspec names the object that lacks a required field; the issue names the field itself.
    """
    if missing := _MISSING.search(message):
        return FieldIssue(f"{path}.{missing.group(1)}" if path else missing.group(1),
                          "verplicht veld ontbreekt")
    return FieldIssue(path or root, message)


def convert(data: Any, kind: type[T], root: str = "data") -> T:
    """`data` as `kind`, or `Invalid` naming the field that is wrong."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as e:
        message, path = _AT.match(str(e)).groups()  # type: ignore[union-attr]
        issue = field_issue(message, path or "", root)
        raise Invalid(issue.name, issue.reason, f"Controleer {issue.name}.") from None
