"""Migrations apply on both databases, are idempotent, and downgrade cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.migrate import downgrade_connection
from storage.models import Base

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy

EXPECTED = {
    "papers",
    "summaries",
    "issues",
    "issue_items",
    "fetch_runs",
    "summarize_runs",
    "audit_log",
    "paper_search",
    "seen_nonces",
    "summary_failures",
}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table(db: Database) -> None:
    assert await _tables(db) >= EXPECTED


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    assert await _tables(db) >= EXPECTED


async def test_instances_starting_together_migrate_once(postgres_db: Database) -> None:
    """A fleet booting at once on PostgreSQL: every instance upgrades, one migrates, none
    fails (SQLite serves one instance: cli.instance_lock)."""
    db = postgres_db
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "base")
    others = [Database(db.url) for _ in range(2)]
    try:
        await asyncio.gather(db.upgrade(), *(other.upgrade() for other in others))
    finally:
        for other in others:
            await other.dispose()
    assert await _tables(db) >= EXPECTED


async def test_downgrade_to_base_then_upgrade(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "base")
    assert not (EXPECTED & await _tables(db))
    await db.upgrade()
    assert await _tables(db) >= EXPECTED


def _model_drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    diffs = compare_metadata(context, Base.metadata)
    # The search index is created by hand in the migration and is not an ORM model.
    return [diff for diff in diffs if "paper_search" not in repr(diff)]


async def test_migrations_build_exactly_the_models(db: Database) -> None:
    """A column added to a model without a migration (or the reverse) fails here."""
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_model_drift) == []
