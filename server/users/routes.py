"""User administration (beheerder)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State

from ..guards import require_roles
from .models import User
from .store import list_users


class UsersController(Controller):
    path = "/users"
    tags = ["Gebruikers"]
    guards = [require_roles("beheerder")]

    @get("", operation_id="listUsers", summary="All active users with role and areas (beheerder)",
         sync_to_thread=True)
    def list_users(self, state: State) -> list[User]:
        return list_users(state.db)
