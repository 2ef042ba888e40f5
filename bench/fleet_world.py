"""Shared set-up of the fleet benchmarks: a throw-away PostgreSQL schema holding one approved
issue and N subscribers, the fake Bot API knowing them, and real `digestbot publish` processes.

PostgreSQL is the one at `TEST_POSTGRES_URL` (default the test database at 127.0.0.1:5432);
each run gets its own schema, dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench.bench_delivery import FIRST_USER, _world
from storage.db import Database
from tests.fakes.telegram_server import FakeTelegram

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A database URL whose search_path is a fresh schema (dropped afterwards)."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def build_world(url: str, fake: FakeTelegram, readers: int) -> None:
    db = Database(url)
    try:
        await _world(db, fake, readers)
    finally:
        await db.dispose()


async def publish_process(
    url: str, fake: FakeTelegram, folder: Path, **env: str
) -> asyncio.subprocess.Process:
    """`digestbot publish 1` as its own process, on `url` and the fake."""
    environment = {
        **os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.url, "PTB_TIMEDELTA": "true", "LOG_LEVEL": "WARNING",
        **env,
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "publish", "1", env=environment, cwd=folder,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def accepted(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls("sendMessage") if call.ok)


def outcome(fake: FakeTelegram, readers: int) -> dict[str, Any]:
    """Messages, duplicates, missing readers, 429s, and the rate between the first and the
    last accepted message (process start-up left out)."""
    counts = [len(fake.sent(FIRST_USER + i)) for i in range(readers)]
    ok = [call for call in fake.calls("sendMessage") if call.ok]
    times = [call.at for call in ok]
    span = max(times) - min(times) if len(times) > 1 else 0.0
    return {
        "messages": sum(counts),
        "duplicates": sum(max(0, n - 1) for n in counts),
        "missing": sum(1 for n in counts if n == 0),
        "http_429": sum(1 for call in fake.errors if call.status == 429),
        "paid_messages": sum(1 for call in ok if call.params.get("allow_paid_broadcast")),
        "send_seconds": round(span, 2),
        "rate_per_s": round((len(times) - 1) / span, 2) if span else 0.0,
    }


async def finished(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """Exit code and the last line of stderr (the reason, when it failed)."""
    _, err = await process.communicate()
    lines = err.decode(errors="replace").strip().splitlines()
    return process.returncode or 0, lines[-1] if lines else ""
