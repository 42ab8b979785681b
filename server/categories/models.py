"""Wire models for categories."""

from __future__ import annotations

import msgspec


class Subcategory(msgspec.Struct):
    code: str
    name: str


class Category(msgspec.Struct):
    code: str
    name: str
    description: str
    subcategories: list[Subcategory]
