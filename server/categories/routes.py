"""The category list."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State

from .models import Category
from .store import list_categories


class CategoriesController(Controller):
    path = "/categories"
    tags = ["Categorieën"]

    @get("", operation_id="listCategories", summary="The managed category list with subcategories",
         sync_to_thread=True)
    def list_categories(self, state: State) -> list[Category]:
        return list_categories(state.db)
