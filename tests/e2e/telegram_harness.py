"""Run the real digestbot Telegram application (PTB, polling) against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from jobs.demo import run_demo
from storage.db import Database
from tests.conftest import make_settings
from tests.fakes.telegram_server import FakeTelegram

ADMIN_CHAT = 999_000


def bot_settings(fake: FakeTelegram, db: Database, **extra: Any):
    return make_settings(
        database_url=db.url,
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.url,
        telegram_poll_timeout=1,
        admin_chat_id=ADMIN_CHAT,
        **extra,
    )


def ensure_admin_chat(fake: FakeTelegram) -> None:
    """The bot is in ADMIN_CHAT_ID, as in production (it sets the admin command menu there)."""
    if ADMIN_CHAT not in fake.api.chats:
        fake.group(ADMIN_CHAT, "Admins")


@asynccontextmanager
async def running_bot(
    fake: FakeTelegram,
    db: Database,
    *,
    demo: bool = True,
    settings_extra: dict[str, Any] | None = None,
    **deps_extra: Any,
) -> AsyncIterator[Deps]:
    """The bot polling the fake until the block ends; the demo issue is stored first."""
    settings = bot_settings(fake, db, **(settings_extra or {}))
    ensure_admin_chat(fake)
    if demo:
        await run_demo(settings, db)
    deps = Deps(settings=settings, db=db, **deps_extra)
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(deps, stop=stop))
    try:
        await fake.wait_for_poll(timeout=10)
        yield deps
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
