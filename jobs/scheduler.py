"""The schedule: APScheduler 3's AsyncIOScheduler (the one PTB's JobQueue wraps) in the bot process.

Jobs and when (crontab lines from settings, see `core.cron` for the weekday fix):
fetch+summarize at FETCH_CRON in FETCH_TIMEZONE, compose at ISSUE_CRON and publish at
PUBLISH_CRON in TIMEZONE, and, with AUTO_PUBLISH_AFTER set, an auto-publish check every minute.

Semantics: the scheduler keeps nothing worth keeping (MemoryJobStore): every run is recorded by
`run_job` in our `job_runs` table. `max_instances=1` stops a second scheduled run while one is
in flight in this process, and `run_job`'s claim stops one started elsewhere (an admin command,
the CLI, another process); both record a `skipped` row. A run the machine slept through is
coalesced: however many fire times were missed, the job runs once, late, within
`MISFIRE_GRACE` of the last missed one (a week: longer than any of our cron periods). Runs
missed while the process was down are run once on start (`jobs.missed`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.config import Settings
from core.config_groups import ScheduleSettings
from core.cron import cron_trigger
from domain.errors import DigestError
from jobs.autopublish import due_drafts
from jobs.context import DraftFn, JobContext, JobName, NotifyFn, PublishFn
from jobs.missed import missed_runs, run_missed
from jobs.runs import run_job
from storage.db import Database
from storage.queries import job_runs
from storage.types import utcnow

log = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(days=7)
SHUTDOWN_WAIT = 10.0  # seconds for cancelled runs to record themselves


@dataclass(frozen=True)
class JobSpec:
    name: JobName
    description: str
    trigger: BaseTrigger
    rule: str  # the crontab line or "every minute", for people
    timezone: str


def job_specs(schedule: ScheduleSettings, *, publishing: bool = True) -> list[JobSpec]:
    """The jobs this configuration runs; without `publishing` no publish/auto-publish jobs."""
    specs = [
        _cron("fetch", "fetch + summarize", schedule.fetch_cron, schedule.fetch_timezone.key),
        _cron("compose", _compose_label(schedule), schedule.issue_cron, schedule.timezone.key),
    ]
    if schedule.weekly_cron:
        specs.append(_cron("weekly", "compose 周报", schedule.weekly_cron, schedule.timezone.key))
    if publishing:
        specs.append(
            _cron("publish", "publish approved", schedule.publish_cron, schedule.timezone.key)
        )
    if publishing and schedule.auto_publish_after is not None:
        every = IntervalTrigger(minutes=1, timezone=schedule.timezone)
        specs.append(JobSpec("auto_publish", "auto-publish check", every, "every minute", "-"))
    return specs


def _compose_label(schedule: ScheduleSettings) -> str:
    return "compose weekly round-up" if schedule.frequency == "weekly" else "compose"


def _cron(name: JobName, description: str, rule: str, timezone: str) -> JobSpec:
    try:
        trigger = cron_trigger(rule, ZoneInfo(timezone))
    except ValueError as exc:
        names = {"fetch": "FETCH_CRON", "compose": "ISSUE_CRON", "weekly": "WEEKLY_CRON"}
        setting = names.get(name, "PUBLISH_CRON")
        raise DigestError(f"{setting} is not a valid cron expression: {exc}") from exc
    return JobSpec(name, description, trigger, rule, timezone)


@dataclass
class _Runtime:
    """In-process bookkeeping: each job's scheduled time, and tasks to await at shutdown."""

    ctx: JobContext
    specs: list[JobSpec] = field(default_factory=list)
    scheduled: dict[str, datetime] = field(default_factory=dict)
    tasks: set[asyncio.Task[object]] = field(default_factory=set)


class DigestScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler that also holds the jobs' context and in-flight runs."""

    def __init__(self, runtime: _Runtime, **options: Any) -> None:
        super().__init__(**options)
        self.runtime = runtime

    @property
    def context(self) -> JobContext:
        return self.runtime.ctx


