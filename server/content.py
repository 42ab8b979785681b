"""Request bodies: a route that reads JSON takes JSON only.

Without this rule a body sent as `text/plain` (or with no type, or a form) is read
as JSON anyway; a client or a proxy that labels a body wrongly should learn so.
A route reads JSON when it has a `data` parameter (`JSONBody[...]`); the photo
upload reads its bytes itself and checks them as an image.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from .problems import ProblemError

#: application/json and its structured suffixes (application/merge-patch+json, …).
_JSON = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def reads_json(request: Request[Any, Any, Any]) -> bool:
    return "data" in request.route_handler.parsed_fn_signature.parameters


def require_json(request: Request[Any, Any, Any]) -> None:
    """Before a route reads its body: 415 when the body is not declared as JSON."""
    if request.method not in ("POST", "PUT", "PATCH") or not reads_json(request):
        return
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if _JSON.match(declared):
        return
    if not declared and request.headers.get("content-length", "0") == "0" \
            and "transfer-encoding" not in request.headers:
        return  # no body at all: the route answers what is missing
    raise ProblemError(415, f"Stuur de inhoud als JSON (Content-Type: application/json), niet als "
                            f"{declared or 'inhoud zonder Content-Type'}.")
