"""Summaries: save one per cache key, find cached ones, pick the best per paper for a language.

Also what the summarize job needs around them: which papers still lack a summary under a cache
key, tokens spent today (the daily budget), and the per-run accounting rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.fulltext import TextSource
from domain.types import PaperMeta, StoredSummary, SummaryContent, SummarySource
from storage import search
from storage.models import Paper, SummarizeRun, Summary
from storage.queries.batching import batches
from storage.queries.papers import papers_by_id, to_meta
from storage.queries.summary_failures import held_back
from storage.types import utcnow

CONTENT_FIELDS = tuple(SummaryContent.model_fields)
# The half-point score lives in `rating_score`; `rating` keeps the whole number older code reads
# (and the only one rows written before half points have), so no table rebuild was needed.
_COLUMN_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "rating")


def _content(row: Summary) -> SummaryContent:
    values = {name: getattr(row, name) for name in _COLUMN_FIELDS}
    values["rating"] = row.rating_score if row.rating_score is not None else row.rating
    return SummaryContent.model_validate(values)


def _write_content(row: Summary, content: SummaryContent) -> None:
    for name in _COLUMN_FIELDS:
        setattr(row, name, getattr(content, name))
    score = content.rating
    row.rating_score = score
    row.rating = None if score is None else min(5, int(score + 0.5))  # 3.5 reads as 4 there


def to_stored(row: Summary) -> StoredSummary:
    content = _content(row)
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
        text_source=TextSource(row.text_source or TextSource.ABSTRACT.value),
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
    text_source: TextSource = TextSource.ABSTRACT,
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
    row.source, row.text_source = source.value, text_source.value
    _write_content(row, content)
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
    for chunk in batches(paper_ids):
        rows = await session.scalars(
            select(Summary).where(Summary.paper_id.in_(chunk), Summary.language == language)
        )
        for row in rows:
            current = best.get(row.paper_id)
            if current is None or _preference(row) > _preference(current):
                best[row.paper_id] = row
    return {paper_id: to_stored(row) for paper_id, row in best.items()}


def _preference(row: Summary) -> tuple[bool, object, int]:
    return (row.source == SummarySource.LLM.value, row.created_at, row.id)


def _missing_key(language: str, model: str, prompt_version: str) -> Any:
    """Papers with no summary under this cache key for their current version."""
    cached = select(Summary.id).where(
        Summary.paper_id == Paper.id,
        Summary.paper_version == Paper.version,
        Summary.language == language,
        Summary.model == model,
        Summary.prompt_version == prompt_version,
    )
    return ~cached.exists()


async def papers_needing_summary(
    session: AsyncSession,
    *,
    language: str,
    model: str,
    prompt_version: str,
    paper_ids: Sequence[int] | None = None,
    limit: int | None = None,
    retry_policy: tuple[datetime, int] | None = None,
) -> list[int]:
    """Ids of papers lacking a summary under the cache key, newest announcement first.

    `retry_policy` (now, max failures): leave out papers whose LLM summary failed too often or
    is not yet due for another attempt (see `summary_failures`)."""
    query = select(Paper.id).where(_missing_key(language, model, prompt_version))
    if retry_policy is not None:
        now, max_failures = retry_policy
        query = query.where(~held_back(language=language, now=now, max_failures=max_failures))
    query = query.order_by(Paper.published_at.desc(), Paper.id.desc()).limit(limit)
    if paper_ids is None:
        return list(await session.scalars(query))
    found: list[int] = []
    for chunk in batches(paper_ids):
        found.extend(await session.scalars(query.where(Paper.id.in_(chunk))))
    return found[:limit] if limit is not None else found


async def count_summarized(
    session: AsyncSession,
    *,
    language: str,
    model: str,
    prompt_version: str,
    paper_ids: Sequence[int] | None = None,
) -> int:
    """How many of these papers (or of all papers) already have a summary under the key."""
    query = (
        select(func.count())
        .select_from(Paper)
        .where(~_missing_key(language, model, prompt_version))
    )
    if paper_ids is None:
        return int(await session.scalar(query) or 0)
    total = 0
    for chunk in batches(paper_ids):
        total += int(await session.scalar(query.where(Paper.id.in_(chunk))) or 0)
    return total


async def load_papers(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, PaperMeta]:
    """Paper metadata by id, for the summarizer's prompt and guards."""
    rows = await papers_by_id(session, paper_ids=paper_ids)
    return {paper_id: to_meta(row) for paper_id, row in rows.items()}


async def get_summary(
    session: AsyncSession,
    *,
    paper_id: int,
    paper_version: int,
    language: str,
    model: str,
    prompt_version: str,
) -> StoredSummary | None:
    row = await session.scalar(
        select(Summary).filter_by(
            paper_id=paper_id,
            paper_version=paper_version,
            language=language,
            model=model,
            prompt_version=prompt_version,
        )
    )
    return to_stored(row) if row else None


async def tokens_used_since(session: AsyncSession, *, since: datetime) -> int:
    """LLM tokens (in + out) recorded on summaries created since `since` (the daily budget)."""
    total = select(func.coalesce(func.sum(Summary.tokens_in + Summary.tokens_out), 0)).where(
        Summary.created_at >= since
    )
    return int(await session.scalar(total) or 0)


async def start_run(session: AsyncSession, *, language: str, model: str) -> int:
    run = SummarizeRun(language=language, model=model, started_at=utcnow())
    session.add(run)
    await session.flush()
    return run.id


async def finish_run(session: AsyncSession, *, run_id: int, counts: Mapping[str, Any]) -> None:
    """Store the run's counters (papers, cached, llm_calls, tokens, cost, errors…)."""
    run = await session.get(SummarizeRun, run_id)
    if run is None:
        return
    for name, value in counts.items():
        setattr(run, name, value)
    run.finished_at = utcnow()
