"""Wire models for users."""

from __future__ import annotations

from typing import Literal

import msgspec

Role = Literal["gebiedsregisseur", "teamleider", "beheerder"]
ROLES: tuple[str, ...] = ("gebiedsregisseur", "teamleider", "beheerder")


class User(msgspec.Struct, frozen=True):
    """A signed-in user as the API shows it.

    Who sees what is `signals/access.py`: a beheerder all signals; anyone else all of
    them only with `all_areas`, otherwise those in `areas` (kern, wijk or buurt codes)
    and the ones they made themselves.
    """

    username: str
    role: Role
    areas: list[str] = msgspec.field(default_factory=list)
    #: Sees the signals of every area (explicit: no areas alone means only one's own).
    all_areas: bool = False
