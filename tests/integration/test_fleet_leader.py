"""Several instances on one database: one leader runs the schedule, and each fire time runs once.

Two `Database` handles on the same PostgreSQL schema stand for two instances (each has its own
connections, so PostgreSQL sees two clients); the leader lock is the real advisory lock.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cli.check_services import leader_line
from core import metrics
from jobs.leader import is_leader, leading
from jobs.missed import run_missed
from jobs.runs import run_job
from jobs.scheduler import DigestScheduler, build_scheduler
from storage.db import Database
from storage.models import JobRun
from storage.queries import leader
from tests.integration.schedule_helpers import NOW, Recorder, add_papers, context, job_rows

FAST = {"retry_every": 0.05, "ping_every": 0.05}
FIRE = NOW - timedelta(hours=2)


def _builder(db: Database) -> DigestScheduler:
    recorder = Recorder()
    return build_scheduler(
        context(db).settings, db, publish=recorder.publish, notify_admins=recorder.notify
    )


async def test_one_of_two_instances_leads_and_the_other_takes_over(
    postgres_db: Database, other: Database
) -> None:
    async with AsyncExitStack() as second_instance:
        async with AsyncExitStack() as first_instance:
            first = await first_instance.enter_async_context(
                leading(postgres_db, lambda: _builder(postgres_db), **FAST)
            )
            assert first.is_leader and first.scheduler is not None and first.scheduler.running
            second = await second_instance.enter_async_context(
                leading(other, lambda: _builder(other), **FAST)
            )
            assert not second.is_leader and second.scheduler is None
            await asyncio.sleep(0.3)  # many tries later, still the one leader
            assert first.is_leader and not second.is_leader
        assert not first.is_leader  # the first instance ended: its connection is closed
        await asyncio.wait_for(second.wait_until(True), timeout=10)
        assert second.scheduler is not None and second.scheduler.running


async def test_a_leader_whose_connection_dies_steps_down(
    postgres_db: Database, other: Database
) -> None:
    async with leading(postgres_db, lambda: _builder(postgres_db), **FAST) as first:
        assert first.is_leader
        async with other.session() as session:
            pid = await leader.leader_pid(session)
            assert await session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.wait_for(first.wait_until(False), timeout=10)
        assert first.scheduler is None  # stopped scheduling the moment its lock was in doubt
        assert metrics.value("digestbot_schedule_leader") == 0  # and /metrics says so
        await asyncio.wait_for(first.wait_until(True), timeout=10)  # and leads again later
        assert metrics.value("digestbot_schedule_leader") == 1
        async with other.session() as session:
            assert await leader.leader_pid(session) not in (None, pid)


async def test_on_sqlite_the_one_instance_always_leads(sqlite_db: Database) -> None:
    assert is_leader() is None  # no schedule in this process
    async with leading(sqlite_db, lambda: _builder(sqlite_db)) as leadership:
        assert leadership.is_leader and leadership.scheduler is not None
        assert leadership.scheduler.running
        assert is_leader() is True
    assert not leadership.is_leader and is_leader() is None


async def test_check_names_the_leader(postgres_db: Database, other: Database) -> None:
    nobody = await leader_line(postgres_db.url)
    assert nobody.line == "– schedule: no instance leads now (is any `digestbot run` up?)"
    async with leading(postgres_db, lambda: _builder(postgres_db), **FAST) as leadership:
        assert leadership.is_leader and is_leader() is True
        async with other.session() as session:
            pid = await leader.leader_pid(session)
        named = await leader_line(postgres_db.url)
    assert named.status == "ok", named.line
    assert named.line.startswith("✓ schedule: led by the instance at 127.0.0.1 (backend ")
    assert f"(backend {pid}, since " in named.line


async def test_a_fire_time_runs_once_whoever_triggers_it(db: Database) -> None:
    await add_papers(db, 2)
    recorder = Recorder()
    first = await run_job("compose", context(db, recorder), scheduled_for=FIRE)
    again = await run_job("compose", context(db, recorder), scheduled_for=FIRE)
    assert (first.status, again.status) == ("ok", "skipped")
    assert again.summary.startswith(f"skipped: this fire time is already run #{first.run_id} (ok")
    rows = await job_rows(db, "compose")
    assert [(r.status, r.scheduled_for) for r in rows] == [("ok", FIRE)]  # recorded once


async def test_the_database_refuses_a_fire_time_twice(db: Database) -> None:
    """What stops two leaders that both got past the check in the same instant."""
    async with db.session() as session:
        session.add(JobRun(name="fetch", trigger="schedule", status="ok", scheduled_for=FIRE))
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            session.add(
                JobRun(name="fetch", trigger="schedule", status="running", scheduled_for=FIRE)
            )
    async with db.session() as session:  # a skipped or failed row does not hold the time
        for status in ("skipped", "failed", "failed"):
            session.add(JobRun(name="fetch", trigger="schedule", status=status, scheduled_for=FIRE))
    assert len(await job_rows(db, "fetch")) == 4


async def test_a_failed_fire_time_may_be_caught_up_once(db: Database) -> None:
    await add_papers(db, 2)
    async with db.session() as session:
        session.add(
            JobRun(name="compose", trigger="schedule", status="failed", scheduled_for=FIRE,
                   started_at=FIRE, finished_at=FIRE, error="cancelled (shutdown)")
        )  # fmt: skip
    ctx = context(db)
    await run_missed(ctx, [("compose", FIRE)])
    await run_missed(ctx, [("compose", FIRE)])  # a second instance's catch-up of the same time
    rows = await job_rows(db, "compose")
    assert [(r.status, r.scheduled_for) for r in rows] == [("failed", FIRE), ("ok", FIRE)]
