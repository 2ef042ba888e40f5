"""Running a job the one way every trigger uses: claim, run, record, tell the admins.

Every trigger calls `run_job` — the scheduler, an admin's /fetch, /compose or /publish N
(trigger "admin"), `digestbot fetch/compose/pipeline/publish N` and `schedule --run` ("cli") —
so every run leaves one `job_runs` row; `JobParams` carry what one run is asked. Two runs
never overlap: a live run of the same job (the publishing jobs count as one, all deliver; the
fetching jobs too; the pipeline also counts as compose) makes the new trigger record a `skipped`
row and return without working. A crash must not block a job for long, so a running run
proves it is alive: its heartbeat (every `HEARTBEAT_EVERY`) and host/pid on SQLite, a
session-level advisory lock on a connection of its own on PostgreSQL. A dead holder's row is
marked failed ("holder died") by the next trigger, which proceeds; `force` (an operator's
`--force`) takes over a live one too. A scheduled fire time runs once across every instance
(`job_runs.fire_time_holder` and the unique index behind it): the loser logs and returns
`skipped` without a row. Failures are recorded, logged and, for scheduled runs,
reported to the admins; they never propagate into the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core import metrics
from domain.content import Content, words
from domain.errors import DigestError
from jobs import notices
from jobs.alongside import running_alongside
from jobs.context import JobContext, JobName, JobParams, Trigger, describe_error
from jobs.scheduled import JOBS
from storage.queries import job_runs

log = logging.getLogger(__name__)

RunStatus = Literal["ok", "failed", "skipped"]
# Every job that delivers conflicts with the others that do; every one that fetches too.
FETCHING: tuple[JobName, ...] = ("fetch", "fetch_only", "pipeline")
PUBLISHING: tuple[JobName, ...] = ("publish", "auto_publish", "publish_issue")
CONFLICTS: dict[JobName, tuple[JobName, ...]] = {
    "fetch": FETCHING,
    "fetch_only": FETCHING,
    "compose": ("compose", "pipeline", "weekly"),
    "weekly": ("compose", "pipeline", "weekly"),
    "pipeline": (*FETCHING, "compose", "weekly"),
    "publish": PUBLISHING,
    "auto_publish": PUBLISHING,
    "publish_issue": PUBLISHING,
    # Vectors are counted once whoever adds them, but two writers of the IDF counts at once
    # only wait on each other: the ranking jobs run one at a time, and not beside a fetch.
    "rank_index": (*FETCHING, "rank_index", "rank_refresh"),
    "rank_refresh": (*FETCHING, "rank_index", "rank_refresh"),
}


@dataclass(frozen=True)
class JobResult:
    """One finished run: `summary` is plain text (CLI, admin reply), `notice` what the admins
    are told (content)."""

    name: JobName
    trigger: Trigger
    status: RunStatus
    summary: str
    run_id: int
    notice: Content | None = None
    value: object = None  # the job's own result (`JobOutcome.value`)
    # The exception that ended the run (already recorded): callers that answer a person (the
    # CLI, an admin's command) raise it again to report it as before.
    error: Exception | None = None


async def run_job(
    name: JobName,
    ctx: JobContext,
    *,
    trigger: Trigger = "schedule",
    scheduled_for: datetime | None = None,
    force: bool = False,
    params: JobParams | None = None,
) -> JobResult:
    """Run job `name` now unless a live run of it is in progress (`force`: take that one over);
    the result is also in `job_runs`, and its outcome and duration in `core.metrics`."""
    started, outcome = time.monotonic(), "cancelled"
    try:
        result = await _run_recorded(name, ctx, trigger, scheduled_for, force, params)
        outcome = result.status
        return result
    except Exception:
        outcome = "error"  # the run could not even be recorded (the database is down…)
        raise
    finally:
        metrics.record_job(name, outcome, time.monotonic() - started)


async def _run_recorded(
    name: JobName,
    ctx: JobContext,
    trigger: Trigger,
    scheduled_for: datetime | None,
    force: bool,
    params: JobParams | None,
) -> JobResult:
    async with _run_lock(ctx) as pin:
        try:
            claim = await _claim(ctx, name, trigger, scheduled_for, pin, force)
        except job_runs.FireTimeTaken as taken:
            return _fire_taken(name, trigger, str(taken), run_id=0)
        for run_id, reason in claim.taken_over:
            log.warning("job %s (%s): took over run #%d: %s", name, trigger, run_id, reason)
        if claim.fire_taken is not None:
            done = claim.fire_taken
            said = f"run #{done.id} ({done.status}, {done.host or '?'} pid {done.pid or '?'})"
            return _fire_taken(name, trigger, f"this fire time is already {said}", done.id)
        if not claim.acquired:
            assert claim.holder is not None
            summary = f"skipped: {claim.holder.name} run #{claim.holder.id} is still running"
            log.warning("job %s (%s) %s", name, trigger, summary)
            return JobResult(name, trigger, "skipped", summary, claim.run_id)
        async with running_alongside(_beat(ctx, claim.run_id)):
            result = await _execute(ctx, name, trigger, claim.run_id, params or JobParams())
    if trigger == "schedule" and result.notice:
        await notify(ctx, result.notice)
    return result


def _fire_taken(name: JobName, trigger: Trigger, why: str, run_id: int) -> JobResult:
    """Another instance ran (or runs) this fire time: nothing to do, nothing recorded."""
    summary = f"skipped: {why}"
    log.warning("job %s (%s) %s", name, trigger, summary)
    return JobResult(name, trigger, "skipped", summary, run_id)


def answered(result: JobResult) -> JobResult:
    """The run's result, or the error that ended it raised again, for a caller who reports
    errors to a person its own way (the CLI's one line, an admin's reply)."""
    if result.error is not None:
        raise result.error
    return result


def this_process() -> job_runs.Process:
    return job_runs.Process(host=socket.gethostname(), pid=os.getpid())


@asynccontextmanager
async def _run_lock(ctx: JobContext) -> AsyncIterator[AsyncSession | None]:
    """PostgreSQL: the connection that holds the run's lock for as long as the run lives."""
    if ctx.db.is_sqlite:
        yield None
        return
    async with ctx.db.pinned_session() as pin:
        yield pin


