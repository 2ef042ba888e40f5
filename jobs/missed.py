"""Scheduled runs missed while the process was down, run once on start.

APScheduler keeps its jobs in memory: a process that starts after a fire time computes the next
one and never learns of the one it slept through. On start, each cron job (fetch, compose,
publish) compares its last fire time before now with `job_runs`: a job that has run here before
and has no successful run since that fire time runs once now, in pipeline order, recorded with
that fire time — once, however many fire times were missed (the fetch itself catches up every
missed announcement day). A fresh database has nothing to catch up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from jobs.context import JobContext, JobName
from jobs.runs import run_job
from storage.queries import job_runs

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=8)  # longer than any of our cron periods (weekly at most)
CATCH_UP_ORDER: tuple[JobName, ...] = ("fetch", "compose", "publish")


class _Trigger(Protocol):
    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


class _Spec(Protocol):
    @property
    def name(self) -> JobName: ...

    @property
    def trigger(self) -> _Trigger: ...


def last_fire_time(trigger: _Trigger, now: datetime) -> datetime | None:
    """The trigger's latest fire time at or before `now`, looking back `LOOKBACK`."""
    last, fire = None, trigger.get_next_fire_time(None, now - LOOKBACK)
    while fire is not None and fire <= now:
        last, fire = fire, trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


async def missed_runs(ctx: JobContext, specs: Sequence[_Spec]) -> list[tuple[JobName, datetime]]:
    """(job, the fire time it missed) for each job to run once now, in pipeline order."""
    now = ctx.clock()
    missed = []
    by_name = {spec.name: spec for spec in specs}
    for name in CATCH_UP_ORDER:
        spec = by_name.get(name)
        fire = None if spec is None else last_fire_time(spec.trigger, now)
        if fire is None:
            continue
        async with ctx.db.session() as session:
            ran_before = await job_runs.has_runs(session, name=name)
            done = await job_runs.succeeded_since(session, name=name, since=fire)
        if ran_before and not done:
            missed.append((name, fire))
    return missed


async def run_missed(ctx: JobContext, missed: Sequence[tuple[JobName, datetime]]) -> None:
    """Run each of `missed_runs`' answers once, in order. The answer is taken before the
    scheduler starts: looked up later, a run the schedule just started would count as missed."""
    for name, fire in missed:
        log.warning("job %s missed its run of %s while down: running it once now", name, fire)
        await run_job(name, ctx, scheduled_for=fire)
