"""Papers whose LLM summary failed: how often, and when the LLM may be asked again.

A paper that makes the model fail (too long, a provider that chokes on it, garbage back) would
otherwise cost a failed call on every run forever. Each failure is counted and pushes the next
attempt back (the caller's backoff, doubling); after the caller's limit the paper keeps its
extractive summary for good. A success clears the record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Paper, SummaryFailure


async def record_failure(
    session: AsyncSession,
    *,
    paper_id: int,
    language: str,
    error: str,
    now: datetime,
    first_backoff: timedelta,
) -> int:
    """Count one more failure; the next attempt waits `first_backoff` × 2^(failures − 1)."""
    row = await session.scalar(
        select(SummaryFailure).filter_by(paper_id=paper_id, language=language)
    )
    if row is None:
        row = SummaryFailure(paper_id=paper_id, language=language, failures=0)
        session.add(row)
    row.failures += 1
    row.next_attempt_at = now + first_backoff * 2 ** (row.failures - 1)
    row.last_error, row.updated_at = error[:500], now
    await session.flush()
    return row.failures


async def clear_failure(session: AsyncSession, *, paper_id: int, language: str) -> None:
    await session.execute(
        delete(SummaryFailure)
        .where(SummaryFailure.paper_id == paper_id, SummaryFailure.language == language)
        .execution_options(synchronize_session=False)
    )


def held_back(*, language: str, now: datetime, max_failures: int) -> Any:
    """Papers not to send to the LLM now: out of attempts, or not yet due for the next one."""
    return (
        select(SummaryFailure.id)
        .where(
            SummaryFailure.paper_id == Paper.id,
            SummaryFailure.language == language,
            or_(SummaryFailure.failures >= max_failures, SummaryFailure.next_attempt_at > now),
        )
        .exists()
    )


async def get_failure(
    session: AsyncSession, *, paper_id: int, language: str
) -> SummaryFailure | None:
    return await session.scalar(
        select(SummaryFailure).filter_by(paper_id=paper_id, language=language)
    )
