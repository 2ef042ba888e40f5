"""Delivery benchmark: one issue to 5,000 subscribers through the fake Bot API at 30 messages/s.

`python -m bench delivery`. The fake enforces Telegram's overall limit (30 messages/s, burst 30);
its private-chat limit is raised to 100/s so only the overall limit binds (each reader gets one
message here anyway). The real PTB bot with AIORateLimiter and `publish_issue` do the sending.

Pass 1 (clean, in-process): achieved rate ÷ 30, 429s the fake answered, duplicates, missing.
Pass 2 (kill): `digestbot publish 1` as a subprocess, SIGKILLed once half the messages were
accepted — a plain kill, nothing quiesced — then run again to completion. `unconfirmed_at_kill`
counts parts the fake accepted that the ledger had not recorded when the process died (the
window `jobs.deliver` documents; each becomes a duplicate by the at-least-once choice).
`BENCH_DELIVERY_SUBSCRIBERS` shrinks both passes (default 5,000 clean, 2,000 for the kill, to
stay within ~6 minutes: 5,000 messages at 30/s alone take ~170 s).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.commands.context import Deps
from bot.telegram.app import telegram_sender
from core.config import Settings
from domain.types import IssueStatus, SummaryContent
from jobs.publish import publish_issue
from storage.db import Database
from storage.models import Chat
from storage.queries.issues import NewItem, create_issue
from storage.types import utcnow
from tests.factories import make_paper, store_paper
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FloodLimits

LIMIT = 30.0
FLOOD = FloodLimits(private_burst=100, private_per_second=100.0, global_burst=30)
FIRST_USER = 5_000_000


def _sizes() -> tuple[int, int]:
    override = os.environ.get("BENCH_DELIVERY_SUBSCRIBERS")
    return (int(override), int(override)) if override else (5000, 2000)


async def _world(db: Database, fake: FakeTelegram, readers: int) -> None:
    """A three-paper approved issue (one message per reader) and `readers` subscribers."""
    await db.upgrade()
    async with db.session() as session:
        ids = []
        for n in range(3):
            content = SummaryContent(title_translated=f"标题{n}", tldr=f"要点{n}。")
            ids.append(await store_paper(session, make_paper(), content, language="zh"))
        await create_issue(
            session, number=1, title="ML Papers 第1期", language="zh",
            period_start=date(2026, 11, 20), period_end=date(2026, 11, 20),
            items=[NewItem(paper_id=i, summary_id=None) for i in ids],
            status=IssueStatus.APPROVED,
        )  # fmt: skip
        now = utcnow()
        rows = [_chat(FIRST_USER + i, now) for i in range(readers)]
        for start in range(0, readers, 500):
            await session.execute(insert(Chat), rows[start : start + 500])
    for i in range(readers):
        fake.user(id=FIRST_USER + i, language_code="zh")


def _chat(user_id: int, now: Any) -> dict[str, Any]:
    return {
        "platform": "telegram", "external_id": str(user_id), "chat_type": "private",
        "language": "zh", "digest_mode": "all", "no_match_note": False, "active": True,
        "paused": False, "created_at": now, "started_at": now,
    }  # fmt: skip


def _settings(fake: FakeTelegram, url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, telegram_bot_token=fake.token,
        telegram_api_base_url=fake.url,
    )  # fmt: skip


def _outcome(fake: FakeTelegram, readers: int) -> dict[str, int]:
    counts = [len(fake.sent(FIRST_USER + i)) for i in range(readers)]
    return {
        "messages": sum(counts),
        "duplicates": sum(max(0, n - 1) for n in counts),
        "missing": sum(1 for n in counts if n == 0),
        "http_429": sum(1 for call in fake.errors if call.status == 429),
    }


async def _clean_pass(readers: int, folder: Path) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{folder / 'clean.db'}"
    with FakeTelegram(flood=FLOOD) as fake:
        db = Database(url)
        await _world(db, fake, readers)
        settings = _settings(fake, url)
        async with telegram_sender(Deps(settings=settings, db=db)) as sender:
            report = await publish_issue(settings.delivery, db, sender, number=1, actor="bench")
        await db.dispose()
        rate = report.messages / report.duration
        return {
            "subscribers": readers, "seconds": round(report.duration, 1),
            "rate_per_s": round(rate, 2), "rate_over_limit": round(rate / LIMIT, 3),
            **_outcome(fake, readers),
        }  # fmt: skip


def _accepted(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls("sendMessage") if call.ok)


def _recorded(path: Path) -> int:
    with sqlite3.connect(path, timeout=10) as conn:
        row = conn.execute("SELECT coalesce(sum(messages_sent), 0) FROM deliveries").fetchone()
    return int(row[0])


async def _run(url: str, fake: FakeTelegram, folder: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.url, "PTB_TIMEDELTA": "true", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "publish", "1", env=env, cwd=folder,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def _kill_pass(readers: int, folder: Path) -> dict[str, Any]:
    path = folder / "kill.db"
    url = f"sqlite+aiosqlite:///{path}"
    with FakeTelegram(flood=FLOOD) as fake:
        db = Database(url)
        await _world(db, fake, readers)
        await db.dispose()
        started = time.monotonic()
        first = await _run(url, fake, folder)
        await fake.wait_until(lambda: _accepted(fake) >= readers // 2 or None, timeout=600)
        first.kill()
        await first.wait()
        await asyncio.sleep(1.0)  # requests already on the wire still land at the fake
        unconfirmed = _accepted(fake) - _recorded(path)
        second = await _run(url, fake, folder)
        await second.wait()
        seconds = time.monotonic() - started
        return {
            "subscribers": readers, "killed_after": readers // 2,
            "unconfirmed_at_kill": unconfirmed, "rerun_exit": second.returncode,
            "seconds_incl_restart": round(seconds, 1), **_outcome(fake, readers),
        }  # fmt: skip


def main() -> dict[str, Any]:
    clean, kill = _sizes()
    os.environ["PTB_TIMEDELTA"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        figures = {
            "limit_per_s": LIMIT,
            "clean": asyncio.run(_clean_pass(clean, Path(tmp))),
            "kill_at_50pct": asyncio.run(_kill_pass(kill, Path(tmp))),
        }
    print(figures)
    return figures


if __name__ == "__main__":
    main()
