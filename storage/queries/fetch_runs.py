"""Fetch runs: one row per fetch, updated as it goes, and the watermark the next run starts at.

The watermark is the latest submission time whose papers are stored; it is written in the same
transaction as those papers, so it can never run ahead of what the database holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FetchRun
from storage.types import utcnow


async def start_run(
    session: AsyncSession,
    *,
    mode: str,
    categories: Sequence[str],
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    announced_on: date | None = None,
) -> int:
    run = FetchRun(
        mode=mode,
        categories=list(categories),
        window_start=window_start,
        window_end=window_end,
        announced_on=announced_on,
        status="running",
        errors=[],
    )
    session.add(run)
    await session.flush()
    return run.id


async def record_batch(
    session: AsyncSession,
    *,
    run_id: int,
    seen: int = 0,
    inserted: int = 0,
    updated: int = 0,
    skipped: int = 0,
    watermark: datetime | None = None,
) -> None:
    """Add one stored batch's counts; move the watermark forward (never back)."""
    run = await session.get_one(FetchRun, run_id)
    run.seen += seen
    run.inserted += inserted
    run.updated += updated
    run.skipped += skipped
    if watermark is not None and (run.watermark is None or watermark > run.watermark):
        run.watermark = watermark


async def finish_run(
    session: AsyncSession,
    *,
    run_id: int,
    status: str,
    errors: Sequence[str] = (),
    announced_on: date | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> None:
    """Close the run with its final status: ok, empty (no announcement) or failed."""
    run = await session.get_one(FetchRun, run_id)
    run.status = status
    run.errors = [*run.errors, *errors]
    run.finished_at = utcnow()
    run.announced_on = announced_on or run.announced_on
    run.window_start = window_start or run.window_start
    run.window_end = window_end or run.window_end


async def last_watermark(session: AsyncSession) -> datetime | None:
    """The furthest point any run stored up to (failed runs count for what they stored)."""
    value: datetime | None = await session.scalar(select(func.max(FetchRun.watermark)))
    return value


async def get_run(session: AsyncSession, *, run_id: int) -> FetchRun | None:
    return await session.get(FetchRun, run_id)


async def recent_runs(session: AsyncSession, *, limit: int = 10) -> list[FetchRun]:
    rows = await session.scalars(select(FetchRun).order_by(FetchRun.id.desc()).limit(limit))
    return list(rows)
