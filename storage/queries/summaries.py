"""Summaries: save one per cache key, find cached ones, pick the best per paper for a language."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import StoredSummary, SummaryContent, SummarySource
from storage import search
from storage.models import Summary

CONTENT_FIELDS = tuple(SummaryContent.model_fields)


def to_stored(row: Summary) -> StoredSummary:
    content = SummaryContent.model_validate({name: getattr(row, name) for name in CONTENT_FIELDS})
    return StoredSummary(
        id=row.id,
        paper_id=row.paper_id,
        language=row.language,
        source=SummarySource(row.source),
        model=row.model,
        prompt_version=row.prompt_version,
        content=content,
        flags=tuple(row.flags),
        tokens_in=row.tokens_in,
        tokens_out=row.tokens_out,
        created_at=row.created_at,
    )


async def save_summary(
    session: AsyncSession,
    *,
    paper_id: int,
    paper_version: int,
    language: str,
    model: str,
    prompt_version: str,
    source: SummarySource,
    content: SummaryContent,
    flags: Sequence[str] = (),
    tokens_in: int = 0,
    tokens_out: int = 0,
    cost_usd: float = 0.0,
) -> StoredSummary:
    """Insert or replace the summary stored under this cache key; reindexes the paper."""
    key = dict(
        paper_id=paper_id,
        paper_version=paper_version,
        language=language,
        model=model,
        prompt_version=prompt_version,
    )
    row = await session.scalar(select(Summary).filter_by(**key))
    if row is None:
        row = Summary(**key)
        session.add(row)
    row.source = source.value
    for name in CONTENT_FIELDS:
        setattr(row, name, getattr(content, name))
    row.flags, row.tokens_in, row.tokens_out, row.cost_usd = (
        list(flags),
        tokens_in,
        tokens_out,
        cost_usd,
    )
    await session.flush()
    await search.reindex_papers(session, paper_ids=[paper_id])
    return to_stored(row)


async def best_summaries(
    session: AsyncSession, *, paper_ids: Sequence[int], language: str
) -> dict[int, StoredSummary]:
    """Per paper, the summary readers should see: LLM over extractive, then the newest."""
    best: dict[int, Summary] = {}
    for start in range(0, len(paper_ids), 500):
        rows = await session.scalars(
            select(Summary).where(
                Summary.paper_id.in_(paper_ids[start : start + 500]), Summary.language == language
            )
        )
        for row in rows:
            current = best.get(row.paper_id)
            if current is None or _preference(row) > _preference(current):
                best[row.paper_id] = row
    return {paper_id: to_stored(row) for paper_id, row in best.items()}


def _preference(row: Summary) -> tuple[bool, object, int]:
    return (row.source == SummarySource.LLM.value, row.created_at, row.id)
