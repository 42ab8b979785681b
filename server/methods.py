"""HTTP methods of the API: what `OPTIONS` answers and what `Allow` says.

`OPTIONS` on any API path is answered here, before authentication and guards: it
only says which methods the path has (RFC 9110 §9.3.7), so it needs no token and
reveals nothing else. There is no CORS: the app is served from the same origin.
A method a path does not have is a 405 problem with the same `Allow` header.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.exceptions import MethodNotAllowedException, NotFoundException

#: A method no route has: routing with it names the methods the path does have.
_PROBE = "PROBE-METHODS"


def allowed_methods(app: Litestar, path: str) -> str | None:
    """The `Allow` header of an API path (`GET, OPTIONS, POST`), None when no route has it."""
    try:
        app.asgi_router.handle_routing(path=path, method=_PROBE)  # type: ignore[arg-type]
    except MethodNotAllowedException as e:
        return allow_header((e.headers or {}).get("allow", ""))
    except (NotFoundException, ValueError):  # no such path, or a path value of the wrong type
        return None
    return None


def allow_header(methods: str) -> str:
    """Methods as one `Allow` value: sorted, always with OPTIONS."""
    names = {m.strip().upper() for m in methods.split(",") if m.strip()} | {"OPTIONS"}
    return ", ".join(sorted(names))