def build_scheduler(
    settings: Settings,
    db: Database,
    *,
    publish: PublishFn | None,
    notify_admins: NotifyFn | None,
    on_draft: DraftFn | None = None,
) -> DigestScheduler:
    """A configured, not yet started scheduler; start it inside the running event loop."""
    context = JobContext(
        settings, db, publish=publish, notify_admins=notify_admins, on_draft=on_draft
    )
    specs = job_specs(settings.schedule, publishing=publish is not None)
    runtime = _Runtime(context, specs)
    scheduler = DigestScheduler(
        runtime,
        timezone=settings.tz,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
        },
    )
    for spec in specs:
        func = _tick if spec.name == "auto_publish" else _scheduled
        scheduler.add_job(
            func, spec.trigger, args=(spec.name, runtime), id=spec.name, name=spec.description
        )
    scheduler.add_listener(_remember_time(runtime), EVENT_JOB_SUBMITTED)
    scheduler.add_listener(_record_refusal(runtime), EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return scheduler


async def _scheduled(name: JobName, runtime: _Runtime) -> None:
    task = asyncio.current_task()
    assert task is not None
    runtime.tasks.add(task)
    try:
        await run_job(name, runtime.ctx, scheduled_for=runtime.scheduled.pop(name, None))
    finally:
        runtime.tasks.discard(task)


async def _tick(name: JobName, runtime: _Runtime) -> None:
    """Every minute: a cheap read; a recorded run only when some draft is due."""
    if await due_drafts(runtime.ctx):
        await _scheduled(name, runtime)
    else:
        runtime.scheduled.pop(name, None)


def _remember_time(runtime: _Runtime) -> Callable[[JobSubmissionEvent], None]:
    """The fire time a run stands for (the last one, when missed times were coalesced).

    AsyncIOExecutor only creates the job's task when submitting; this listener runs before the
    task does, so `_scheduled` finds its time here.
    """

    def listener(event: JobSubmissionEvent) -> None:
        runtime.scheduled[event.job_id] = event.scheduled_run_times[-1]

    return listener


def _record_refusal(runtime: _Runtime) -> Callable[[JobEvent], None]:
    """A run APScheduler itself refused (still running here, or later than the grace time)."""

    def listener(event: JobEvent) -> None:
        times = getattr(event, "scheduled_run_times", None) or [event.scheduled_run_time]
        reason = (
            "skipped: the previous scheduled run is still running"
            if event.code == EVENT_JOB_MAX_INSTANCES
            else f"skipped: missed by more than {MISFIRE_GRACE}"
        )
        log.warning("job %s %s", event.job_id, reason)
        task = asyncio.get_running_loop().create_task(_skip(runtime, event.job_id, reason, times))
        runtime.tasks.add(task)
        task.add_done_callback(runtime.tasks.discard)

    return listener


async def _skip(runtime: _Runtime, name: str, reason: str, times: list[datetime]) -> None:
    ctx = runtime.ctx
    async with ctx.db.session() as session:
        await job_runs.record_skip(
            session,
            name=name,
            trigger="schedule",
            now=ctx.clock(),
            reason=reason,
            scheduled_for=times[-1],
        )


@asynccontextmanager
async def scheduler_running(scheduler: DigestScheduler) -> AsyncIterator[DigestScheduler]:
    """Started for the block; on exit in-flight runs are cancelled and allowed to record it."""
    missed = await missed_runs(scheduler.runtime.ctx, scheduler.runtime.specs)
    scheduler.start()
    log.info("scheduler started: %s", "; ".join(describe_schedule_jobs(scheduler)))
    _track(scheduler.runtime, run_missed(scheduler.runtime.ctx, missed))
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        pending = list(scheduler.runtime.tasks)
        for task in pending:
            task.cancel()
        if pending:
            with suppress(TimeoutError):
                await asyncio.wait(pending, timeout=SHUTDOWN_WAIT)


def _track(runtime: _Runtime, work: Coroutine[Any, Any, object]) -> None:
    """In the background, cancelled and awaited at shutdown like a scheduled run."""
    task = asyncio.get_running_loop().create_task(work)
    runtime.tasks.add(task)
    task.add_done_callback(runtime.tasks.discard)


def describe_schedule_jobs(scheduler: AsyncIOScheduler) -> list[str]:
    return [f"{job.id} next {job.next_run_time:%Y-%m-%d %H:%M %Z}" for job in scheduler.get_jobs()]


def next_runs(
    schedule: ScheduleSettings, *, now: datetime | None = None
) -> list[tuple[JobSpec, datetime]]:
    """Each job and its next fire time after `now`, without starting a scheduler."""
    now = now or utcnow()
    runs = []
    for spec in job_specs(schedule):
        fire = spec.trigger.get_next_fire_time(None, now.astimezone(schedule.timezone))
        if fire is not None:
            runs.append((spec, fire))
    return runs


def schedule_table(schedule: ScheduleSettings, *, now: datetime | None = None) -> list[str]:
    """`digestbot schedule --list`: one line per job, next run in TIMEZONE (and the job's own
    zone when it differs)."""
    lines = []
    for spec, fire in next_runs(schedule, now=now):
        local = fire.astimezone(schedule.timezone)
        when = f"{local:%Y-%m-%d %H:%M %Z} ({schedule.timezone.key})"
        if spec.timezone not in ("-", schedule.timezone.key):
            when += f" = {fire:%a %H:%M %Z} {spec.timezone}"
        lines.append(f"{spec.name:<13}{spec.rule:<20}{spec.description:<26}next: {when}")
    return lines
