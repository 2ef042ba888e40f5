"""Weekly round-ups: the papers of a week, and when the last round-up ended.

`week_published` (the week's published dailies) and `last_weekly` serve the weekly round-up
(`jobs/weekly.py`, its own numbering); `week_candidates` is its source when there are no
dailies (DIGEST_FREQUENCY=weekly).

A paper belongs to the day readers know it by: its announcement date, else (not announced
through the feed) its submission time in the configured timezone, which the caller passes as
a UTC window. A round-up is an issue of kind `weekly`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import IssueKind, IssueStatus, PaperView
from storage.models import Issue, IssueItem, Paper, Summary
from storage.models_ranking import ReaderFeedback
from storage.queries.papers import to_meta
from storage.queries.summaries import best_summaries


async def week_candidates(
    session: AsyncSession,
    *,
    language: str,
    days: tuple[date, date],
    window: tuple[datetime, datetime],
) -> list[PaperView]:
    """Papers summarized in `language` announced within `days` (inclusive), or, when never
    announced, submitted within `window` (UTC, end exclusive); whether or not an earlier issue
    has them: a round-up repeats the week's best."""
    first, last = days
    start, end = window
    has_summary = exists().where(Summary.paper_id == Paper.id, Summary.language == language)
    in_week = or_(
        Paper.announced_on.between(first, last),
        and_(Paper.announced_on.is_(None), Paper.published_at >= start, Paper.published_at < end),
    )
    rows = list(await session.scalars(select(Paper).where(has_summary, in_week).order_by(Paper.id)))
    best = await best_summaries(session, paper_ids=[row.id for row in rows], language=language)
    return [PaperView(id=row.id, meta=to_meta(row), summary=best.get(row.id)) for row in rows]


async def week_published(
    session: AsyncSession, *, language: str, days: tuple[date, date]
) -> list[PaperView]:
    """The included papers of the published dailies whose period meets `days` (inclusive),
    each once, with their best summary in `language`: what a weekly round-up chooses from."""
    first, last = days
    in_week = (
        select(IssueItem.paper_id)
        .join(Issue, Issue.id == IssueItem.issue_id)
        .where(
            Issue.kind == IssueKind.DAILY.value,
            Issue.status == IssueStatus.PUBLISHED.value,
            IssueItem.included.is_(True),
            Issue.period_start <= last,
            Issue.period_end >= first,
        )
    )
    rows = list(
        await session.scalars(select(Paper).where(Paper.id.in_(in_week)).order_by(Paper.id))
    )
    best = await best_summaries(session, paper_ids=[row.id for row in rows], language=language)
    return [PaperView(id=row.id, meta=to_meta(row), summary=best.get(row.id)) for row in rows]


async def reader_counts(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, int]:
    """Readers' 👍 plus ⭐ per paper (papers nobody marked are absent)."""
    if not paper_ids:
        return {}
    marks = func.sum(case((ReaderFeedback.vote > 0, 1), else_=0)) + func.sum(
        case((ReaderFeedback.saved.is_(True), 1), else_=0)
    )
    query = (
        select(ReaderFeedback.paper_id, marks)
        .where(ReaderFeedback.paper_id.in_(list(paper_ids)))
        .group_by(ReaderFeedback.paper_id)
    )
    return {paper_id: int(count or 0) for paper_id, count in await session.execute(query)}


async def last_weekly(session: AsyncSession) -> Issue | None:
    """The newest weekly round-up that is not rejected (the one that counts for "once a week")."""
    return await session.scalar(
        select(Issue)
        .where(Issue.kind == IssueKind.WEEKLY.value, Issue.status != IssueStatus.REJECTED.value)
        .order_by(Issue.period_end.desc(), Issue.number.desc())
        .limit(1)
    )


async def lock_weeklies(session: AsyncSession) -> None:
    """Serialize composing round-ups until the transaction ends, so "once a week" is checked
    and the round-up created as one step (the pattern of `storage.queries.shared_tokens.lock`)."""
    if session.get_bind().dialect.name == "postgresql":
        key = "hashtextextended('digestbot.weekly:' || current_schema(), 0)"
        await session.execute(text(f"SELECT pg_advisory_xact_lock({key})"))
        return
    await session.execute(  # matches no row; takes SQLite's write lock all the same
        update(Issue).where(Issue.id == -1).values(kind=Issue.kind)
    )
