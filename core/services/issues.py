"""Reading issues for front ends: one issue by number, the latest one, and the list of all."""

from __future__ import annotations

from domain.errors import NotFound
from domain.issue_ref import IssueRef
from domain.types import IssueKind, IssueStatus, IssueSummary, IssueView, Page
from storage.db import Database
from storage.queries import issues as queries

# What readers may see as "the latest issue" when they ask for only released ones.
RELEASED = (IssueStatus.APPROVED, IssueStatus.PUBLISHED)


async def get_issue(
    db: Database, *, number: int, language: str, kind: IssueKind = IssueKind.DAILY
) -> IssueView:
    """The issue numbered `number`, with summaries in `language`; NotFound names the latest."""
    async with db.session() as session:
        view = await queries.get_issue_view(session, number=number, language=language, kind=kind)
        if view is not None:
            return view
        latest = await queries.latest_issue_number(session, kind=kind)
    if kind is IssueKind.WEEKLY:
        raise _missing_weekly(IssueRef(number, kind), latest)
    raise _missing(number, latest)


async def newest_number(db: Database, *, kind: IssueKind) -> int:
    """The highest number of `kind` (0 when there is none): how far "next" goes."""
    async with db.session() as session:
        return await queries.latest_issue_number(session, kind=kind) or 0


def _missing_weekly(ref: IssueRef, latest: int | None) -> NotFound:
    newest = IssueRef(latest or 0, ref.kind)
    return NotFound(
        f"{ref.label('en')} does not exist"
        + (f"; the latest is /issue {newest.token}." if latest else "; there are none yet."),
        zh=f"{ref.label('zh')}不存在"
        + (f"，最新一期是 /issue {newest.token}。" if latest else "，目前还没有周报。"),
    )


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
