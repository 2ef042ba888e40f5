"""Reading issues for front ends: one issue by number, the latest one, and the list of all."""

from __future__ import annotations

from core.errors import NotFound
from core.types import IssueStatus, IssueSummary, IssueView, Page
from storage.db import Database
from storage.queries import issues as queries

# What readers may see as "the latest issue" when they ask for only released ones.
RELEASED = (IssueStatus.APPROVED, IssueStatus.PUBLISHED)


async def get_issue(db: Database, *, number: int, language: str) -> IssueView:
    """The issue numbered `number`, with summaries in `language`; NotFound names the latest."""
    async with db.session() as session:
        view = await queries.get_issue_view(session, number=number, language=language)
        if view is not None:
            return view
        latest = await queries.latest_issue_number(session)
    raise NotFound(_missing_message(number, latest), detail=f"issue {number} not found")


def _missing_message(number: int, latest: int | None) -> str:
    if latest is None:
        return f"第{number}期不存在，目前还没有任何一期 / issue {number} does not exist; no issues"
    return (
        f"第{number}期不存在，最新一期是第{latest}期 / "
        f"issue {number} does not exist; latest is 第{latest}期 (issue {latest})"
    )


async def latest_issue(db: Database, *, language: str, released_only: bool = False) -> IssueView:
    """The newest issue (or newest approved/published one); NotFound when there is none."""
    statuses = RELEASED if released_only else None
    async with db.session() as session:
        view = await queries.latest_issue_view(session, language=language, statuses=statuses)
    if view is None:
        raise NotFound("还没有任何一期 / no issues yet")
    return view


async def list_issues(db: Database, *, offset: int = 0, limit: int = 10) -> Page[IssueSummary]:
    """Issues newest first, one page at a time."""
    async with db.session() as session:
        return await queries.list_issues(session, offset=offset, limit=limit)
