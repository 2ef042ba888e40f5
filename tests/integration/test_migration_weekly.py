"""Migration 0015 (weekly round-ups numbered apart) on both databases: existing issues become
dailies with their items intact (SQLite rebuilds `issues`), and going down numbers the weeklies
after the last daily, losing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from domain.types import IssueKind
from storage.db import Database
from storage.migrate import downgrade_connection
from storage.models import Issue, IssueItem
from storage.queries.issues import NewItem, create_issue, get_issue_view
from tests.factories import make_paper, store_paper

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy


async def _issue(db: Database, number: int, kind: IssueKind, heading: str | None = None) -> None:
    meta = make_paper()
    async with db.session() as s:
        paper_id = await store_paper(s, meta)
        day = meta.published_at.date()
        await create_issue(
            s, number=number, title=f"{kind.value} {number}", language="zh", period_start=day,
            period_end=day, items=[NewItem(paper_id, None, heading, heading)], kind=kind,
        )  # fmt: skip


async def test_down_numbers_weeklies_after_dailies_and_up_keeps_items(db: Database) -> None:
    await _issue(db, 1, IssueKind.DAILY)
    await _issue(db, 2, IssueKind.DAILY)
    await _issue(db, 1, IssueKind.WEEKLY, heading="本文证明压缩即智能")
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "0014")
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT title, number FROM issues ORDER BY id"))).all()
        items = (await conn.execute(text("SELECT COUNT(*) FROM issue_items"))).scalar_one()
    assert [tuple(row) for row in rows] == [("daily 1", 1), ("daily 2", 2), ("weekly 1", 3)]
    assert items == 3  # the rebuild of `issues` cascaded into no child
    await db.upgrade()
    async with db.session() as s:
        kinds = list(await s.scalars(select(Issue.kind).order_by(Issue.id)))
        items = await s.scalar(select(func.count()).select_from(IssueItem))
        third = await get_issue_view(s, number=3)
    assert kinds == ["daily", "daily", "daily"] and items == 3
    assert third is not None and third.items[0].heading is None  # the columns came back empty
    await _issue(db, 1, IssueKind.WEEKLY)  # numbering per kind again
