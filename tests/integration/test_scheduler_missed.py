"""Runs missed while the process was down: on start each cron job compares its last fire time
with `job_runs` and runs once (not once per missed fire) when it has no successful run since."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from jobs.missed import missed_runs, run_missed
from jobs.scheduler import build_scheduler, job_specs, scheduler_running
from storage.db import Database
from storage.models import JobRun
from storage.types import utcnow
from tests.integration.schedule_helpers import NOW, Recorder, add_papers, context, job_rows

COMPOSE_FIRE = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, before NOW
PUBLISH_FIRE = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


async def _ran(db: Database, name: str, at: datetime, status: str = "ok") -> None:
    async with db.session() as session:
        session.add(JobRun(name=name, trigger="schedule", status=status, started_at=at,
                           finished_at=at))  # fmt: skip


async def test_missed_compose_and_publish_run_once(db: Database) -> None:
    await add_papers(db, 2)
    days_ago = NOW - timedelta(days=3)  # down for three days: three fire times of each missed
    await _ran(db, "compose", days_ago)
    await _ran(db, "publish", days_ago)
    await _ran(db, "fetch", NOW - timedelta(hours=1))  # fetch ran after its last fire time
    recorder = Recorder()
    ctx = context(db, recorder)
    specs = job_specs(ctx.settings.schedule)
    assert await missed_runs(ctx, specs) == [("compose", COMPOSE_FIRE), ("publish", PUBLISH_FIRE)]

    await run_missed(ctx, await missed_runs(ctx, specs))
    compose, publish = await job_rows(db, "compose"), await job_rows(db, "publish")
    assert [(r.status, r.scheduled_for) for r in compose] == [("ok", None), ("ok", COMPOSE_FIRE)]
    assert compose[1].summary is not None and compose[1].summary.startswith("compose: 第1期")
    assert [(r.status, r.scheduled_for) for r in publish] == [("ok", None), ("ok", PUBLISH_FIRE)]
    assert len(await job_rows(db, "fetch")) == 1

    assert await missed_runs(ctx, specs) == []  # once, not on every start


async def test_a_failed_or_skipped_run_counts_as_missed(db: Database) -> None:
    await _ran(db, "compose", COMPOSE_FIRE + timedelta(seconds=5), status="failed")
    ctx = context(db)
    assert await missed_runs(ctx, job_specs(ctx.settings.schedule)) == [("compose", COMPOSE_FIRE)]


async def test_a_fresh_database_runs_nothing_on_start(db: Database) -> None:
    ctx = context(db)
    assert await missed_runs(ctx, job_specs(ctx.settings.schedule)) == []


async def test_the_scheduler_runs_missed_jobs_when_it_starts(sqlite_db: Database) -> None:
    db = sqlite_db
    await add_papers(db, 2)
    await _ran(db, "compose", utcnow() - timedelta(days=3))
    recorder = Recorder()
    scheduler = build_scheduler(
        context(db).settings, db, publish=recorder.publish, notify_admins=recorder.notify
    )
    async with scheduler_running(scheduler):
        for _ in range(500):
            rows = await job_rows(db, "compose")
            if len(rows) == 2 and rows[1].status != "running":
                break
            await asyncio.sleep(0.02)
    rows = await job_rows(db, "compose")
    assert [r.status for r in rows] == ["ok", "ok"] and rows[1].scheduled_for is not None
    assert rows[1].scheduled_for <= utcnow()
    assert await job_rows(db, "publish") == []  # never ran here: nothing to catch up
