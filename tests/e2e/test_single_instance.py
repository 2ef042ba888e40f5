"""Several instances, refused where they cannot work (issue 10): real `digestbot run`
processes.

- SQLite serves one instance: a second `run` on the same file exits 2 with one line naming the
  holder, while the first keeps running and one-off commands still work; after kill -9 the
  kernel has released the lock and a restart starts.
- A bot token serves one long poller: a second `run` polling the same token (on another
  database) exits 2 with one line while the first keeps answering chats; a token with a webhook
  set is refused with its own line, and the webhook is left alone (PTB would delete it).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Bot

from bot.telegram.polling import check_alone
from tests.e2e.cli_process import DIGESTBOT, base_env, digestbot
from tests.e2e.platforms import ROBOT_KEY
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wecom_robot import FakeWeComRobot

HEADLESS = "No TELEGRAM_BOT_TOKEN and no terminal: the schedule runs headless"


@pytest.fixture
def robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as fake:
        yield fake


def _env(tmp: Path, robot: FakeWeComRobot) -> dict[str, str]:
    return base_env(
        tmp,
        WECOM_WEBHOOK_URLS=robot.url(ROBOT_KEY),
        ARXIV_API_URL="http://127.0.0.1:9/api/query",  # refused at once: no live arXiv
        ARXIV_RSS_URL="http://127.0.0.1:9/rss",
        ARXIV_RETRIES="0",
    )


@asynccontextmanager
async def _running(env: dict[str, str], cwd: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`digestbot run` headless, once it says so; killed if the test leaves it running."""
    proc = await asyncio.create_subprocess_exec(
        str(DIGESTBOT), "run", env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line.decode().startswith(HEADLESS)
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()


async def _stopped(proc: asyncio.subprocess.Process) -> int:
    await asyncio.sleep(0.5)  # the signal handlers are set right after the headless line
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode is not None
    return proc.returncode


async def test_a_second_run_on_the_same_sqlite_file_is_one_line_and_exit_2(
    tmp_path: Path, robot: FakeWeComRobot
) -> None:
    env = _env(tmp_path, robot)
    async with _running(env, tmp_path) as first:
        second = await asyncio.to_thread(digestbot, "run", env=env, cwd=tmp_path)
        one_off = await asyncio.to_thread(digestbot, "issues", env=env, cwd=tmp_path)
        assert first.returncode is None  # the first instance is unaffected
        assert await _stopped(first) == 0

    assert second.code == 2, second.output
    assert "Traceback" not in second.output and second.stdout == ""
    host, database = re.escape(socket.gethostname()), re.escape(str(tmp_path / "digestbot.db"))
    holder = rf"pid {first.pid} on {host}, since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
    assert len(second.err_lines) == 1
    assert _matches(
        second.err_lines[0],
        rf"DATABASE_URL: another digestbot is already running on {database} \({holder}\); "
        r"SQLite serves one instance — stop it, or use PostgreSQL for several instances, "
        r"see docs/deploy\.md",
    )
    assert one_off.code == 0, one_off.output  # one-off commands are not blocked


async def test_after_kill_9_the_lock_is_gone_and_a_restart_starts(
    tmp_path: Path, robot: FakeWeComRobot
) -> None:
    env = _env(tmp_path, robot)
    async with _running(env, tmp_path) as crashed:
        os.kill(crashed.pid, signal.SIGKILL)
        await crashed.communicate()
        assert crashed.returncode == -signal.SIGKILL
    assert (tmp_path / "digestbot.db.run.lock").exists()  # left behind, but unlocked

    async with _running(env, tmp_path) as restarted:
        assert await _stopped(restarted) == 0


POLLER = (
    "TELEGRAM_BOT_TOKEN: another process is polling this bot token (Telegram: 409 Conflict: "
    "terminated by other getUpdates request; make sure that only one bot instance is running); "
    "stop it, or run several instances in webhook mode on PostgreSQL — see docs/deploy.md"
)
WEBHOOK = (
    "TELEGRAM_WEBHOOK_URL: a webhook is set for this bot token, so it cannot be polled "
    "(Telegram: 409 Conflict: can't use getUpdates method while webhook is active; use "
    "deleteWebhook to delete the webhook first); set TELEGRAM_WEBHOOK_URL to run in webhook "
    "mode, or delete the webhook (deleteWebhook) if nothing serves it any more — see "
    "docs/deploy.md"
)


def _telegram_env(tmp: Path, fake: FakeTelegram, name: str) -> dict[str, str]:
    (tmp / name).mkdir()
    return base_env(
        tmp / name, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url,
        ARXIV_API_URL="http://127.0.0.1:9/api/query", ARXIV_RSS_URL="http://127.0.0.1:9/rss",
        ARXIV_RETRIES="0",
    )  # fmt: skip


@asynccontextmanager
async def _polling(env: dict[str, str], cwd: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`digestbot run` on Telegram, once it logs that the bot is running."""
    proc = await asyncio.create_subprocess_exec(
        str(DIGESTBOT), "run", env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        async with asyncio.timeout(60):
            while b"telegram bot @" not in (line := await proc.stderr.readline()):
                assert line, "digestbot run ended before the bot ran"
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()


async def test_a_second_poller_on_the_same_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        first_env = _telegram_env(tmp_path, fake, "first")
        async with _polling(first_env, tmp_path / "first") as first:
            second_env = _telegram_env(tmp_path, fake, "second")
            second = await asyncio.to_thread(digestbot, "run", env=second_env, cwd=tmp_path)
            assert first.returncode is None
            user = fake.user()
            fake.send_text(user, "/help")  # the first instance still answers
            assert await fake.wait_for_sent(user, timeout=30)
            assert first.returncode is None
            first.terminate()
            _, first_err = await first.communicate()

    assert second.code == 2, second.output
    assert "Traceback" not in second.output and second.stdout == ""
    assert [line for line in second.err_lines if not _logged(line)] == [POLLER]
    # the probe ended one of the first instance's long polls: one warning line, no traceback
    assert "Traceback" not in first_err.decode()
    assert "getUpdates answered 409 (Conflict: terminated by other getUpdates request" in (
        first_err.decode()
    )


async def test_a_token_with_a_webhook_is_not_polled(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        with fake.api.lock:
            fake.api.webhook = {"url": "https://bot.example.org/telegram"}
        ran = await asyncio.to_thread(
            digestbot, "run", env=_telegram_env(tmp_path, fake, "one"), cwd=tmp_path
        )
        assert fake.webhook == {"url": "https://bot.example.org/telegram"}  # left alone

    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output and ran.stdout == ""
    assert [line for line in ran.err_lines if not _logged(line)] == [WEBHOOK]


def _logged(line: str) -> bool:
    """A log record (INFO lines of start-up), not the refusal."""
    return re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line) is not None


def _matches(line: str, pattern: str) -> bool:
    return re.fullmatch(pattern, line) is not None


async def test_the_check_leaves_pending_updates_for_the_poller(fake_telegram: FakeTelegram) -> None:
    fake_telegram.send_text(fake_telegram.user(), "sent while the bot was down")
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        await check_alone(bot, seconds=1.5)
    assert len(fake_telegram.pending_updates) == 1  # nothing confirmed: no offset sent
    assert all(c.params.get("offset") is None for c in fake_telegram.calls("getUpdates"))
