"""Job runs: one row per run of a scheduled job, and the claim that keeps two runs from overlapping.

A run starts by *claiming*: inside one transaction it expires running rows older than the
staleness limit (a crashed process must not block a job forever), looks for a run of a
conflicting job that is still running and inserts either its own `running` row or a `skipped`
row naming the holder. The check and the insert are serialized across processes: PostgreSQL
takes a transaction-scoped advisory lock first, and on SQLite the first statement is a write,
which takes the database's single write lock until commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun

RUNNING = "running"
SKIPPED = "skipped"
_ADVISORY_KEY = 0x6A6F6273  # "jobs": one lock for every claim; claims are rare and short


@dataclass(frozen=True)
class Claim:
    """The row this attempt wrote; `holder` is set (and the row is `skipped`) when blocked."""

    run_id: int
    holder: JobRun | None = None

    @property
    def acquired(self) -> bool:
        return self.holder is None


async def claim_run(
    session: AsyncSession,
    *,
    name: str,
    trigger: str,
    conflicts: Sequence[str],
    stale_before: datetime,
    now: datetime,
    scheduled_for: datetime | None = None,
) -> Claim:
    """Start a run of `name` unless a run of one of `conflicts` is still running.

    Runs started at or before `stale_before` and still `running` are marked failed first.
    """
    await _serialize(session)
    await _expire_stale(session, conflicts=conflicts, stale_before=stale_before, now=now)
    holder = await session.scalar(
        select(JobRun)
        .where(JobRun.name.in_(conflicts), JobRun.status == RUNNING)
        .order_by(JobRun.started_at)
        .limit(1)
    )
    run = JobRun(name=name, trigger=trigger, started_at=now, scheduled_for=scheduled_for)
    if holder is None:
        run.status = RUNNING
    else:
        run.status, run.finished_at = SKIPPED, now
        run.summary = f"skipped: {holder.name} run #{holder.id} ({holder.trigger}) still running"
    session.add(run)
    await session.flush()
    return Claim(run_id=run.id, holder=holder)


async def _serialize(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


async def _expire_stale(
    session: AsyncSession, *, conflicts: Sequence[str], stale_before: datetime, now: datetime
) -> None:
    """Also the SQLite write lock: an UPDATE takes it even when it matches no row."""
    await session.execute(
        update(JobRun)
        .where(
            JobRun.name.in_(conflicts),
            JobRun.status == RUNNING,
            JobRun.started_at <= stale_before,
        )
        .values(status="failed", finished_at=now, error="abandoned: still running when stale")
    )


async def finish_run(
    session: AsyncSession,
    *,
    run_id: int,
    status: str,
    now: datetime,
    summary: str | None = None,
    error: str | None = None,
) -> None:
    run = await session.get_one(JobRun, run_id)
    run.status, run.finished_at = status, now
    run.summary, run.error = summary, error


async def record_skip(
    session: AsyncSession,
    *,
    name: str,
    trigger: str,
    now: datetime,
    reason: str,
    scheduled_for: datetime | None = None,
) -> int:
    """A run the scheduler itself refused (still running in this process, or missed)."""
    run = JobRun(
        name=name,
        trigger=trigger,
        status=SKIPPED,
        started_at=now,
        finished_at=now,
        scheduled_for=scheduled_for,
        summary=reason,
    )
    session.add(run)
    await session.flush()
    return run.id


async def recent_runs(
    session: AsyncSession, *, name: str | None = None, limit: int = 20
) -> list[JobRun]:
    """Newest first; one job's runs when `name` is given."""
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if name is not None:
        query = query.where(JobRun.name == name)
    return list(await session.scalars(query))
