"""Categories in SQLite."""

from __future__ import annotations

import sqlite3

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


def category_tree(conn: sqlite3.Connection) -> tuple[dict[str, str | None], set[str]]:
    """code → parent code (None for a main category) of every category ever listed, and
    the codes that are active (the ones a signal may newly get)."""
    rows = conn.execute("SELECT code, parent_code, active FROM categories").fetchall()
    return {r[0]: r[1] for r in rows}, {r[0] for r in rows if r[2]}
