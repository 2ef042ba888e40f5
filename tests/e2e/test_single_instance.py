"""Several instances, refused where they cannot work (issue 10): real `digestbot run`
processes.

- SQLite serves one instance: a second `run` on the same file exits 2 with one line naming the
  holder, while the first keeps running and one-off commands still work; after kill -9 the
  kernel has released the lock and a restart starts.
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

from tests.e2e.cli_process import DIGESTBOT, base_env, digestbot
from tests.e2e.platforms import ROBOT_KEY
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


def _matches(line: str, pattern: str) -> bool:
    return re.fullmatch(pattern, line) is not None
