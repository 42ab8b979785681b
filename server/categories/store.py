"""Categories in SQLite."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass

from ..db import Database
from .defaults import DEFAULT_CATEGORIES
from .models import Category, Subcategory


def load_default_categories(db: Database) -> int:
    """Insert the default list when the table is empty; returns how many were added."""
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM categories LIMIT 1").fetchone():
            return 0
        n = 0
        for pos, (code, name, description, subs) in enumerate(DEFAULT_CATEGORIES):
            conn.execute(
                "INSERT INTO categories (code, name, description, position) VALUES (?, ?, ?, ?)",
                (code, name, description, pos),
            )
            n += 1
            for sub_pos, (sub_code, sub_name) in enumerate(subs):
                conn.execute(
                    "INSERT INTO categories (code, name, parent_code, position) VALUES (?, ?, ?, ?)",
                    (sub_code, sub_name, code, sub_pos),
                )
                n += 1
        return n


def list_categories(db: Database) -> list[Category]:
    rows = db.query("SELECT * FROM categories WHERE active = 1 ORDER BY position, code")
    subs: dict[str, list[Subcategory]] = {}
    for r in rows:
        if r["parent_code"]:
            subs.setdefault(r["parent_code"], []).append(Subcategory(code=r["code"], name=r["name"]))
    return [
        Category(code=r["code"], name=r["name"], description=r["description"],
                 subcategories=subs.get(r["code"], []))
        for r in rows
        if not r["parent_code"]
    ]


@dataclass(frozen=True, slots=True)
class CategoryTree:
    """Every category ever listed with its parent, and which ones are active."""

    parents: dict[str, str | None]
    active: frozenset[str]

    def is_main(self, code: str) -> bool:
        """An active main category: what a signal may newly get as its category."""
        return code in self.active and self.parents[code] is None

    def is_sub_of(self, code: str, category: str) -> bool:
        """An active subcategory of `category`."""
        return code in self.active and self.parents.get(code) == category

    def fits(self, subcategory: str, category: str) -> bool:
        """Whether a stored subcategory still belongs to this category (unknown codes do)."""
        return self.parents.get(subcategory, category) == category


def category_tree(conn: sqlite3.Connection) -> CategoryTree:
    rows = conn.execute("SELECT code, parent_code, active FROM categories").fetchall()
    return CategoryTree({r[0]: r[1] for r in rows}, frozenset(r[0] for r in rows if r[2]))


class CategoryCache:
    """The category tree, read again at most every `check_every` seconds (it changes rarely;
    each signal write needs it)."""

    def __init__(self, check_every: float = 2.0):
        self._check_every = check_every
        self._tree: CategoryTree | None = None
        self._read = 0.0
        self._lock = threading.Lock()

    def get(self, conn: sqlite3.Connection) -> CategoryTree:
        with self._lock:
            if self._tree is None or time.monotonic() - self._read > self._check_every:
                self._tree, self._read = category_tree(conn), time.monotonic()
            return self._tree
