"""Migration 0009 (the seeds' fields) on both databases: a summary written before it loads after
it with its whole-number rating, and going down and up keeps every issue's link to it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from domain.types import SummaryContent
from storage.db import Database
from storage.migrate import downgrade_connection
from storage.models import IssueItem
from storage.queries.issues import NewItem, create_issue
from storage.queries.summaries import best_summaries
from tests.factories import make_paper, store_paper

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy


async def test_down_to_0008_and_up_keeps_old_summaries(db: Database) -> None:
    meta = make_paper()
    async with db.session() as s:
        content = SummaryContent(title_translated="旧", tldr="x", rating=4, summary="本文……")
        paper_id = await store_paper(s, meta, content)
        summary = (await best_summaries(s, paper_ids=[paper_id], language="zh"))[paper_id]
        await create_issue(
            s, number=1, title="t", language="zh", period_start=meta.published_at.date(),
            period_end=meta.published_at.date(), items=[NewItem(paper_id, summary.id)],
        )  # fmt: skip
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "0008")
    async with db.engine.connect() as conn:  # what code before 0009 reads: the whole rating
        assert (await conn.execute(text("SELECT rating FROM summaries"))).scalar_one() == 4
    await db.upgrade()
    async with db.session() as s:
        back = (await best_summaries(s, paper_ids=[paper_id], language="zh"))[paper_id]
        linked = await s.scalar(select(IssueItem.summary_id))
    assert back.content.rating == 4 and back.content.summary == "" and back.content.topic == ""
    assert linked == summary.id  # no table rebuild nulled the issue's link
