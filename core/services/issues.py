"""Reading issues for front ends: one issue by number, the latest one, and the list of all."""

from __future__ import annotations

from domain.errors import NotFound
from domain.types import IssueStatus, IssueSummary, IssueView, Page
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
    raise _missing(number, latest)


def _missing(number: int, latest: int | None) -> NotFound:
    if latest is None:
        return NotFound(
            f"Issue {number} does not exist; there are no issues yet.",
            zh=f"第{number}期不存在，目前还没有任何一期。",
        )
    return NotFound(
        f"Issue {number} does not exist; the latest is issue {latest} (/issue {latest}).",
        zh=f"第{number}期不存在，最新一期是第{latest}期（/issue {latest}）。",
    )


async def latest_issue(db: Database, *, language: str, released_only: bool = False) -> IssueView:
    """The newest issue (or newest approved/published one); NotFound when there is none."""
    statuses = RELEASED if released_only else None
    async with db.session() as session:
        view = await queries.latest_issue_view(session, language=language, statuses=statuses)
    if view is None:
        raise NotFound("There are no issues yet.", zh="还没有任何一期。")
    return view


async def list_issues(db: Database, *, offset: int = 0, limit: int = 10) -> Page[IssueSummary]:
    """Issues newest first, one page at a time."""
    async with db.session() as session:
        return await queries.list_issues(session, offset=offset, limit=limit)
