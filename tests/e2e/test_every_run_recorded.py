"""Every trigger goes through `jobs.runs.run_job`: admin and CLI runs leave their `job_runs`
row under their own trigger, and a live run of the same job holds them off like a scheduled
one — with the admin's or the CLI's usual output otherwise unchanged."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from cli.admin_ops import build_admin_ops
from domain.types import IssueStatus
from storage.db import Database
from storage.models import JobRun
from storage.types import utcnow
from tests.conftest import make_settings
from tests.e2e.platforms import ROBOT_KEY, digestbot, use_env, wecom_env, world
from tests.e2e.publish_helpers import make_issue
from tests.fakes.wecom_robot import FakeWeComRobot
from tests.integration.schedule_helpers import add_papers, job_rows


@pytest.fixture
def robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot((ROBOT_KEY,)) as fake:
        yield fake


def _runs(rows: list[JobRun]) -> list[tuple[str, str, str]]:
    return [(row.name, row.trigger, row.status) for row in rows]


async def _live_run(db: Database, name: str) -> None:
    """A run of `name` held by a live process (this one), heard from just now."""
    now = utcnow()
    async with db.session() as session:
        row = JobRun(name=name, trigger="schedule", status="running", started_at=now)
        row.heartbeat_at, row.host, row.pid = now, socket.gethostname(), os.getpid()
        session.add(row)


async def test_admin_compose_is_an_admin_run(sqlite_db: Database) -> None:
    await add_papers(sqlite_db, 2)
    ops = build_admin_ops(make_settings(database_url=sqlite_db.url), sqlite_db)
    report = await ops.compose()
    assert report.startswith("第1期 (2 papers, draft)")
    assert _runs(await job_rows(sqlite_db)) == [("compose", "admin", "ok")]


async def test_admin_publish_waits_for_a_live_publish_run(
    robot: FakeWeComRobot, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    settings = make_settings(database_url=sqlite_db.url, wecom_webhook_urls=robot.url(ROBOT_KEY))
    await _live_run(sqlite_db, "auto_publish")  # publishing to the same readers right now
    report = await build_admin_ops(settings, sqlite_db).publish(1, "telegram:1", None)
    assert report.startswith("skipped: auto_publish run #1 is still running")
    assert robot.requests == 0


async def test_cli_publish_and_compose_are_cli_runs(
    robot: FakeWeComRobot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await world(sqlite_db, None, None)
    use_env(monkeypatch, sqlite_db, wecom_env(robot))
    assert await digestbot("publish", "1") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("wecom: 第1期 published: 1/1")
    assert await digestbot("compose") == 1  # nothing new since issue 1: the one error line
    assert capsys.readouterr().err.strip()
    assert _runs(await job_rows(sqlite_db)) == [
        ("publish_issue", "cli", "ok"),
        ("compose", "cli", "ok"),
    ]


async def test_cli_publish_during_a_live_run_says_so_and_sends_nothing(
    robot: FakeWeComRobot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    use_env(monkeypatch, sqlite_db, wecom_env(robot))
    await _live_run(sqlite_db, "publish")
    assert await digestbot("publish", "1") == 1
    assert "skipped: publish run #1 is still running" in capsys.readouterr().err
    assert robot.requests == 0
    assert _runs(await job_rows(sqlite_db))[-1] == ("publish_issue", "cli", "skipped")
