"""Weekly round-ups: the papers of a week, and when the last round-up ended.

A paper belongs to the day readers know it by: its announcement date, else (not announced
through the feed) its submission time in the configured timezone, which the caller passes as
a UTC window. A round-up is recognised by its title prefix, so no column marks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import IssueStatus, PaperView
from storage.models import Issue, Paper, Summary
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


async def last_round_up(session: AsyncSession, *, title_prefixes: Sequence[str]) -> Issue | None:
    """The newest round-up that is not rejected (the one that counts for "once a week")."""
    is_round_up = or_(*(Issue.title.startswith(prefix) for prefix in title_prefixes))
    return await session.scalar(
        select(Issue)
        .where(is_round_up, Issue.status != IssueStatus.REJECTED.value)
        .order_by(Issue.period_end.desc(), Issue.number.desc())
        .limit(1)
    )
