"""A reader types 周报1 in WeChat: the weekly round-up in seed 001's shape over real HTTP, fitted
to WeChat's 2048 bytes; 周报9 (none) is a clear answer naming the latest."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from jobs.weekly import compose_weekly
from storage.db import Database
from storage.models import Issue
from tests.conftest import make_settings
from tests.e2e.wechat_harness import serve

WEEK_END = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # the demo daily (20261201) is in this week


async def test_readers_ask_for_the_weekly_in_chinese(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        async with sqlite_db.session() as s:  # the demo's daily, published
            await s.execute(update(Issue).values(status="published", published_at=WEEK_END))
        settings = make_settings(database_url=sqlite_db.url)
        await compose_weekly(settings.editorial, settings.llm, sqlite_db, now=WEEK_END)
        weekly = (await h.wechat.text("o-reader", "周报1")).reply
        same = (await h.wechat.text("o-reader", "/issue w1")).reply
        missing = (await h.wechat.text("o-reader", "周报9")).reply
    assert weekly is not None and weekly == same
    assert weekly.startswith("【极速前进】20261127-20261203") and "一、" in weekly
    assert "论文地址：https://arxiv.org/pdf/" in weekly
    assert len(weekly.encode("utf-8")) <= 2048
    assert missing is not None and "周报第9期不存在" in missing and "/issue w1" in missing
