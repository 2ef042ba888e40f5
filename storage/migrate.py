"""Run Alembic programmatically on a connection we already hold (no second event loop)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('digestbot migrate ' || current_schema()))"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Migrate in the caller's transaction. On PostgreSQL several instances may start at once
    (a rolling restart, a fleet booting): a transaction-scoped advisory lock per schema lets one
    migrate while the others wait, then find the schema at head and do nothing."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(MIGRATION_LOCK))
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def downgrade_connection(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)
