"""Full-text search over papers and their summaries (placeholder: filled in by the search work).

SQLite: FTS5 table `paper_search` (rowid = papers.id). PostgreSQL: `paper_search` with a
tsvector + GIN index. CJK text is segmented with jieba at index and query time.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession


async def reindex_papers(session: AsyncSession, *, paper_ids: Sequence[int]) -> None:
    """Rebuild the index rows of these papers from their current text and summaries."""
    return None
