"""Recently stored papers: what /subscribe previews a topic on and /topics draws from.

"Recent" is measured back from the newest stored paper, not from today, so a database that
has not fetched for a while (or a demo one) still has a recent window.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Paper, Summary


async def _window_start(session: AsyncSession, days: int) -> datetime | None:
    newest = await session.scalar(select(func.max(Paper.published_at)))
    return None if newest is None else newest - timedelta(days=days)


async def recent_paper_ids(session: AsyncSession, *, days: int, limit: int) -> list[int]:
    """Ids of the papers published within `days` of the newest one, newest first."""
    since = await _window_start(session, days)
    if since is None:
        return []
    query = (
        select(Paper.id)
        .where(Paper.published_at >= since)
        .order_by(Paper.published_at.desc(), Paper.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def recent_keywords(
    session: AsyncSession, *, days: int, language: str | None = None
) -> list[tuple[int, list[str]]]:
    """(paper id, keywords) of each summary of a recent paper, in `language` if given."""
    since = await _window_start(session, days)
    if since is None:
        return []
    query = (
        select(Summary.paper_id, Summary.keywords)
        .join(Paper, Paper.id == Summary.paper_id)
        .where(Paper.published_at >= since)
    )
    if language is not None:
        query = query.where(Summary.language == language)
    rows = await session.execute(query)
    return [(int(paper_id), list(keywords or [])) for paper_id, keywords in rows]


async def recent_primary_categories(session: AsyncSession, *, days: int) -> Counter[str]:
    """How many recent papers each primary category has."""
    since = await _window_start(session, days)
    if since is None:
        return Counter()
    query = (
        select(Paper.primary_category, func.count(Paper.id))
        .where(Paper.published_at >= since)
        .group_by(Paper.primary_category)
    )
    return Counter({category: int(count) for category, count in await session.execute(query)})
