"""Migration 0008 (PostgreSQL postings) fills itself from the tsvectors already stored, and goes
down and up again; the postings then follow new writes through the trigger.

The paper is stored at head and the schema then taken below 0008: storing goes through today's
models, which name columns later migrations add."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from storage.db import Database
from storage.migrate import downgrade_connection, upgrade_connection
from storage.search import search_paper_ids
from tests.integration.search_helpers import add_paper

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy


async def _postings(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(text("SELECT count(*) FROM paper_search_terms")) or 0)


async def test_upgrade_fills_postings_from_existing_papers(postgres_db: Database) -> None:
    old = await add_paper(postgres_db, title="Sparse attention", abstract="Sparse kernels.")
    async with postgres_db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "0007")
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert "paper_search_terms" not in tables
    async with postgres_db.engine.begin() as conn:
        await conn.run_sync(upgrade_connection, "head")
    async with postgres_db.session() as s:
        lexemes = await s.scalar(
            text("SELECT length(document) FROM paper_search WHERE paper_id = :id"), {"id": old}
        )
    assert await _postings(postgres_db) == lexemes
    new = await add_paper(postgres_db, title="Sparse attention again", abstract="Dense.")
    async with postgres_db.session() as s:
        ranked, total = await search_paper_ids(s, query="sparse attention", offset=0, limit=5)
    assert total == 2 and {paper for paper, _ in ranked} == {old, new}
