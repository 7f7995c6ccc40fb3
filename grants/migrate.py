"""Alembic, wired to the application's database URL.

``flask --app grants db upgrade`` (and ``downgrade``, ``current``, ``revision``) call these; the plain
Alembic CLI works the same from the repository root (``alembic upgrade head``), reading
``DATABASE_URL`` or the default SQLite file through ``migrations/env.py``.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from grants import REPO_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    # ConfigParser treats % as interpolation; URLs may contain escaped characters.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
