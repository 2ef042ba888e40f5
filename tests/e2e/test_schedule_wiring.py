"""The scheduler in the running bot (fake Telegram) and `digestbot schedule` on the CLI."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from cli.main import main
from cli.run import run_app
from cli.schedule import telegram_lifespan
from core.config import get_settings
from jobs.leader import Leadership
from jobs.scheduler import DigestScheduler
from storage.db import Database
from storage.models import JobRun
from storage.types import utcnow
from tests.e2e.telegram_harness import ADMIN_CHAT, bot_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.integration.schedule_helpers import add_papers, job_rows


async def test_scheduled_compose_reaches_the_admin_chat(fake_telegram: FakeTelegram, sqlite_db):
    await add_papers(sqlite_db, 2)
    settings = bot_settings(fake_telegram, sqlite_db)
    admins = fake_telegram.group(id=ADMIN_CHAT, title="admins")
    started: asyncio.Queue[DigestScheduler] = asyncio.Queue()
    inner = telegram_lifespan(settings, sqlite_db)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[object]:
        async with inner(app) as leadership:
            assert isinstance(leadership, Leadership) and leadership.scheduler is not None
            started.put_nowait(leadership.scheduler)
            yield leadership

    stop = asyncio.Event()
    deps = Deps(settings, sqlite_db)
    task = asyncio.create_task(run_telegram(deps, stop=stop, lifespan=lifespan))
    try:
        scheduler = await asyncio.wait_for(started.get(), timeout=15)
        assert {job.id for job in scheduler.get_jobs()} == {"fetch", "compose", "publish"}
        scheduler.modify_job("compose", next_run_time=utcnow())
        preview, notice = await fake_telegram.wait_for_sent(admins, count=2, timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
    assert notice.text.startswith("📝 Draft 第1期 awaits review (2 papers): 【第1期】")
    assert notice.text.endswith("/review 1")
    assert preview.buttons and "第1期" in preview.text  # the draft, with its review buttons
    assert not scheduler.running  # shut down with the bot
    assert [(r.name, r.status) for r in await job_rows(sqlite_db)] == [("compose", "ok")]


async def test_run_app_starts_and_stops_with_the_scheduler(fake_telegram, sqlite_db) -> None:
    settings = bot_settings(fake_telegram, sqlite_db)
    stop = asyncio.Event()
    task = asyncio.create_task(run_app(settings, sqlite_db, stop=stop))
    await fake_telegram.wait_for_poll(timeout=10)
    stop.set()
    assert await asyncio.wait_for(task, timeout=15) == 0


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AUTO_PUBLISH_AFTER", "PT2H")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


async def test_schedule_list_and_run_now(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await asyncio.to_thread(main, ["schedule", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["fetch", "compose", "publish", "auto_publish"]
    assert all("next: " in line for line in listed)

    assert await asyncio.to_thread(main, ["schedule", "--run", "compose"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("compose: ok\ncompose: 还没有已摘要的论文")
    db = Database(cli_db)
    try:
        (row,) = await job_rows(db)
    finally:
        await db.dispose()
    assert (row.name, row.trigger, row.status) == ("compose", "cli", "ok")


async def test_schedule_run_force_takes_over_a_live_run(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(cli_db)
    try:
        await db.upgrade()
        async with db.session() as session:  # a live holder: this host, this pid, heard just now
            now = utcnow()
            row = JobRun(name="compose", trigger="schedule", status="running", started_at=now)
            row.heartbeat_at, row.host, row.pid = now, socket.gethostname(), os.getpid()
            session.add(row)
        assert await asyncio.to_thread(main, ["schedule", "--run", "compose"]) == 0
        assert capsys.readouterr().out.startswith("compose: skipped\n")

        assert await asyncio.to_thread(main, ["schedule", "--run", "compose", "--force"]) == 0
        captured = capsys.readouterr()
        assert captured.out.startswith("compose: ok\n")
        assert "warning: --force" in captured.err and "Traceback" not in captured.err
        rows = await job_rows(db)
    finally:
        await db.dispose()
    assert [(r.status, r.error) for r in rows] == [
        ("failed", "taken over by --force"),
        ("skipped", None),
        ("ok", None),
    ]
