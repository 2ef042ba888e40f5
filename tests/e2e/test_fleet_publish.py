"""Two real `digestbot publish` processes deliver one issue together on PostgreSQL.

They share the ledger (rows claimed with SKIP LOCKED, fenced leases) and one Telegram budget
for the bot (`core.services.send_budget`). The fake Bot API counts per bot, across both
processes' connections, with an overall bucket of 30/s and a burst of only 5: two processes
each pacing itself to 30/s would earn 429s within a second. (Not the single process's
sliding-window guard: across processes the slots are kept at the database, and a loaded
machine's scheduling can shift one send by tens of milliseconds at the fake's end.) Killing
one of them halfway, the other takes over its leases and finishes. Stopping one for a moment
(what a loaded machine does to a process), it must not make up its missed slots in a burst.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.types import IssueStatus
from storage.db import Database
from tests.e2e.publish_helpers import expected_parts, make_issue, received, subscriber
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FloodLimits

READERS = 24
TOPICS = (None, "cat:cs.CV", None, "cat:cs.LG")


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """Telegram's limits for the bot as a whole, with little burst to hide a second sender."""
    with FakeTelegram(flood=FloodLimits(global_burst=5)) as fake:
        yield fake


async def _world(fake: FakeTelegram, db: Database) -> list[tuple[Any, list[str]]]:
    await make_issue(db, status=IssueStatus.APPROVED)
    readers = []
    for i in range(READERS):
        language, topic = ("zh", "en")[i % 2], TOPICS[i % len(TOPICS)]
        user = await subscriber(fake, db, language=language, topic=topic)
        wanted = None if topic is None else (topic.removeprefix("cat:"),)
        readers.append((user, await expected_parts(db, number=1, language=language,
                                                   categories=wanted)))  # fmt: skip
    return readers


async def _publish(fake: FakeTelegram, db: Database, folder: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ, "DATABASE_URL": db.url, "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.url, "PTB_TIMEDELTA": "true", "LOG_LEVEL": "WARNING",
        "DELIVERY_CONCURRENCY": "8",
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "publish", "1", env=env, cwd=folder,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _accepted(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls("sendMessage") if call.ok)


def _recorded(db: Database) -> int:
    """Parts the ledger holds as sent, read like a third process would."""
    dsn, _, query = db.url.replace("postgresql+psycopg://", "postgresql://").partition("?")
    options = query.removeprefix("options=").replace("%3D", "=")
    with psycopg.connect(dsn, options=options) as conn:
        row = conn.execute("SELECT coalesce(sum(messages_sent), 0) FROM deliveries").fetchone()
    return int(row[0]) if row else 0


async def test_two_processes_deliver_one_issue_once_within_the_bots_limits(
    fake_telegram: FakeTelegram, postgres_db: Database, tmp_path: Path
) -> None:
    readers = await _world(fake_telegram, postgres_db)
    runs = [await _publish(fake_telegram, postgres_db, tmp_path) for _ in range(2)]
    outputs = [await asyncio.wait_for(run.communicate(), timeout=180) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
    for user, parts in readers:
        assert received(fake_telegram, user) == parts  # each part once, in order
    assert [call for call in fake_telegram.errors if call.status == 429] == []
    lines = [out.decode() for out, _ in outputs]
    assert any(f"{READERS}/{READERS} delivered" in line for line in lines), lines


async def test_a_process_stopped_for_a_moment_does_not_burst_when_it_resumes(
    fake_telegram: FakeTelegram, postgres_db: Database, tmp_path: Path
) -> None:
    readers = await _world(fake_telegram, postgres_db)
    stopped, other = [await _publish(fake_telegram, postgres_db, tmp_path) for _ in range(2)]
    await fake_telegram.wait_until(lambda: _accepted(fake_telegram) >= 15 or None, timeout=60)
    # Longer than the slots its eight workers hold (16 slots of the fleet at 29/s: 0.55 s).
    os.kill(stopped.pid, signal.SIGSTOP)
    await asyncio.sleep(0.8)
    os.kill(stopped.pid, signal.SIGCONT)
    for run in (stopped, other):
        _, err = await asyncio.wait_for(run.communicate(), timeout=180)
        assert run.returncode == 0, err.decode()
    for user, parts in readers:
        assert received(fake_telegram, user) == parts
    assert [call for call in fake_telegram.errors if call.status == 429] == []


async def test_when_one_process_is_killed_the_other_finishes(
    fake_telegram: FakeTelegram, postgres_db: Database, tmp_path: Path
) -> None:
    readers = await _world(fake_telegram, postgres_db)
    total = sum(len(parts) for _, parts in readers)
    victim, survivor = [await _publish(fake_telegram, postgres_db, tmp_path) for _ in range(2)]
    await fake_telegram.wait_until(lambda: _accepted(fake_telegram) >= total // 2 or None,
                                   timeout=60)  # fmt: skip
    # Close the documented window first (see test_publish_kill): nothing accepted unrecorded.
    fake_telegram.force_flood(times=10**9, retry_after=1, methods=["sendMessage"])
    accepted = _accepted(fake_telegram)
    await fake_telegram.wait_until(lambda: _recorded(postgres_db) == accepted or None,
                                   timeout=30)  # fmt: skip
    victim.kill()  # SIGKILL: its leases stay "sending" until they go stale
    await asyncio.wait_for(victim.wait(), timeout=10)
    await asyncio.sleep(0.5)
    with fake_telegram.api.lock:
        fake_telegram.api.faults.clear()
    _, err = await asyncio.wait_for(survivor.communicate(), timeout=180)
    assert survivor.returncode == 0, err.decode()
    for user, parts in readers:
        assert received(fake_telegram, user) == parts
    assert _accepted(fake_telegram) == total
