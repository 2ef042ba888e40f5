"""A run whose holder died is taken over at once (or within `STALE_AFTER`), a live one blocks,
and `force` takes over regardless: on SQLite (heartbeat + host/pid) and PostgreSQL (the run's
session-level advisory lock). The crash is real: a subprocess holding a run, SIGKILLed."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from domain.content import words
from domain.types import IssueStatus
from jobs.compose import compose_issue
from jobs.context import STALE_AFTER, JobContext
from jobs.runs import JobResult, run_job
from storage.db import Database
from storage.models import JobRun
from tests.integration.schedule_helpers import (
    NOW,
    Recorder,
    add_papers,
    context,
    hours_ago,
    job_rows,
    set_status,
)

REPO = Path(__file__).resolve().parents[2]


async def _approved_issue(db: Database) -> int:
    await add_papers(db, 2)
    issue = await compose_issue(context(db).settings.editorial, db, now=hours_ago(1))
    await set_status(db, issue.number, IssueStatus.APPROVED.value)
    return issue.number


async def _spawn_holder(db: Database) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.run_holder", db.url,
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    if line.strip() != b"holding":
        proc.kill()
        _, err = await proc.communicate()
        raise AssertionError(f"the holder did not start: {line!r} {err.decode()[-2000:]}")
    return proc


async def _run_until_taken_over(ctx: JobContext, seconds: float = 20) -> JobResult:
    """PostgreSQL notices a dropped connection within milliseconds, not instantly: retry."""
    deadline = time.monotonic() + seconds
    while True:
        result = await run_job("publish", ctx, trigger="admin")
        if result.status != "skipped" or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_killed_holder_is_taken_over_without_waiting(db: Database) -> None:
    number = await _approved_issue(db)
    recorder = Recorder()
    ctx = replace(context(db, recorder), clock=lambda: datetime.now(NOW.tzinfo))
    proc = await _spawn_holder(db)
    try:
        alive = await run_job("publish", ctx, trigger="admin")
        assert alive.status == "skipped"  # a live holder blocks
    finally:
        proc.kill()  # SIGKILL: no finally blocks, no clean-up in the holder
        await asyncio.wait_for(proc.wait(), timeout=10)

    result = await _run_until_taken_over(ctx)
    assert result.status == "ok", result.summary
    assert recorder.published == [(number, "schedule")]
    rows = await job_rows(db, "publish")
    held, taker = rows[0], rows[-1]
    assert (held.trigger, held.status) == ("cli", "failed")
    assert held.error is not None and held.error.startswith("holder died")
    assert held.pid == proc.pid and held.host
    assert (taker.status, taker.trigger) == ("ok", "admin")
    assert {r.status for r in rows[1:-1]} <= {"skipped"}


async def test_silent_heartbeat_on_another_host_blocks_until_stale(sqlite_db: Database) -> None:
    db = sqlite_db
    async with db.session() as session:
        session.add(JobRun(name="compose", trigger="schedule", status="running",
                           started_at=hours_ago(5), heartbeat_at=NOW - timedelta(seconds=90),
                           host="elsewhere", pid=1))  # fmt: skip
    ctx = context(db)
    assert (await run_job("compose", ctx)).status == "skipped"  # heard from 90 s ago

    later = replace(ctx, clock=lambda: NOW - timedelta(seconds=90) + STALE_AFTER)
    ran = await run_job("compose", later)
    assert ran.status == "ok" and "Nothing to compose" in words(ran.notice or ())
    rows = await job_rows(db, "compose")
    assert [(r.status, r.error) for r in rows] == [
        ("failed", "holder died: no heartbeat"),
        ("skipped", None),
        ("ok", None),
    ]


async def test_dead_pid_on_this_host_is_taken_over_at_once(sqlite_db: Database) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await proc.wait()  # reaped: that pid is gone
    async with sqlite_db.session() as session:
        for name in ("compose", "fetch"):  # heard from just now
            row = JobRun(name=name, trigger="schedule", status="running", started_at=NOW)
            row.heartbeat_at, row.host, row.pid = NOW, socket.gethostname(), proc.pid
            session.add(row)
    result = await run_job("compose", context(sqlite_db))
    assert result.status == "ok"
    compose, fetch = await job_rows(sqlite_db, "compose"), await job_rows(sqlite_db, "fetch")
    assert (compose[0].status, compose[0].error) == (
        "failed",
        f"holder died: process {proc.pid} on {socket.gethostname()} is gone",
    )
    assert fetch[0].status == "running"  # only conflicting jobs are looked at


async def test_postgres_row_without_its_lock_is_dead_and_with_it_alive(
    postgres_db: Database,
) -> None:
    db = postgres_db
    async with db.session() as session:
        session.add(JobRun(name="compose", trigger="schedule", status="running",
                           started_at=NOW, heartbeat_at=NOW, host="elsewhere", pid=1))  # fmt: skip
    async with db.pinned_session() as other:  # another live process holding run #2's lock
        key = "hashtextextended('digestbot.job_run:' || current_schema() || ':' || '2', 0)"
        await other.execute(text(f"SELECT pg_advisory_lock({key})"))
        await other.commit()
        async with db.session() as session:
            session.add(JobRun(name="compose", trigger="schedule", status="running",
                               started_at=NOW, heartbeat_at=NOW))  # fmt: skip
        blocked = await run_job("compose", context(db))
    assert blocked.status == "skipped"  # #1 (no lock) is dead, #2 (locked) alive
    rows = await job_rows(db, "compose")
    assert [(r.id, r.status) for r in rows] == [(1, "failed"), (2, "running"), (3, "skipped")]
    assert rows[0].error == "holder died: its database session is gone"

    ran = await run_job("compose", context(db))  # the connection holding #2 is closed now
    assert ran.status == "ok"
    assert (await job_rows(db, "compose"))[1].status == "failed"


async def test_force_takes_over_a_live_holder(db: Database) -> None:
    number = await _approved_issue(db)
    recorder = Recorder(hold=asyncio.Event())
    ctx = context(db, recorder)
    first = asyncio.create_task(run_job("publish", ctx))
    await asyncio.wait_for(recorder.entered.wait(), timeout=10)
    forced = await run_job("publish", context(db), trigger="cli", force=True)
    assert forced.status == "ok"
    rows = await job_rows(db, "publish")
    assert (rows[0].status, rows[0].error) == ("failed", "taken over by --force")
    recorder.hold.set()  # type: ignore[union-attr]
    await asyncio.wait_for(first, timeout=10)
    assert recorder.published == [(number, "schedule")]


async def test_a_running_job_keeps_its_heartbeat(db: Database) -> None:
    await _approved_issue(db)
    recorder = Recorder(hold=asyncio.Event())
    ticks = iter(NOW + timedelta(seconds=i) for i in range(10**6))
    ctx = replace(
        context(db, recorder), clock=lambda: next(ticks), heartbeat_every=timedelta(seconds=0.02)
    )
    task = asyncio.create_task(run_job("publish", ctx))
    await asyncio.wait_for(recorder.entered.wait(), timeout=10)
    await asyncio.sleep(0.3)
    (row,) = await job_rows(db, "publish")
    recorder.hold.set()  # type: ignore[union-attr]
    await asyncio.wait_for(task, timeout=10)
    assert row.status == "running" and row.heartbeat_at is not None
    assert row.heartbeat_at > row.started_at
    assert row.pid is not None and row.host
