"""Real `digestbot run` processes on one PostgreSQL, for the fleet test and the failover bench.

Each instance is headless (WeCom robots only, stdin not a terminal), logs to a file of its own
and is stopped with SIGTERM or killed with SIGKILL. Its scheduled fetch points at a socket that
accepts and never answers, so a fetch stays running as long as we need: killing the leader then
leaves a run behind, as a real crash would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from storage.db import Database
from storage.models import JobRun
from storage.types import utcnow
from tests.e2e.platforms import PLATFORM_KEYS

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def silent_server() -> Iterator[str]:
    """An http URL whose server accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def fleet_env(database_url: str, robot_url: str, silent_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_KEYS)}
    return (
        env
        | {
            "DATABASE_URL": database_url,
            "WECOM_WEBHOOK_URLS": robot_url,
            "ARXIV_RSS_URL": f"{silent_url}/rss",
            "ARXIV_API_URL": f"{silent_url}/api/query",
            "ARXIV_RETRIES": "0",
            "ARXIV_DELAY_SECONDS": "0",
            "ARXIV_TIMEOUT_SECONDS": "600",
            "FETCH_CRON": "* * * * *",  # every minute: a fire time is never far away
            "PYTHONUNBUFFERED": "1",
            "HTTP_LISTEN": "127.0.0.1:0",  # instances side by side: any free port each
        }
        | extra
    )


async def seed_fetch_history(db: Database) -> None:
    """A fetch that ran yesterday: the leader then catches up the latest fire time on start
    (`jobs.missed`), so a fetch is running as soon as an instance leads."""
    yesterday = utcnow() - timedelta(days=1)
    async with db.session() as session:
        session.add(JobRun(name="fetch", trigger="schedule", status="ok", started_at=yesterday,
                           finished_at=yesterday))  # fmt: skip


@dataclass
class Instance:
    """One `digestbot run` process; its stdout and stderr go to `log`."""

    name: str
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    _seen: int = field(default=0)

    def start(self) -> Instance:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "run"], env=self.env, cwd=ROOT,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def wait_for(self, needle: str, within: float = 60.0) -> float:
        """Until `needle` is in the log (monotonic time it was seen); TimeoutError with the log."""
        deadline = time.monotonic() + within
        while needle not in self.text():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} never logged {needle!r}:\n{self.text()}")
            await asyncio.sleep(0.01)
        return time.monotonic()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait (SIGKILL past `timeout`); the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


LEADS = "leader: yes"
FOLLOWS = "leader: no"
