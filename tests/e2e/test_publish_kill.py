"""A crash mid-delivery: `digestbot publish 1` as a real subprocess, SIGKILLed halfway, then run
again; every reader must end up with exactly their messages, once each, in order.

What the kill may not hit is the one window no ledger can close (Telegram accepted a part, our
commit had not happened yet — see `jobs.deliver`): with a random kill a part in that window is
sent again by design. So before the kill the fake stops accepting (every sendMessage answers 429,
as in a flood) and the test waits until the ledger holds every part the fake accepted; rows in
flight at the kill are then exactly those a real crash leaves, in the middle of their retries
and rate-limiter waits. The window itself is covered by `test_unconfirmed_part_is_sent_again`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.types import IssueStatus
from storage.db import Database
from tests.e2e.publish_helpers import (
    expected_parts,
    guard_send_spacing,
    make_issue,
    received,
    subscriber,
)
from tests.fakes.telegram_server import FakeTelegram

READERS = 24
TOPICS = (None, "cat:cs.CV", None, "cat:cs.LG")  # a mix of full and topic-filtered readers


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    """The rule guard: what each test delivers keeps within Telegram's send limits."""
    yield from guard_send_spacing(request)


def _env(fake: FakeTelegram, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.url,
        "PTB_TIMEDELTA": "true",
        "DELIVERY_CONCURRENCY": "8",
        "LOG_LEVEL": "WARNING",
    }


def _ledger(path: Path) -> tuple[int, dict[str, int]]:
    """(parts recorded as sent, rows by status), read like another process would."""
    with sqlite3.connect(path, timeout=10) as conn:
        parts = conn.execute("SELECT coalesce(sum(messages_sent), 0) FROM deliveries").fetchone()
        rows = conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
    return int(parts[0]), {status: int(n) for status, n in rows}


def _accepted(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls("sendMessage") if call.ok)


async def _world(fake: FakeTelegram, db: Database) -> list[tuple[object, list[str]]]:
    await make_issue(db, status=IssueStatus.APPROVED)
    readers = []
    for i in range(READERS):
        language, topic = ("zh", "en")[i % 2], TOPICS[i % len(TOPICS)]
        user = await subscriber(fake, db, language=language, topic=topic)
        wanted = None if topic is None else (topic.removeprefix("cat:"),)
        parts = await expected_parts(db, number=1, language=language, categories=wanted)
        readers.append((user, parts))
    return readers


async def _kill_halfway(
    fake: FakeTelegram, proc: asyncio.subprocess.Process, path: Path, half: int
) -> int:
    await fake.wait_until(lambda: _accepted(fake) >= half or None, timeout=60)
    fake.force_flood(times=10**9, retry_after=1, methods=["sendMessage"])
    accepted = _accepted(fake)
    await fake.wait_until(lambda: _ledger(path)[0] == accepted or None, timeout=30)
    proc.kill()  # SIGKILL: no cleanup, no finally blocks
    await asyncio.wait_for(proc.wait(), timeout=10)
    await asyncio.sleep(0.5)  # requests still on the wire are answered 429, not accepted
    with fake.api.lock:
        fake.api.faults.clear()
    return accepted


async def test_kill_mid_delivery_then_restart_delivers_each_message_once(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    path = tmp_path / "kill.db"
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    await db.upgrade()
    readers = await _world(fake_telegram, db)
    await db.dispose()
    total = sum(len(parts) for _, parts in readers)
    command = [sys.executable, "-m", "cli.main", "publish", "1"]
    env = _env(fake_telegram, url)

    proc = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    accepted = await _kill_halfway(fake_telegram, proc, path, total // 2)
    parts_at_kill, statuses = _ledger(path)
    assert 0 < accepted < total and parts_at_kill == accepted
    assert statuses.get("sending", 0) > 0 and statuses.get("pending", 0) > 0, statuses

    rerun = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(rerun.communicate(), timeout=180)
    assert rerun.returncode == 0, err.decode()
    assert "resumed" in out.decode() and f"{READERS}/{READERS} delivered" in out.decode()
    for user, parts in readers:
        assert received(fake_telegram, user) == parts
    assert _accepted(fake_telegram) == total
    assert _ledger(path) == (total, {"sent": READERS})
