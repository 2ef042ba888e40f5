"""Job runs: one row per run of a scheduled job, and the claim that keeps two runs from overlapping.

A run starts by *claiming*: inside one transaction it looks at the running rows of conflicting
jobs, marks those whose holder is dead as failed ("holder died") and inserts either its own
`running` row or a `skipped` row naming a live holder. A holder is dead when
- PostgreSQL: its run lock is free. Each run holds a session-level advisory lock on a dedicated
  connection for its lifetime (`lock_run`); the lock dies with the connection, so a killed
  process frees it at once.
- SQLite: it runs on this host and its pid is gone, or its heartbeat (`beat`, every ~30 s) is
  older than the staleness limit (a process on another host, or a reused pid).
An operator's `force` takes every running row over, alive or not.

A scheduled fire time (`scheduled_for`) runs once across every instance: a claim for a fire
time that a running or successful row already holds is refused (`Claim.fire_taken`), and the
database's unique index `uq_job_runs_fire_time` refuses a second such row even if two
instances got past that check at once (`FireTimeTaken`). A failed run gives its fire time up,
so the missed-run catch-up may retry it.

The check and the insert are serialized across processes: PostgreSQL takes a transaction-scoped
advisory lock first, and on SQLite the first statement is a write, which takes the database's
single write lock until commit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun

RUNNING = "running"
SKIPPED = "skipped"
FAILED = "failed"
_ADVISORY_KEY = 0x6A6F6273  # "jobs": one lock for every claim; claims are rare and short
# A run's own lock: a 64-bit hash of schema and run id, so schemas sharing a database (and the
# claim lock above) never collide.
_RUN_KEY = "hashtextextended('digestbot.job_run:' || current_schema() || ':' || :run_id, 0)"


@dataclass(frozen=True)
class Process:
    """Who runs a claimed job: recorded on the row so a dead process can be recognised."""

    host: str
    pid: int


class FireTimeTaken(Exception):
    """The database refused a second row for one fire time (two instances claimed it at once)."""

    def __init__(self, name: str, scheduled_for: datetime) -> None:
        super().__init__(f"{name} at {scheduled_for.isoformat()} was claimed by another instance")
        self.name, self.scheduled_for = name, scheduled_for


@dataclass(frozen=True)
class Claim:
    """The row this attempt wrote; `holder` is set (and the row is `skipped`) when blocked.

    `fire_taken`: the row that already holds this fire time (nothing was written: `run_id` is
    that row's). `taken_over`: (run id, reason) of each running row this claim marked failed."""

    run_id: int
    holder: JobRun | None = None
    taken_over: list[tuple[int, str]] = field(default_factory=list)
    fire_taken: JobRun | None = None

    @property
    def acquired(self) -> bool:
        return self.holder is None and self.fire_taken is None


async def claim_run(
    session: AsyncSession,
    *,
    name: str,
    trigger: str,
    conflicts: Sequence[str],
    stale_before: datetime,
    now: datetime,
    process: Process,
    scheduled_for: datetime | None = None,
    force: bool = False,
) -> Claim:
    """Start a run of `name` unless a live run of one of `conflicts` is still running.

    Dead holders (see the module docstring; on SQLite also any heartbeat at or before
    `stale_before`) are marked failed first; with `force`, every running holder is.
    """
    await _serialize(session)
    taken_over = await _expire_silent(
        session, conflicts=conflicts, stale_before=stale_before, now=now
    )
    holder = None
    for row in await _running(session, conflicts):
        reason = "taken over by --force" if force else await _death(session, row, process)
        if reason is None:
            holder = holder or row
            continue
        row.status, row.finished_at, row.error = FAILED, now, reason
        taken_over.append((row.id, reason))
    if scheduled_for is not None:
        taken = await fire_time_holder(session, name=name, scheduled_for=scheduled_for)
        if taken is not None:
            return Claim(run_id=taken.id, taken_over=taken_over, fire_taken=taken)
    run = JobRun(name=name, trigger=trigger, started_at=now, scheduled_for=scheduled_for)
    if holder is None:
        run.status, run.heartbeat_at = RUNNING, now
        run.host, run.pid = process.host, process.pid
    else:
        run.status, run.finished_at = SKIPPED, now
        run.summary = f"skipped: {holder.name} run #{holder.id} ({holder.trigger}) still running"
    session.add(run)
    try:
        await session.flush()
    except IntegrityError as exc:  # uq_job_runs_fire_time: another instance won the race
        if scheduled_for is None:
            raise
        raise FireTimeTaken(name, scheduled_for) from exc
    return Claim(run_id=run.id, holder=holder, taken_over=taken_over)


async def fire_time_holder(
    session: AsyncSession, *, name: str, scheduled_for: datetime
) -> JobRun | None:
    """The running or successful run of `name` for this fire time, if any (see the module)."""
    found: JobRun | None = await session.scalar(
        select(JobRun)
        .where(
            JobRun.name == name,
            JobRun.scheduled_for == scheduled_for,
            JobRun.status.in_((RUNNING, "ok")),
        )
        .limit(1)
    )
    return found


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _serialize(session: AsyncSession) -> None:
    if _is_postgres(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


async def _expire_silent(
    session: AsyncSession, *, conflicts: Sequence[str], stale_before: datetime, now: datetime
) -> list[tuple[int, str]]:
    """SQLite: running rows whose heartbeat stopped. Also the SQLite write lock: an UPDATE
    takes it even when it matches no row. (PostgreSQL decides by the run lock alone.)"""
    if _is_postgres(session):
        return []
    reason = "holder died: no heartbeat"
    expired = await session.scalars(
        update(JobRun)
        .where(
            JobRun.name.in_(conflicts),
            JobRun.status == RUNNING,
            func.coalesce(JobRun.heartbeat_at, JobRun.started_at) <= stale_before,
        )
        .values(status=FAILED, finished_at=now, error=reason)
        .returning(JobRun.id)
        .execution_options(synchronize_session=False)
    )
    return [(run_id, reason) for run_id in expired]


async def _running(session: AsyncSession, conflicts: Sequence[str]) -> list[JobRun]:
    rows = await session.scalars(
        select(JobRun)
        .where(JobRun.name.in_(conflicts), JobRun.status == RUNNING)
        .order_by(JobRun.started_at, JobRun.id)
    )
    return list(rows)


async def _death(session: AsyncSession, row: JobRun, process: Process) -> str | None:
    """Why `row`'s holder is known to be dead, or None while it may be alive."""
    if _is_postgres(session):
        free = await session.scalar(text(f"SELECT pg_try_advisory_lock({_RUN_KEY})"), _key(row))
        if not free:
            return None
        await session.execute(text(f"SELECT pg_advisory_unlock({_RUN_KEY})"), _key(row))
        return "holder died: its database session is gone"
    same_host = row.host == process.host and row.pid is not None and row.pid != process.pid
    if same_host and row.pid is not None and not pid_alive(row.pid):
        return f"holder died: process {row.pid} on {row.host} is gone"
    return None


def _key(row: JobRun) -> dict[str, str]:
    return {"run_id": str(row.id)}


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


async def lock_run(session: AsyncSession, *, run_id: int) -> bool:
    """PostgreSQL: take the run's session-level lock on `session`'s connection, which must stay
    open (and be used for nothing else) while the run lives; closing it releases the lock.
    SQLite: nothing to take."""
    if not _is_postgres(session):
        return True
    locked = await session.scalar(
        text(f"SELECT pg_try_advisory_lock({_RUN_KEY})"), {"run_id": str(run_id)}
    )
    return bool(locked)


async def beat(session: AsyncSession, *, run_id: int, now: datetime) -> bool:
    """The holder is alive; False when the row is no longer ours to run (taken over)."""
    result = await session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.status == RUNNING)
        .values(heartbeat_at=now)
        .returning(JobRun.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


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


async def has_runs(session: AsyncSession, *, name: str) -> bool:
    """Whether job `name` ever ran (or was refused) here."""
    return await session.scalar(select(JobRun.id).where(JobRun.name == name).limit(1)) is not None


async def succeeded_since(session: AsyncSession, *, name: str, since: datetime) -> bool:
    """Whether a run of `name` that started at or after `since` finished ok."""
    found = await session.scalar(
        select(JobRun.id)
        .where(JobRun.name == name, JobRun.status == "ok", JobRun.started_at >= since)
        .limit(1)
    )
    return found is not None
