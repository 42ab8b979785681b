"""Bearer-token authentication for every route not marked public."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from .tokens import check_current, read_token


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` from `Authorization: Bearer <token>`."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise NotAuthorizedException("Log in om dit te gebruiken (Authorization: Bearer ontbreekt).")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("Gebruik 'Authorization: Bearer <token>'.")
        state = connection.app.state
        claims = read_token(token.strip(), state.secret_key)
        # Disabled, a new password, or logged out: the token ended with it (tokens.py).
        # The role comes from the database, not the token: a changed role counts at once.
        user = check_current(state.db, claims)
        return AuthenticationResult(user=user, auth=token.strip())
