"""Run Alembic migrations programmatically (``poise migrate``); no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from poise.store.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at Poise's migrations and this database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = db.engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return cfg


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema up to date (all heads: contexts may add their own migration branches)."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def is_migrated(db: Database) -> bool:
    """Whether the database has Poise's schema."""
    return inspect(db.engine).has_table("alembic_version")


def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from model changes (developers: ``poise db revision -m ...``)."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
