"""The schedule without Telegram: a WeCom-only deployment fetches, composes, tells the operator
how to approve, and publishes to the robots on its own.

- the scheduled publish job, through `run_job` with the publish function `cli` wires;
- `run_app` with only WECOM_WEBHOOK_URLS and no terminal: headless, scheduled jobs fire;
- `digestbot run` as a real process: headless on a pipe (SIGTERM ends it, status 0), the
  console beside the schedule on a terminal (a pty).
"""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from cli.run import Schedule, run_app
from cli.schedule import standalone_scheduler
from core.config import Settings
from core.services.review import approve
from domain.types import IssueStatus
from jobs.runs import run_job
from jobs.scheduler import DigestScheduler
from storage.db import Database
from storage.types import utcnow
from tests.conftest import make_settings
from tests.e2e.platforms import PLATFORM_KEYS, ROBOT_KEY, wecom_expected
from tests.e2e.publish_helpers import make_issue
from tests.fakes.wecom_robot import FakeWeComRobot
from tests.integration.schedule_helpers import add_papers, job_rows

HEADLESS = "No TELEGRAM_BOT_TOKEN and no terminal: the schedule runs headless, publishing to wecom"


@pytest.fixture
def robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as fake:
        yield fake


def _wecom_only(robot: FakeWeComRobot, db: Database) -> Settings:
    return make_settings(database_url=db.url, wecom_webhook_urls=robot.url(ROBOT_KEY))


async def test_the_scheduled_publish_reaches_wecom_without_a_telegram_token(
    robot: FakeWeComRobot, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_issue(db, status=IssueStatus.APPROVED)
    settings = _wecom_only(robot, db)
    assert settings.telegram_bot_token is None

    async with standalone_scheduler(settings, db) as leadership:
        assert leadership.is_leader and isinstance(leadership.scheduler, DigestScheduler)
        result = await run_job("publish", leadership.scheduler.context)

    assert (result.status, result.trigger) == ("ok", "schedule")
    assert result.summary.startswith("published 第1期: wecom: 第1期 published: 1/1 delivered")
    assert robot.messages == {ROBOT_KEY: await wecom_expected(db)}
    assert "[admin] 📬 第1期 published: wecom: 第1期 published" in capsys.readouterr().out


async def test_run_with_only_wecom_is_headless_and_its_schedule_fires(
    robot: FakeWeComRobot, sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_papers(sqlite_db, 2)
    started: asyncio.Queue[DigestScheduler] = asyncio.Queue()
    stop = asyncio.Event()
    run = run_app(_wecom_only(robot, sqlite_db), sqlite_db, stop=stop, interactive=False,
                  schedule=_captured(started))  # fmt: skip
    task = asyncio.create_task(run)
    try:
        scheduler = await asyncio.wait_for(started.get(), timeout=15)
        assert {job.id for job in scheduler.get_jobs()} == {"fetch", "compose", "publish"}
        scheduler.modify_job("compose", next_run_time=utcnow())
        out = await _printed(capsys, "`digestbot approve 1`")
        await approve(sqlite_db, number=1, admin_id="editor")
        scheduler.modify_job("publish", next_run_time=utcnow())
        out += await _printed(capsys, "📬 第1期 published")
    finally:
        stop.set()
    assert await asyncio.wait_for(task, timeout=15) == 0
    assert out.startswith(HEADLESS)
    assert "[admin] 📝 Draft 第1期 awaits review (2 papers)" in out
    assert "[admin] 第1期 draft ready — read it with `digestbot show 1`" in out
    assert robot.messages == {ROBOT_KEY: await wecom_expected(sqlite_db)}
    rows = [(r.name, r.trigger, r.status) for r in await job_rows(sqlite_db)]
    assert rows == [("compose", "schedule", "ok"), ("publish", "schedule", "ok")]


def _captured(started: asyncio.Queue[DigestScheduler]) -> Schedule:
    """`standalone_scheduler`, handing the running scheduler to the test."""

    @asynccontextmanager
    async def schedule(settings: Settings, db: Database) -> AsyncIterator[object]:
        async with standalone_scheduler(settings, db) as leadership:
            assert leadership.scheduler is not None  # the one instance leads
            started.put_nowait(leadership.scheduler)
            yield leadership

    return schedule


async def _printed(capsys: pytest.CaptureFixture[str], text: str) -> str:
    """Everything printed until `text` appears (within 20 s)."""
    seen = ""
    async with asyncio.timeout(20):
        while text not in seen:
            await asyncio.sleep(0.05)
            seen += capsys.readouterr().out
    return seen


def _env(robot: FakeWeComRobot, path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_KEYS)}
    return env | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{path}",
        "HTTP_LISTEN": "127.0.0.1:0",
        "WECOM_WEBHOOK_URLS": robot.url(ROBOT_KEY),
        "ARXIV_API_URL": "http://127.0.0.1:9/api/query",  # refused at once: no live arXiv
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
        "ARXIV_RETRIES": "0",
        "ARXIV_DELAY_SECONDS": "0",
    }


async def test_digestbot_run_on_a_pipe_is_headless_until_sigterm(
    robot: FakeWeComRobot, tmp_path: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "run", env=_env(robot, tmp_path / "run.db"),
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line.decode().startswith(HEADLESS)
        await asyncio.sleep(0.5)  # the scheduler is started right after that line
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert "scheduler started:" in err.decode() and "publish next" in err.decode()


async def test_digestbot_run_on_a_terminal_opens_the_console_beside_the_schedule(
    robot: FakeWeComRobot, tmp_path: Path
) -> None:
    leader, follower = pty.openpty()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "run", env=_env(robot, tmp_path / "tty.db"),
        cwd=tmp_path, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        os.write(leader, b"/quit\n")
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:  # a hung process must not outlive the test
            proc.kill()
            await proc.wait()
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert "the console front end and the schedule (publishing to wecom)" in text
    assert "digestbot console — type /help" in text
    assert "scheduler started:" in err.decode() and "publish next" in err.decode()
