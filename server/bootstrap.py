"""Opening a database for use: schema, defaults and the signing key."""

from __future__ import annotations

from dataclasses import dataclass

from .areas.store import load_default_areas
from .auth.tokens import secret_key
from .categories.store import load_default_categories
from .db import Database
from .migrations import migrate
from .settings import Settings
from .sync.epoch import server_epoch


@dataclass
class Opened:
    db: Database
    migrations_run: list[str]
    areas_loaded: int
    categories_loaded: int


def open_database(settings: Settings) -> Opened:
    """Bring the database to the current schema and load defaults where empty."""
    db = Database(settings.db_path)
    ran = migrate(db)
    areas = load_default_areas(db)
    categories = load_default_categories(db)
    secret_key(db, settings.secret_key)  # fail early on a bad configured key
    with db.transaction() as conn:
        server_epoch(conn)
    return Opened(db=db, migrations_run=ran, areas_loaded=areas, categories_loaded=categories)
