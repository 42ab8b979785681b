"""Log-in, log-out and the signed-in user."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from ..audit import audit
from ..guards import PUBLIC
from ..settings import Settings
from ..users.models import User
from ..validation import Text
from .login import Logins
from .tokens import issue_token, read_token, revoke


class Credentials(msgspec.Struct):
    # The name tried goes into the audit log: the text rule holds for it (the password is
    # only hashed, never shown, so it may hold any character).
    username: Annotated[Text, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class Token(msgspec.Struct):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class AuthController(Controller):
    path = "/"
    tags = ["Inloggen"]

    @post("/auth/token", opt=PUBLIC, status_code=200, operation_id="createToken",
          summary="Log in: exchange username and password for a bearer token",
          description="Failed attempts are throttled per username, per client address and per"
                      " pair of both, and drain away over time; a throttled attempt answers 429"
                      " with Retry-After, for known and unknown usernames alike.",
          security=[])
    async def create_token(self, request: Request, data: JSONBody[Credentials], state: State) -> Token:
        settings: Settings = state.settings
        logins: Logins = state.logins
        address = request.client.host if request.client else "unknown"
        signed_in = await logins.log_in(data.username.strip().lower(), data.password, address)
        token = issue_token(signed_in.user.username, state.secret_key, settings.token_ttl_seconds,
                            generation=signed_in.token_generation, epoch=signed_in.epoch)
        return Token(access_token=token, token_type="bearer", expires_in=settings.token_ttl_seconds)

    @post("/auth/logout", status_code=204, operation_id="logout",
          summary="Log out: end the session of the token used (other devices stay signed in)",
          sync_to_thread=True)
    def logout(self, request: Request[User, str, State], state: State) -> None:
        claims = read_token(request.auth, state.secret_key)
        with state.db.transaction() as conn:
            revoke(conn, claims)
            audit(conn, request.user.username, "logout", request.user.username, "allowed")

    @get("/me", operation_id="getMe", summary="The signed-in user, role and areas",
         sync_to_thread=False)
    def me(self, request: Request[User, str, State]) -> User:
        return request.user
