"""`run_job` on both databases: every run recorded, no overlap, stale runs, failures, notices."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from domain.content import words
from domain.types import IssueStatus
from jobs.compose import compose_issue
from jobs.runs import run_job
from storage.db import Database
from tests.integration.schedule_helpers import (
    NOW,
    Recorder,
    add_papers,
    context,
    hours_ago,
    job_rows,
    set_status,
)


async def _approved_issue(db: Database) -> int:
    await add_papers(db, 2)
    ctx = context(db)
    issue = await compose_issue(ctx.settings.editorial, db, now=hours_ago(1))
    await set_status(db, issue.number, IssueStatus.APPROVED.value)
    return issue.number


async def test_a_run_is_recorded_with_trigger_times_and_summary(db: Database) -> None:
    await add_papers(db, 2)
    recorder = Recorder()
    result = await run_job(
        "compose", context(db, recorder), trigger="admin", scheduled_for=hours_ago(2)
    )
    assert (result.status, result.trigger) == ("ok", "admin")
    (row,) = await job_rows(db)
    assert (row.name, row.trigger, row.status) == ("compose", "admin", "ok")
    assert (row.started_at, row.finished_at, row.scheduled_for) == (NOW, NOW, hours_ago(2))
    assert row.summary is not None and row.summary.startswith("compose: 第1期 (2 papers, draft)")
    assert result.notice is not None and "/review 1" in words(result.notice)
    assert recorder.notices == []  # an admin who asked gets the answer, not a second notice


async def test_second_trigger_while_running_is_skipped_and_recorded(db: Database) -> None:
    number = await _approved_issue(db)
    recorder = Recorder(hold=asyncio.Event())
    ctx = context(db, recorder)
    first = asyncio.create_task(run_job("publish", ctx))
    await asyncio.wait_for(recorder.entered.wait(), timeout=10)

    again = await run_job("publish", ctx, trigger="admin")
    auto = await run_job("auto_publish", context(db, recorder, auto_publish_after="PT1H"))

    recorder.hold.set()  # type: ignore[union-attr]
    done = await asyncio.wait_for(first, timeout=10)
    assert (again.status, auto.status, done.status) == ("skipped", "skipped", "ok")
    assert again.summary == f"skipped: publish run #{done.run_id} is still running"
    rows = await job_rows(db)
    assert [(r.name, r.trigger, r.status) for r in rows] == [
        ("publish", "schedule", "ok"),
        ("publish", "admin", "skipped"),
        ("auto_publish", "schedule", "skipped"),
    ]
    assert recorder.published == [(number, "schedule")]  # published once


async def test_different_jobs_do_not_block_each_other(db: Database) -> None:
    await _approved_issue(db)
    recorder = Recorder(hold=asyncio.Event())
    first = asyncio.create_task(run_job("publish", context(db, recorder)))
    await asyncio.wait_for(recorder.entered.wait(), timeout=10)
    composed = await run_job("compose", context(db, recorder))
    recorder.hold.set()  # type: ignore[union-attr]
    await asyncio.wait_for(first, timeout=10)
    assert composed.status == "ok"


async def test_failure_is_recorded_and_reported_to_admins(db: Database) -> None:
    number = await _approved_issue(db)
    recorder = Recorder(fail={number})
    result = await run_job("publish", context(db, recorder))
    assert result.status == "failed"
    (row,) = await job_rows(db)
    assert row.status == "failed"
    assert row.error == f"failed 第{number}期: RuntimeError: delivery of {number} broke"
    assert recorder.notices == [
        f"⚠️ Publishing <b>第{number}期</b> failed: RuntimeError: delivery of {number} broke"
    ]


async def test_publishing_without_delivery_fails_cleanly(db: Database) -> None:
    await _approved_issue(db)
    recorder = Recorder()
    ctx = replace(context(db, recorder), publish=None)
    result = await run_job("publish", ctx)
    assert result.status == "failed"
    assert "publishing is not available" in result.summary
    assert recorder.notices == [f"⚠️ Scheduled job <code>publish</code> failed: {result.summary}"]
    (row,) = await job_rows(db)
    assert (row.status, row.error) == ("failed", result.summary)


async def test_a_broken_admin_chat_does_not_fail_the_job(db: Database) -> None:
    async def broken(notice: object) -> None:
        raise ConnectionError("telegram is down")

    ctx = replace(context(db), notify_admins=broken)
    result = await run_job("compose", ctx)
    assert result.status == "ok"
    assert [r.status for r in await job_rows(db)] == ["ok"]


async def test_cancelled_run_does_not_stay_running(db: Database) -> None:
    await _approved_issue(db)
    recorder = Recorder(hold=asyncio.Event())
    task = asyncio.create_task(run_job("publish", context(db, recorder)))
    await asyncio.wait_for(recorder.entered.wait(), timeout=10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    (row,) = await job_rows(db)
    assert (row.status, row.error) == ("failed", "cancelled (shutdown)")
