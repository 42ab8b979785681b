"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error leaving the API goes through `problem_response`, so clients only
ever see one error shape: type, title, status, detail, and `errors` naming the
fields that were wrong. The domain raises `errors.DomainError`s; `STATUS` maps
each kind to its HTTP status. `ProblemError` is for the HTTP layer itself
(headers, body size).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from .errors import DomainError, NotSignedIn, TooManyAttempts
from .methods import allow_header
from .settings import API_PREFIX
from .validation import field_issue

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://gebiedsradar.nl/problemen/"

TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    412: "Versie klopt niet",
    413: "Te groot",
    415: "Type niet ondersteund",
    422: "Gegevens kloppen niet",
    429: "Te veel pogingen",
    500: "Interne fout",
}
SLUGS = {
    400: "ongeldig-verzoek",
    401: "niet-ingelogd",
    403: "geen-toegang",
    404: "niet-gevonden",
    405: "methode-niet-toegestaan",
    409: "conflict",
    412: "versie-klopt-niet",
    413: "te-groot",
    415: "type-niet-ondersteund",
    422: "ongeldige-gegevens",
    429: "te-veel-pogingen",
    500: "interne-fout",
}


#: The HTTP status of each kind of domain error.
STATUS = {"invalid": 422, "unreadable": 400, "unsupported": 415, "not_found": 404,
          "forbidden": 403, "conflict": 409, "overlap": 409, "too_large": 413,
          "not_signed_in": 401, "too_many_attempts": 429}


class FieldError(msgspec.Struct):
    """One field that was wrong: its dotted name and why."""

    name: str
    reason: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raise in the HTTP layer to answer with a problem (the domain raises DomainError)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.title = title


def make_problem(status: int, detail: str, *, instance: str | None = None,
                 errors: list[FieldError] | None = None, title: str | None = None) -> Problem:
    return Problem(
        type=TYPE_BASE + SLUGS.get(status, str(status)),
        title=title or TITLES.get(status, "Fout"),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors or None,
    )


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers or {},
    )


def _field_error(error: dict[str, Any]) -> FieldError:
    """Litestar's error entry → a field error with the full dotted field name."""
    key = str(error.get("key") or "")
    issue = field_issue(str(error.get("message", "ongeldig")),
                        "" if key in ("data", "body") else key, "body")
    return FieldError(name=issue.name, reason=issue.reason)


def problem_for(error: DomainError, instance: str | None = None) -> Problem:
    """A domain error as a problem."""
    return make_problem(STATUS.get(error.kind, 409), error.detail, instance=instance,
                        errors=[FieldError(name=e.name, reason=e.reason) for e in error.errors])


def _domain_headers(error: DomainError) -> dict[str, str]:
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, NotSignedIn):
        return {"WWW-Authenticate": 'Bearer realm="gebiedsradar", error="invalid_token"'
                if error.invalid_token else 'Bearer realm="gebiedsradar"'}
    return {}


def _validation_problem(request: Request, exc: ValidationException) -> Problem:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [_field_error(e) for e in extra if isinstance(e, dict)]
    sources = {e.get("source") for e in extra if isinstance(e, dict)}
    text = str(exc.detail)
    if "malformed" in text.lower() or "decode" in text.lower():
        return make_problem(400, "De inhoud is geen geldige JSON.", instance=request.url.path)
    # A well-formed body with wrong fields is 422; bad query or path values are 400.
    status = 422 if sources == {"body"} else 400
    names = ", ".join(e.name for e in errors) or "het verzoek"
    return make_problem(status, f"Controleer {names}.", instance=request.url.path, errors=errors)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


#: Statuses that refuse access: each is an audit entry with result `denied` (BIO2 8.15).
DENIED = frozenset({401, 403, 404, 429})
#: The log-in records its own attempts, with the name tried (auth/login.py).
_SELF_AUDITED = (f"{API_PREFIX}/auth/token",)


def handle_exception(request: Request, exc: Exception) -> Response[Any]:
    """The one exception handler of the app; a refusal is also written to the audit log."""
    response = _handle(request, exc)
    if response.status_code in DENIED and request.url.path not in _SELF_AUDITED \
            and (response.status_code != 404 or isinstance(exc, DomainError)):
        # A 404 of the router (no such path) is no refusal; a domain NotFound is (out of scope).
        from .audit.denials import record_denial

        record_denial(request, response.status_code)
    return response


def _handle(request: Request, exc: Exception) -> Response[Any]:
    if isinstance(exc, DomainError):
        return problem_response(problem_for(exc, request.url.path), _domain_headers(exc))
    if isinstance(exc, ProblemError):
        problem = make_problem(exc.status, exc.detail, instance=request.url.path,
                               errors=exc.errors, title=exc.title)
        return problem_response(problem, exc.headers)
    if isinstance(exc, ValidationException):
        return problem_response(_validation_problem(request, exc))
    if isinstance(exc, RecursionError):  # msgspec gives up on JSON nested ~1,000 deep
        return problem_response(make_problem(400, "De JSON is te diep genest.",
                                             instance=request.url.path))
    if isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail if exc.detail and exc.detail != TITLES.get(status) else ""
        if not detail or detail == _phrase(status):
            detail = {
                401: "Log in om dit te gebruiken.",
                403: "Uw rol mag dit niet.",
                404: f"Er is niets op {request.url.path}.",
                405: f"{request.method} kan niet op {request.url.path}.",
                413: "Het verzoek is te groot.",
            }.get(status, detail or TITLES.get(status, "Fout"))
        headers = dict(exc.headers or {})
        if status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="gebiedsradar"')
        if status == 405:
            headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
            headers["Allow"] = allow_header((exc.headers or {}).get("allow", ""))
        return problem_response(make_problem(status, detail, instance=request.url.path), headers)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        make_problem(HTTP_500_INTERNAL_SERVER_ERROR, "Er ging iets mis op de server.",
                     instance=request.url.path)
    )


__all__ = ["FieldError", "Problem", "ProblemError", "handle_exception",
           "problem_for", "MediaType"]
