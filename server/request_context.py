"""Where a request comes from, for the audit log: its id, the client address, the device.

`RequestContextMiddleware` (pure ASGI) gives every HTTP request a `RequestContext`
in a context variable: the request id is the client's `X-Request-ID` when it is a
sane token, else a new one, and is echoed in the response's `X-Request-ID` header so
a user's complaint and the audit log can be matched. The sync push adds the device
(`set_device`). Code that runs a request's work on another thread copies the context
(the signal writer does, `group_commit.py`), so `audit()` there still sees it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

HEADER = "x-request-id"
#: A request id we take over from the client: short, printable, no separators to inject.
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


@dataclass(slots=True)
class RequestContext:
    request_id: str
    client: str | None = None
    device_id: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("gebiedsradar_request", default=None)


def current() -> RequestContext | None:
    """The context of the request being handled, or None (command line, background jobs)."""
    return _current.get()


def set_device(device_id: str) -> None:
    """Name the device the current request comes from (a sync push)."""
    ctx = _current.get()
    if ctx is not None:
        ctx.device_id = device_id


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's request id when valid, else a new one."""
    for name, value in headers:
        if name.lower() == HEADER.encode():
            text = value.decode("latin-1").strip()
            if _VALID_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """ASGI middleware: one `RequestContext` per HTTP request, its id echoed in the response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ctx = RequestContext(request_id_from(list(scope.get("headers", []))),
                             client[0] if client else None)
        header = (HEADER.encode(), ctx.request_id.encode())

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        token = _current.set(ctx)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
