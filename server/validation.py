"""What every input must be, and reading msgspec validation errors as field problems.

The rules on text live here, in the types the wire models use, so they hold for every
field on every path (REST and each sync mutation) without a check per endpoint:
`Text` refuses NUL and the Unicode controls that reverse the direction text is shown in
(a description could otherwise display as something else than it says). Such text is
rejected, not stripped: the sender learns which field was wrong and nothing is changed
silently. One parser turns msgspec's errors into field problems for the API and sync.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

from .errors import FieldIssue, Invalid

T = TypeVar("T")

#: NUL, and the bidirectional controls: LRE, RLE, PDF, LRO, RLO (U+202A–E), the isolates
#: LRI, RLI, FSI, PDI (U+2066–9), the marks LRM, RLM (U+200E/F) and ALM (U+061C).
FORBIDDEN_CHARACTERS = r"\x00\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
SAFE_TEXT = f"^[^{FORBIDDEN_CHARACTERS}]*$"
FORBIDDEN_REASON = "bevat een NUL-teken of een teken dat de schrijfrichting omkeert (niet toegestaan)"
#: Text a client sends: any length (narrow it with another Meta), none of the forbidden characters.
Text = Annotated[str, Meta(pattern=SAFE_TEXT)]

_AT = re.compile(r"^(.*?)(?: - at `\$\.?([^`]*)`)?$", re.S)
_MISSING = re.compile(r"missing required field `([^`]+)`")
#: A model's own check (`__post_init__`) names its field this way: see `field_error`.
_OWN = re.compile(r"^veld `([^`]+)`: (.*)$", re.S)


def field_error(name: str, reason: str) -> ValueError:
    """An error for a model's `__post_init__` about one of its fields (msgspec only knows the
    path of the model itself; `field_issue` reads the field name back)."""
    return ValueError(f"veld `{name}`: {reason}")


def field_issue(message: str, path: str, root: str) -> FieldIssue:
    """A validation message about `path` (dotted, '' for the whole object) as a field issue.

    msgspec names the object that lacks a required field; the issue names the field itself.
    """
    if missing := _MISSING.search(message):
        return FieldIssue(f"{path}.{missing.group(1)}" if path else missing.group(1),
                          "verplicht veld ontbreekt")
    if own := _OWN.match(message):
        return FieldIssue(f"{path}.{own.group(1)}" if path else own.group(1), own.group(2))
    if SAFE_TEXT in message.replace("\\\\", "\\"):
        return FieldIssue(path or root, FORBIDDEN_REASON)
    return FieldIssue(path or root, message)


def convert(data: Any, kind: type[T], root: str = "data") -> T:
    """`data` as `kind`, or `Invalid` naming the field that is wrong."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as e:
        message, path = _AT.match(str(e)).groups()  # type: ignore[union-attr]
        issue = field_issue(message, path or "", root)
        raise Invalid(issue.name, issue.reason, f"Controleer {issue.name}.") from None
