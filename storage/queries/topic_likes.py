"""The anchor papers of `like:` topics ("more like this"), looked up by arXiv id."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Paper


async def anchors(
    session: AsyncSession, *, arxiv_ids: Collection[str]
) -> dict[str, tuple[int, str]]:
    """(paper id, title) of each stored paper among `arxiv_ids`; unknown ids are absent."""
    if not arxiv_ids:
        return {}
    query = select(Paper.arxiv_id, Paper.id, Paper.title).where(Paper.arxiv_id.in_(list(arxiv_ids)))
    return {row.arxiv_id: (row.id, row.title) for row in await session.execute(query)}
