"""Migrations apply on both databases, are idempotent, and downgrade cleanly."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.db import Database
from storage.migrate import downgrade_connection

EXPECTED = {
    "papers",
    "summaries",
    "issues",
    "issue_items",
    "fetch_runs",
    "summarize_runs",
    "audit_log",
    "paper_search",
}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table(db: Database) -> None:
    assert await _tables(db) >= EXPECTED


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    assert await _tables(db) >= EXPECTED


async def test_downgrade_to_base_then_upgrade(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "base")
    assert not (EXPECTED & await _tables(db))
    await db.upgrade()
    assert await _tables(db) >= EXPECTED
