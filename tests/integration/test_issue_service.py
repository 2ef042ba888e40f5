"""Reading issues back through the service: by number, latest, paged list, friendly NotFound."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.services.issues import get_issue, latest_issue, list_issues
from domain.errors import NotFound
from domain.types import IssueStatus, SummaryContent, SummarySource
from storage.db import Database
from storage.models import Issue, IssueItem
from storage.queries.summaries import save_summary
from tests.factories import compose_three_issues
from tests.seed_papers import load_seed_papers

SEED = load_seed_papers()


async def test_get_issue_and_not_found_names_the_latest(db: Database) -> None:
    with pytest.raises(NotFound) as none_yet:
        await get_issue(db, number=1, language="zh")
    assert "no issues" in none_yet.value.user_message

    await compose_three_issues(db)
    issue = await get_issue(db, number=2, language="zh")
    assert issue.number == 2 and len(issue.items) == 2
    assert issue.items[0].paper.summary is not None

    with pytest.raises(NotFound) as missing:
        await get_issue(db, number=99, language="zh")
    assert missing.value.message_for("zh").startswith("第99期不存在，最新一期是第3期")
    assert "the latest is issue 3" in missing.value.message_for("en")


async def test_latest_optionally_only_released(db: Database) -> None:
    with pytest.raises(NotFound):
        await latest_issue(db, language="zh")
    await compose_three_issues(db)
    assert (await latest_issue(db, language="zh")).number == 3
    with pytest.raises(NotFound):
        await latest_issue(db, language="zh", released_only=True)
    async with db.session() as s:
        issue = await s.scalar(select(Issue).where(Issue.number == 2))
        assert issue is not None
        issue.status = IssueStatus.PUBLISHED.value
    released = await latest_issue(db, language="zh", released_only=True)
    assert released.number == 2 and released.status is IssueStatus.PUBLISHED


async def test_list_issues_pages_newest_first(db: Database) -> None:
    await compose_three_issues(db)
    first = await list_issues(db, offset=0, limit=2)
    assert [i.number for i in first.items] == [3, 2]
    assert first.total == 3 and first.has_next and not first.has_previous
    assert all(i.paper_count == 2 for i in first.items)
    second = await list_issues(db, offset=2, limit=2)
    assert [i.number for i in second.items] == [1] and not second.has_next


async def test_view_applies_editor_overrides_and_best_summary(db: Database) -> None:
    await compose_three_issues(db)
    async with db.session() as s:
        items = list(
            await s.scalars(
                select(IssueItem).join(Issue).where(Issue.number == 1).order_by(IssueItem.position)
            )
        )
        items[0].title_override = "编辑的标题"
        items[0].tldr_override = "编辑的一句话"
        items[0].editor_note = "值得一读"
        items[1].included = False
        items[1].position, items[0].position = 1, 2
        # a better (newer LLM) summary arrives after composing: readers see it
        await save_summary(
            s,
            paper_id=items[0].paper_id,
            paper_version=1,
            language="zh",
            model="m2",
            prompt_version="p2",
            source=SummarySource.LLM,
            content=SummaryContent(title_translated="新标题", tldr="新的一句话", rating=5),
        )
    issue = await get_issue(db, number=1, language="zh")
    assert [i.position for i in issue.items] == [1, 2]
    assert issue.items[0].included is False
    edited = issue.items[1]
    assert (edited.display_title, edited.tldr, edited.editor_note) == (
        "编辑的标题",
        "编辑的一句话",
        "值得一读",
    )
    assert edited.paper.summary is not None and edited.paper.summary.model == "m2"
    assert issue.included_items == (edited,)
