"""Migration 0002 (chats, topics) goes up and down on both databases, keeping 0001's tables."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from core.services.chats import start_chat
from core.services.subscriptions import subscribe
from storage.db import Database
from storage.migrate import downgrade_connection

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_downgrade_to_0001_and_up_again(db: Database) -> None:
    assert {"chats", "topics"} <= await _tables(db)
    await start_chat(db, platform="telegram", chat_id="1", chat_type="private")
    await subscribe(db, platform="telegram", chat_id="1", text="RLHF")
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "0001")
    tables = await _tables(db)
    assert not {"chats", "topics"} & tables and {"papers", "audit_log"} <= tables
    await db.upgrade()
    assert {"chats", "topics"} <= await _tables(db)
    fresh = await start_chat(db, platform="telegram", chat_id="1", chat_type="private")
    assert fresh.is_new and fresh.topic_count == 0


async def test_deleting_a_chat_cascades_to_its_topics(db: Database) -> None:
    from sqlalchemy import delete, func, select

    from storage.models import Chat, Topic

    await start_chat(db, platform="telegram", chat_id="1", chat_type="private")
    await subscribe(db, platform="telegram", chat_id="1", text="RLHF")
    async with db.session() as s:
        await s.execute(delete(Chat))
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Topic)) == 0
