"""`digestbot run`: the main job. Telegram when a token is set, else the console on this terminal.

Before the console opens it runs today's pipeline against live arXiv, so there is something to
read; a network failure is reported and the console opens anyway.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

from bot.console.app import ConsoleBot, run_console
from core.config import Settings
from core.errors import DigestError
from jobs.pipeline import run_pipeline
from storage.db import Database


async def run_app(settings: Settings, db: Database) -> int:
    if settings.telegram_bot_token is not None:
        raise DigestError(
            "TELEGRAM_BOT_TOKEN is set, but the Telegram front end is not built yet "
            "(issue 3). Unset it to use the console."
        )
    print("No TELEGRAM_BOT_TOKEN: running today's pipeline, then the console front end.")
    try:
        for line in await run_pipeline(settings, db):
            print(line)
    except DigestError as exc:
        print(f"pipeline: {exc.user_message}")
    await run_console(ConsoleBot(settings, db), _stdin_lines(), print)
    return 0


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line
