"""Route guards: who may call a route (framework glue, shared by every controller)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

#: Route option for routes anyone may call (no bearer token).
PUBLIC = {"exclude_from_auth": True}


def require_roles(*roles: str):
    """A guard that lets only the given roles through."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.user  # a users.models.User, set by the auth middleware
        if user.role not in roles:
            raise PermissionDeniedException(
                f"Uw rol ({user.role}) mag dit niet; nodig: {' of '.join(roles)}."
            )

    return guard
