"""Issues: numbering, picking the papers for the next one, creating it, and loading it back.

An issue pins the summary it was composed with (`issue_items.summary_id`), but readers are shown
the best summary available now, so a paper whose LLM summary arrived late still reads well.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.fulltext import FigureView
from domain.types import (
    IssueItemView,
    IssueKind,
    IssueStatus,
    IssueSummary,
    IssueView,
    Page,
    PaperView,
    StoredSummary,
)
from storage.models import Issue, IssueItem, Paper, Summary
from storage.queries.fulltext import figure_views
from storage.queries.papers import to_meta
from storage.queries.summaries import best_summaries, to_stored
from storage.types import utcnow


class IssueNumberTaken(Exception):
    """Another composer created this issue number first; start a new transaction and retry."""


@dataclass(frozen=True)
class NewItem:
    paper_id: int
    summary_id: int | None
    heading: str | None = None  # a weekly's own words for the paper
    explanation: str | None = None


async def next_issue_number(session: AsyncSession, *, kind: IssueKind = IssueKind.DAILY) -> int:
    """One more than the highest number of `kind` ever used (rejected issues keep their number)."""
    highest = await session.scalar(select(func.max(Issue.number)).where(Issue.kind == kind.value))
    return int(highest or 0) + 1


async def compose_candidates(session: AsyncSession, *, language: str) -> list[PaperView]:
    """Papers summarized in `language` that no earlier non-rejected issue contains."""
    has_summary = exists().where(Summary.paper_id == Paper.id, Summary.language == language)
    in_live_issue = exists().where(
        IssueItem.paper_id == Paper.id,
        IssueItem.issue_id == Issue.id,
        Issue.status != IssueStatus.REJECTED.value,
    )
    query = select(Paper).where(has_summary, ~in_live_issue).order_by(Paper.id)
    rows = list(await session.scalars(query))
    best = await best_summaries(session, paper_ids=[row.id for row in rows], language=language)
    return [PaperView(id=row.id, meta=to_meta(row), summary=best.get(row.id)) for row in rows]


async def create_issue(
    session: AsyncSession,
    *,
    number: int,
    title: str,
    language: str,
    period_start: date,
    period_end: date,
    items: Sequence[NewItem],
    status: IssueStatus = IssueStatus.DRAFT,
    created_at: datetime | None = None,
    kind: IssueKind = IssueKind.DAILY,
) -> int:
    """Insert the issue and its items (positions 1..n, all included); returns the issue id.

    Raises IssueNumberTaken when a concurrent composer won the number; the caller's transaction
    is then unusable and must be rolled back before retrying.
    """
    issue = Issue(
        kind=kind.value,
        number=number,
        title=title,
        language=language,
        period_start=period_start,
        period_end=period_end,
        status=status.value,
        created_at=created_at or utcnow(),
    )
    issue.items = [
        IssueItem(
            paper_id=item.paper_id,
            summary_id=item.summary_id,
            position=pos,
            included=True,
            heading=item.heading,
            explanation=item.explanation,
        )
        for pos, item in enumerate(items, start=1)
    ]
    session.add(issue)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise IssueNumberTaken(f"{kind.value} issue number {number} already exists") from exc
    except OperationalError as exc:  # SQLite: another writer committed under our snapshot
        if "locked" not in str(exc).lower():
            raise
        raise IssueNumberTaken(f"issue number {number}: database busy") from exc
    return issue.id


async def get_issue_view(
    session: AsyncSession,
    *,
    number: int,
    language: str | None = None,
    kind: IssueKind = IssueKind.DAILY,
) -> IssueView | None:
    """The issue with its items in position order; summaries in `language` (default: its own)."""
    issue = await session.scalar(
        select(Issue)
        .where(Issue.number == number, Issue.kind == kind.value)
        # Items with their papers in one query; the pinned summaries only where no summary
        # in the language is found (`_to_view`): each query is a round trip to the driver.
        .options(selectinload(Issue.items).joinedload(IssueItem.paper, innerjoin=True))
    )
    if issue is None:
        return None
    return await _to_view(session, issue, language or issue.language)


async def _to_view(session: AsyncSession, issue: Issue, language: str) -> IssueView:
    items = sorted(issue.items, key=lambda item: item.position)
    paper_ids = [item.paper_id for item in items]
    best = await best_summaries(session, paper_ids=paper_ids, language=language)
    figures = await figure_views(session, paper_ids=paper_ids)
    pinned = await _pinned(session, [item for item in items if item.paper_id not in best])
    return IssueView(
        id=issue.id,
        number=issue.number,
        title=issue.title,
        language=issue.language,
        status=IssueStatus(issue.status),
        period_start=issue.period_start,
        period_end=issue.period_end,
        created_at=issue.created_at,
        items=tuple(
            _item_view(
                item, best.get(item.paper_id) or pinned.get(item.id), figures.get(item.paper_id)
            )
            for item in items
        ),
        approved_by=issue.approved_by,
        approved_at=issue.approved_at,
        published_at=issue.published_at,
        kind=IssueKind(issue.kind),
    )


async def _pinned(session: AsyncSession, items: list[IssueItem]) -> dict[int, StoredSummary]:
    """The summaries these items were composed with, by item id (for papers that have none
    in the page's language)."""
    wanted = {item.summary_id: item.id for item in items if item.summary_id is not None}
    if not wanted:
        return {}
    rows = await session.scalars(select(Summary).where(Summary.id.in_(list(wanted))))
    return {wanted[row.id]: to_stored(row) for row in rows}


def _item_view(
    item: IssueItem, summary: StoredSummary | None, figure: FigureView | None
) -> IssueItemView:
    paper = PaperView(id=item.paper.id, meta=to_meta(item.paper), summary=summary, figure=figure)
    return IssueItemView(
        position=item.position,
        included=item.included,
        paper=paper,
        editor_note=item.editor_note,
        title_override=item.title_override,
        tldr_override=item.tldr_override,
        heading=item.heading,
        explanation=item.explanation,
    )


async def latest_issue_number(
    session: AsyncSession,
    *,
    statuses: Collection[IssueStatus] | None = None,
    kind: IssueKind = IssueKind.DAILY,
) -> int | None:
    """The highest number of `kind`, optionally among issues in one of `statuses`."""
    query = select(func.max(Issue.number)).where(Issue.kind == kind.value)
    if statuses:
        query = query.where(Issue.status.in_([status.value for status in statuses]))
    highest = await session.scalar(query)
    return int(highest) if highest is not None else None


async def latest_issue_view(
    session: AsyncSession,
    *,
    language: str | None = None,
    statuses: Collection[IssueStatus] | None = None,
) -> IssueView | None:
    number = await latest_issue_number(session, statuses=statuses)
    if number is None:
        return None
    return await get_issue_view(session, number=number, language=language)


async def list_issues(
    session: AsyncSession,
    *,
    offset: int,
    limit: int,
    statuses: Collection[IssueStatus] | None = None,
) -> Page[IssueSummary]:
    """Issues newest first (only those in `statuses`, if given), with how many papers each
    includes."""
    offset, limit = max(offset, 0), max(limit, 0)
    wanted = [status.value for status in statuses] if statuses else None
    counted = select(func.count()).select_from(Issue)
    if wanted:
        counted = counted.where(Issue.status.in_(wanted))
    total = int(await session.scalar(counted) or 0)
    included = (
        select(func.count())
        .where(IssueItem.issue_id == Issue.id, IssueItem.included.is_(True))
        .scalar_subquery()
    )
    # Both kinds, newest first: a weekly sits among the dailies of its week.
    newest = (Issue.created_at.desc(), Issue.id.desc())
    listed = select(Issue, included).order_by(*newest).offset(offset).limit(limit)
    if wanted:
        listed = listed.where(Issue.status.in_(wanted))
    rows = await session.execute(listed)
    items = tuple(_summary(issue, int(count or 0)) for issue, count in rows)
    return Page(items=items, total=total, offset=offset, limit=limit)


def _summary(issue: Issue, paper_count: int) -> IssueSummary:
    return IssueSummary(
        id=issue.id,
        number=issue.number,
        title=issue.title,
        language=issue.language,
        status=IssueStatus(issue.status),
        period_start=issue.period_start,
        period_end=issue.period_end,
        created_at=issue.created_at,
        paper_count=paper_count,
        published_at=issue.published_at,
        kind=IssueKind(issue.kind),
    )
