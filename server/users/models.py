"""Wire models for users."""

from __future__ import annotations

from typing import Literal

import msgspec

Role = Literal["gebiedsregisseur", "teamleider", "beheerder"]
ROLES: tuple[str, ...] = ("gebiedsregisseur", "teamleider", "beheerder")


class User(msgspec.Struct, frozen=True):
    """A signed-in user as the API shows it."""

    username: str
    role: Role
    areas: list[str] = msgspec.field(default_factory=list)
