"""Domain errors: what went wrong, in the domain's words, without the web framework.

The domain raises these; `problems.py` turns them into problem+json for the
API, the sync protocol reports them per mutation, and the CLI prints their
detail. A sync mutation's error is stored with its idempotency record
(`to_record`/`from_record`), so a retry answers the same problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One field that was wrong: its dotted name and why."""

    name: str
    reason: str


class DomainError(Exception):
    """Base of every domain error; `kind` names it in records and maps it to a status."""

    kind: ClassVar[str] = "error"

    def __init__(self, detail: str, *, errors: tuple[FieldIssue, ...] | list[FieldIssue] = ()):
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class Invalid(DomainError):
    """The content is readable but not acceptable (a field is wrong)."""

    kind = "invalid"

    def __init__(self, field: str, reason: str, detail: str | None = None, *,
                 errors: tuple[FieldIssue, ...] | list[FieldIssue] = ()):
        super().__init__(detail or f"Veld '{field}': {reason}",
                         errors=errors or (FieldIssue(field, reason),))


class Unreadable(Invalid):
    """A value that cannot be read at all (a query value, a cursor, a header)."""

    kind = "unreadable"


class Unsupported(Invalid):
    """Content of a type the server does not take (e.g. a photo that is no image)."""

    kind = "unsupported"


class NotFound(DomainError):
    kind = "not_found"


class Forbidden(DomainError):
    kind = "forbidden"


class Conflict(DomainError):
    """The request collides with what the server holds."""

    kind = "conflict"


class TooLarge(DomainError):
    kind = "too_large"


class NotSignedIn(DomainError):
    kind = "not_signed_in"

    def __init__(self, detail: str, *, invalid_token: bool = False):
        super().__init__(detail)
        #: The bearer token itself is wrong (expired, forged, its user gone).
        self.invalid_token = invalid_token


class TooManyAttempts(DomainError):
    kind = "too_many_attempts"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


KINDS: dict[str, type[DomainError]] = {
    cls.kind: cls for cls in (Invalid, Unreadable, Unsupported, NotFound, Forbidden, Conflict,
                              TooLarge, NotSignedIn)}


def register(cls: type[DomainError]) -> type[DomainError]:
    """Make a domain error defined elsewhere readable from records."""
    KINDS[cls.kind] = cls
    return cls
# Records written before domain errors existed hold a rendered problem with its status.
_BY_STATUS = {400: Unreadable, 403: Forbidden, 404: NotFound, 409: Conflict, 413: TooLarge,
              415: Unsupported, 422: Invalid}


def to_record(error: DomainError) -> str:
    """The error as JSON text, to store with a mutation's idempotency record."""
    return json.dumps({"kind": error.kind, "detail": error.detail,
                       "errors": [[e.name, e.reason] for e in error.errors]})


def from_record(text: str) -> DomainError:
    """An error stored by `to_record` (or an older rendered problem) back as an error."""
    data = json.loads(text)
    cls = KINDS.get(data.get("kind", "")) or _BY_STATUS.get(data.get("status"), Conflict)
    errors = [FieldIssue(*e) if isinstance(e, list) else FieldIssue(e["name"], e["reason"])
              for e in data.get("errors") or []]
    error = DomainError.__new__(cls)
    DomainError.__init__(error, data.get("detail", ""), errors=errors)
    return error
