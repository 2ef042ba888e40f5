"""The real AsyncIOScheduler on both databases: jobs, coalesced misfires, no second instance,
the auto-publish tick, clean shutdown. Fire times are moved with the scheduler's own
`modify_job`, so nothing waits for a clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from domain.types import IssueStatus
from jobs.compose import compose_issue
from jobs.scheduler import MISFIRE_GRACE, DigestScheduler, build_scheduler, scheduler_running
from storage.db import Database
from storage.types import utcnow
from tests.conftest import make_settings
from tests.integration.schedule_helpers import Recorder, add_papers, job_rows, set_status


def _scheduler(db: Database, recorder: Recorder, **settings: object) -> DigestScheduler:
    return build_scheduler(
        make_settings(database_url=db.url, **settings),
        db,
        publish=recorder.publish,
        notify_admins=recorder.notify,
    )


@asynccontextmanager
async def _running(scheduler: DigestScheduler) -> AsyncIterator[dict[str, asyncio.Event]]:
    """The scheduler running; one event per job id, set each time a run of it finishes."""
    done: dict[str, asyncio.Event] = {}

    def finished(event: JobExecutionEvent) -> None:
        done.setdefault(event.job_id, asyncio.Event()).set()

    scheduler.add_listener(finished, EVENT_JOB_EXECUTED)
    async with scheduler_running(scheduler):
        yield done


async def _finished(done: dict[str, asyncio.Event], job_id: str) -> None:
    event = done.setdefault(job_id, asyncio.Event())
    await asyncio.wait_for(event.wait(), timeout=15)
    event.clear()


async def _until(condition: object, what: str) -> None:
    """Poll the database until `condition()` holds (a wait, not a timing assertion)."""
    for _ in range(300):
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


async def test_jobs_and_their_safety_settings(db: Database) -> None:
    recorder = Recorder()
    scheduler = _scheduler(db, recorder, auto_publish_after="PT2H")
    scheduler.start(paused=True)  # jobs get their defaults when they reach the job store
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"fetch", "compose", "publish", "auto_publish"}
    for job in jobs.values():
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.misfire_grace_time == MISFIRE_GRACE.total_seconds()
    no_delivery = build_scheduler(make_settings(database_url=db.url), db, publish=None,
                                  notify_admins=None)  # fmt: skip
    assert [job.id for job in no_delivery.get_jobs()] == ["fetch", "compose"]


async def test_missed_runs_are_coalesced_into_one_late_run(db: Database) -> None:
    await add_papers(db, 2)
    recorder = Recorder()
    scheduler = _scheduler(db, recorder)
    async with _running(scheduler) as done:
        job = scheduler.get_job("compose")
        now = utcnow()
        missed = [
            job.trigger.get_next_fire_time(None, now - timedelta(days=days)) for days in (3, 2, 1)
        ]
        scheduler.modify_job("compose", next_run_time=missed[0])  # asleep for three days
        await _finished(done, "compose")
        assert scheduler.get_job("compose").next_run_time > now
    (row,) = await job_rows(db)
    assert (row.name, row.trigger, row.status) == ("compose", "schedule", "ok")
    assert row.scheduled_for == missed[-1]  # the last missed time, run once, late
    assert row.started_at > row.scheduled_for
    assert len(recorder.notices) == 1 and "/review 1" in recorder.notices[0]


async def test_second_fire_while_running_is_recorded_as_skipped(db: Database) -> None:
    await add_papers(db, 2)
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db)
    await set_status(db, issue.number, IssueStatus.APPROVED.value)
    recorder = Recorder(hold=asyncio.Event())
    scheduler = _scheduler(db, recorder)
    async with _running(scheduler) as done:
        scheduler.modify_job("publish", next_run_time=utcnow() - timedelta(seconds=1))
        await asyncio.wait_for(recorder.entered.wait(), timeout=15)
        scheduler.modify_job("publish", next_run_time=utcnow() - timedelta(seconds=1))

        async def skipped() -> bool:
            return any(row.status == "skipped" for row in await job_rows(db))

        await _until(skipped, "a skipped publish row")
        recorder.hold.set()  # type: ignore[union-attr]
        await _finished(done, "publish")
    rows = await job_rows(db, "publish")
    assert sorted((r.status, r.summary) for r in rows) == [
        ("ok", f"published 第{issue.number}期: sent 第{issue.number}期 to 3 of 3 chats"),
        ("skipped", "skipped: the previous scheduled run is still running"),
    ]
    assert recorder.published == [(issue.number, "schedule")]


async def test_auto_publish_tick_records_only_when_a_draft_is_due(db: Database) -> None:
    recorder = Recorder()
    scheduler = _scheduler(db, recorder, auto_publish_after="PT2H")
    async with _running(scheduler) as done:
        scheduler.modify_job("auto_publish", next_run_time=utcnow())
        await _finished(done, "auto_publish")
        assert await job_rows(db) == []  # nothing due: a read, no row every minute

        await add_papers(db, 2)
        settings = make_settings(database_url=db.url)
        issue = await compose_issue(settings.editorial, db, now=utcnow() - timedelta(hours=3))
        scheduler.modify_job("auto_publish", next_run_time=utcnow())
        await _finished(done, "auto_publish")
    (row,) = await job_rows(db)
    assert (row.name, row.status) == ("auto_publish", "ok")
    assert recorder.published == [(issue.number, "auto")]
    assert "published automatically after 2h without review" in recorder.notices[0]


async def test_shutdown_cancels_a_run_and_records_it(db: Database) -> None:
    await add_papers(db, 2)
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db)
    await set_status(db, issue.number, IssueStatus.APPROVED.value)
    recorder = Recorder(hold=asyncio.Event())
    scheduler = _scheduler(db, recorder)
    async with scheduler_running(scheduler):
        scheduler.modify_job("publish", next_run_time=utcnow())
        await asyncio.wait_for(recorder.entered.wait(), timeout=15)
    (row,) = await job_rows(db)
    assert (row.status, row.error) == ("failed", "cancelled (shutdown)")
    assert not scheduler.running
