"""A reader's own marks (👍 👎 ⭐) on given papers, read back for their buttons and toggles.

Apart from `storage.queries.ranking` (which trains and ranks on feedback) because these are
the reads the reader-facing commands make: one chat's marks on a handful of papers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_ranking import ReaderFeedback


async def marks_of(
    session: AsyncSession, *, chat_id: int, paper_ids: Sequence[int]
) -> dict[int, tuple[int, bool]]:
    """(vote, saved) of the chat on each of `paper_ids` it marked; unmarked papers are absent."""
    if not paper_ids:
        return {}
    query = select(ReaderFeedback.paper_id, ReaderFeedback.vote, ReaderFeedback.saved).where(
        ReaderFeedback.chat_id == chat_id, ReaderFeedback.paper_id.in_(list(paper_ids))
    )
    return {row.paper_id: (row.vote, row.saved) for row in await session.execute(query)}
