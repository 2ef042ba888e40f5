"""Two real `digestbot run` processes on one PostgreSQL work as one bot's schedule.

The first leads and runs the fetch fire time it owes (caught up on start, see
`tests.fleet_procs`); the second follows. SIGKILL the leader mid-run: the follower takes the
leader lock, marks the dead run failed and runs that fire time itself — once: no fire time is
ever held by two running-or-successful rows.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.e2e.platforms import ROBOT_KEY
from tests.fakes.wecom_robot import FakeWeComRobot
from tests.fleet_procs import FOLLOWS, LEADS, Instance, fleet_env, seed_fetch_history, silent_server
from tests.integration.schedule_helpers import job_rows


@pytest.fixture
def env(postgres_db: Database) -> Iterator[dict[str, str]]:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as robot, silent_server() as silent:
        yield fleet_env(postgres_db.url, robot.url(ROBOT_KEY), silent)


async def _running_fetch(db: Database, pid: int) -> None:
    for _ in range(3000):
        rows = await job_rows(db, "fetch")
        if any(r.status == "running" and r.pid == pid for r in rows):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no running fetch of pid {pid}: {[(r.status, r.pid) for r in rows]}")


async def test_the_follower_takes_over_a_killed_leader_and_runs_its_fire_time_once(
    postgres_db: Database, env: dict[str, str], tmp_path: Path
) -> None:
    await seed_fetch_history(postgres_db)
    first = Instance("first", env, tmp_path / "first.log").start()
    second = Instance("second", env, tmp_path / "second.log")
    try:
        await first.wait_for(LEADS)
        await _running_fetch(postgres_db, first.pid)
        second.start()
        await second.wait_for(FOLLOWS)
        assert LEADS not in second.text()

        first.kill()
        await second.wait_for(LEADS, within=30)
        await _running_fetch(postgres_db, second.pid)
        rows = await job_rows(postgres_db, "fetch")
    finally:
        first.stop()
        status = second.stop()
    assert status == 0, second.text()
    dead = [r for r in rows if r.pid == first.pid and r.status == "failed"]
    assert dead and all(r.error and r.error.startswith("holder died") for r in dead), rows
    held = Counter(r.scheduled_for for r in rows if r.status in ("running", "ok") and r.pid)
    assert held and max(held.values()) == 1, rows  # no fire time held by two runs