async def _claim(
    ctx: JobContext,
    name: JobName,
    trigger: Trigger,
    scheduled_for: datetime | None,
    pin: AsyncSession | None,
    force: bool,
) -> job_runs.Claim:
    now = ctx.clock()
    async with ctx.db.session() as session:
        claim = await job_runs.claim_run(
            session,
            name=name,
            trigger=trigger,
            conflicts=_conflicts(ctx, name),
            stale_before=now - ctx.stale_after,
            now=now,
            process=this_process(),
            scheduled_for=scheduled_for,
            force=force,
        )
        if claim.acquired and pin is not None:  # locked before the claim is visible to others
            if not await job_runs.lock_run(pin, run_id=claim.run_id):
                raise RuntimeError(f"the lock of new run #{claim.run_id} is taken")
            await pin.commit()
    return claim


def _conflicts(ctx: JobContext, name: JobName) -> tuple[JobName, ...]:
    """On PostgreSQL an explicit `publish N` joins live publishing runs instead of skipping:
    delivering one issue is the fleet's shared work (`jobs.deliver`: leases with SKIP LOCKED,
    one send budget for the bot), so a second instance speeds it up rather than doubling it."""
    if name == "publish_issue" and not ctx.db.is_sqlite:
        return ()
    return CONFLICTS[name]


async def _beat(ctx: JobContext, run_id: int) -> None:
    """Refresh the row until cancelled; a failed beat (database busy) is logged and retried."""
    while True:
        await asyncio.sleep(ctx.heartbeat_every.total_seconds())
        try:
            async with ctx.db.session() as session:
                alive = await job_runs.beat(session, run_id=run_id, now=ctx.clock())
        except Exception as exc:
            log.warning("heartbeat of run #%d failed: %s", run_id, describe_error(exc))
            continue
        if not alive:
            log.warning("run #%d was taken over by another trigger", run_id)
            return


async def _execute(
    ctx: JobContext, name: JobName, trigger: Trigger, run_id: int, params: JobParams
) -> JobResult:
    try:
        outcome = await JOBS[name](ctx, params)
    except asyncio.CancelledError:  # shutdown: the row must not stay "running"
        await asyncio.shield(_finish(ctx, run_id, "failed", error="cancelled (shutdown)"))
        raise
    except Exception as exc:
        if not isinstance(exc, DigestError):
            log.exception("job %s failed", name)
        error = describe_error(exc)
        await _finish(ctx, run_id, "failed", error=error)
        notice = notices.job_failed(name, error)
        return JobResult(name, trigger, "failed", error, run_id, notice, error=exc)
    status: RunStatus = "ok" if outcome.ok else "failed"
    first_line = None if outcome.ok else outcome.summary.splitlines()[0]
    await _finish(ctx, run_id, status, summary=outcome.summary, error=first_line)
    log.info("job %s (%s) %s: %s", name, trigger, status, outcome.summary.replace("\n", "; "))
    return JobResult(name, trigger, status, outcome.summary, run_id, outcome.notice, outcome.value)


async def _finish(
    ctx: JobContext,
    run_id: int,
    status: str,
    *,
    summary: str | None = None,
    error: str | None = None,
) -> None:
    async with ctx.db.session() as session:
        await job_runs.finish_run(
            session, run_id=run_id, status=status, now=ctx.clock(), summary=summary, error=error
        )


async def notify(ctx: JobContext, notice: Content) -> None:
    """Tell the admins; a failed notification is logged and never fails the job."""
    if ctx.notify_admins is None:
        log.info("admin notice (no admin chat): %s", words(notice))
        return
    try:
        await ctx.notify_admins(notice)
    except Exception as exc:
        log.warning("notifying the admins failed: %s", describe_error(exc))
