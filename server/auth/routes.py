"""Log-in and the signed-in user."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from ..guards import PUBLIC
from ..settings import Settings
from ..users.models import User
from .login import check_login
from .tokens import issue_token


class Credentials(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
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
          sync_to_thread=True, security=[])
    def create_token(self, data: JSONBody[Credentials], state: State) -> Token:
        settings: Settings = state.settings
        user = check_login(state.db, data.username.strip().lower(), data.password,
                           free_attempts=settings.login_free_attempts,
                           max_delay=settings.login_max_delay_seconds)
        token = issue_token(user.username, state.secret_key, settings.token_ttl_seconds)
        return Token(access_token=token, token_type="bearer", expires_in=settings.token_ttl_seconds)

    @get("/me", operation_id="getMe", summary="The signed-in user, role and areas",
         sync_to_thread=False)
    def me(self, request: Request[User, str, State]) -> User:
        return request.user
