"""Papers by id with their best summary in one language and their key figure (PaperView)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import PaperView
from storage.queries.fulltext import figure_views
from storage.queries.papers import papers_by_id, to_meta
from storage.queries.summaries import best_summaries


async def paper_views(
    session: AsyncSession, *, paper_ids: Sequence[int], language: str
) -> dict[int, PaperView]:
    """Views of the papers that exist, keyed by id (unknown ids are simply absent)."""
    rows = await papers_by_id(session, paper_ids=paper_ids)
    summaries = await best_summaries(session, paper_ids=list(rows), language=language)
    figures = await figure_views(session, paper_ids=list(rows))
    return {
        paper_id: PaperView(
            id=paper_id,
            meta=to_meta(row),
            summary=summaries.get(paper_id),
            figure=figures.get(paper_id),
        )
        for paper_id, row in rows.items()
    }
