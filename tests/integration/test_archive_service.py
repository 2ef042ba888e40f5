"""The public archive shows published issues only, and names only published issues per paper."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.services.archive import (
    archive_paper,
    latest_published_issue,
    published_issue,
    published_issues,
    recent_published_issues,
)
from core.services.search import search_papers
from domain.errors import InvalidInput, NotFound
from domain.types import IssueStatus
from storage.db import Database
from storage.models import Issue
from storage.queries.issues import get_issue_view
from tests.factories import compose_three_issues
from tests.seed_papers import load_seed_papers

SEED = load_seed_papers()


async def _three_issues_second_published(db: Database) -> None:
    """Issues 1 (rejected), 2 (published) and 3 (draft), two papers each."""
    await compose_three_issues(db)
    async with db.session() as s:
        for number, status in ((1, IssueStatus.REJECTED), (2, IssueStatus.PUBLISHED)):
            issue = await s.scalar(select(Issue).where(Issue.number == number))
            assert issue is not None
            issue.status = status.value


async def test_only_published_issues_are_public(db: Database) -> None:
    with pytest.raises(NotFound):
        await latest_published_issue(db)
    await _three_issues_second_published(db)
    assert (await published_issue(db, number=2)).number == 2
    for hidden in (1, 3, 99):
        with pytest.raises(NotFound) as missing:
            await published_issue(db, number=hidden)
        assert missing.value.message_for("zh") == f"第{hidden}期尚未发布。"
    assert (await latest_published_issue(db)).number == 2
    page = await published_issues(db, limit=10)
    assert [issue.number for issue in page.items] == [2] and page.total == 1
    assert [view.number for view in await recent_published_issues(db)] == [2]


async def test_a_paper_names_only_its_published_issues(db: Database) -> None:
    await _three_issues_second_published(db)
    issue = await published_issue(db, number=2)
    published_id = issue.items[0].paper.meta.arxiv_id
    paper, numbers = await archive_paper(db, arxiv_id=f"arXiv:{published_id}", language="zh")
    assert paper.meta.arxiv_id == published_id and numbers == (2,)
    draft = (await compose_ids(db, number=3))[0]
    _, draft_numbers = await archive_paper(db, arxiv_id=draft, language="zh")
    assert draft_numbers == ()
    with pytest.raises(NotFound):
        await archive_paper(db, arxiv_id="2001.00001", language="zh")
    with pytest.raises(InvalidInput):
        await archive_paper(db, arxiv_id="<script>", language="zh")


async def test_public_search_names_only_published_issues(db: Database) -> None:
    await _three_issues_second_published(db)
    async with db.session() as s:
        draft = await get_issue_view(s, number=3)
    assert draft is not None
    title = draft.items[0].paper.meta.title
    everything = await search_papers(db, query=title, language="zh")
    public = await search_papers(db, query=title, language="zh", published_only=True)
    assert everything.items[0].paper.meta.title == public.items[0].paper.meta.title == title
    assert everything.items[0].issue_numbers == (3,)
    assert public.items[0].issue_numbers == ()


async def compose_ids(db: Database, *, number: int) -> list[str]:
    async with db.session() as s:
        view = await get_issue_view(s, number=number)
    assert view is not None
    return [item.paper.meta.arxiv_id for item in view.items]
