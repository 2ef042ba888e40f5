"""The public archive: what the web (and its feeds) may show, and nothing more.

Only published issues are public: a draft, an approved issue waiting for its hour and a rejected
one are "not found" here, the same answer as a number that never existed, so the web cannot be
used to peek at the editors' queue. Papers are public once stored (the chat's /paper and
/search show them too), but the issues a paper appeared in are named only when published.
"""

from __future__ import annotations

from domain.arxiv_ids import parse_arxiv_id
from domain.errors import NotFound
from domain.fulltext import FigureView
from domain.issue_ref import IssueRef
from domain.types import (
    IssueKind,
    IssueStamp,
    IssueStatus,
    IssueSummary,
    IssueView,
    Page,
    PaperView,
)
from storage.db import Database
from storage.queries import issues as queries
from storage.queries.fulltext import figure_image
from storage.queries.issue_stamps import issue_stamp
from storage.queries.papers import get_paper
from storage.queries.search_hits import hit_views

PUBLIC = (IssueStatus.PUBLISHED,)
MAX_PAGE_SIZE = 100


def _no_issue(number: int, kind: IssueKind = IssueKind.DAILY) -> NotFound:
    ref = IssueRef(number, kind)
    return NotFound(f"{ref.label('en')} has not been published.", zh=f"{ref.label('zh')}尚未发布。")


async def published_issue(
    db: Database, *, number: int, language: str | None = None, kind: IssueKind = IssueKind.DAILY
) -> IssueView:
    """Published issue `number` of `kind` with its papers (summaries in `language`, default
    the issue's own); NotFound for any other number or status."""
    async with db.session() as session:
        view = await queries.get_issue_view(session, number=number, language=language, kind=kind)
    if view is None or view.status is not IssueStatus.PUBLISHED:
        raise _no_issue(number, kind)
    return view


async def published_issue_stamp(
    db: Database, *, number: int, language: str, kind: IssueKind = IssueKind.DAILY
) -> IssueStamp:
    """What published issue `number`'s page in `language` depends on, without loading it
    (`storage.queries.issue_stamps`); NotFound for any other number or status."""
    async with db.session() as session:
        stamp = await issue_stamp(session, number=number, language=language, kind=kind)
    if stamp is None or stamp.status is not IssueStatus.PUBLISHED:
        raise _no_issue(number, kind)
    return stamp


async def latest_published_issue(db: Database, *, language: str | None = None) -> IssueView:
    """The newest published issue; NotFound while nothing has been published."""
    async with db.session() as session:
        view = await queries.latest_issue_view(session, language=language, statuses=PUBLIC)
    if view is None:
        raise NotFound("Nothing has been published yet.", zh="还没有发布任何一期。")
    return view


async def published_issues(db: Database, *, offset: int = 0, limit: int = 20) -> Page[IssueSummary]:
    """Published issues newest first, one page at a time."""
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE_SIZE)
    async with db.session() as session:
        return await queries.list_issues(session, offset=offset, limit=limit, statuses=PUBLIC)


async def recent_published_issues(
    db: Database, *, limit: int = 20, language: str | None = None
) -> tuple[IssueView, ...]:
    """The newest `limit` published issues in full, newest first (what a feed carries)."""
    page = await published_issues(db, limit=limit)
    async with db.session() as session:
        views = [
            await queries.get_issue_view(
                session, number=issue.number, language=language, kind=issue.kind
            )
            for issue in page.items
        ]
    return tuple(view for view in views if view is not None)


async def archive_paper(
    db: Database, *, arxiv_id: str, language: str
) -> tuple[PaperView, tuple[int, ...]]:
    """The stored paper `arxiv_id` (any accepted spelling; InvalidInput when it is none) and
    the numbers of the published issues it appeared in; NotFound when it is not stored."""
    canonical = parse_arxiv_id(arxiv_id).arxiv_id
    async with db.session() as session:
        row = await get_paper(session, arxiv_id=canonical)
        found = (
            await hit_views(session, paper_ids=[row.id], language=language, published_only=True)
            if row is not None
            else {}
        )
    if row is None or row.id not in found:
        raise NotFound(
            f"Paper {canonical} is not in the archive.", zh=f"存档中没有论文 {canonical}。"
        )
    return found[row.id]


async def archive_figure(db: Database, *, arxiv_id: str) -> tuple[FigureView, bytes]:
    """The key figure of the stored paper `arxiv_id` with its bytes: public like the paper's
    page (no issue is named); InvalidInput for no id, NotFound when there is no figure."""
    canonical = parse_arxiv_id(arxiv_id).arxiv_id
    async with db.session() as session:
        row = await get_paper(session, arxiv_id=canonical)
        found = await figure_image(session, paper_id=row.id) if row is not None else None
    if found is None:
        raise NotFound(f"Paper {canonical} has no figure here.", zh=f"论文 {canonical} 没有配图。")
    return found
