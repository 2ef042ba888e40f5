"""`digestbot run`: the main job. Telegram when a token is set, else the console on this terminal.

Before the console opens it runs today's pipeline against live arXiv, so there is something to
read; a network failure is reported and the console opens anyway. In both modes the scheduler
runs alongside and shuts down with the front end.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from functools import partial

from bot.commands.context import Deps
from bot.console.app import ConsoleBot, run_console
from cli.schedule import console_scheduler, telegram_lifespan
from core.config import Settings
from core.errors import DigestError
from jobs.on_demand import fetch_and_summarize
from jobs.pipeline import run_pipeline
from storage.db import Database


def build_deps(settings: Settings, db: Database) -> Deps:
    from cli.admin_ops import JobAdminOps

    return Deps(
        settings=settings,
        db=db,
        fetch_paper=partial(fetch_and_summarize, settings, db),
        ops=JobAdminOps(settings, db),
    )


async def run_app(settings: Settings, db: Database, *, stop: asyncio.Event | None = None) -> int:
    """The bot and its schedule (see `cli.schedule`) until `stop` (Telegram) or end of input."""
    deps = build_deps(settings, db)
    if settings.telegram_bot_token is not None:
        from bot.telegram.app import run_telegram

        await run_telegram(deps, stop=stop, lifespan=telegram_lifespan(settings, db))
        return 0
    print("No TELEGRAM_BOT_TOKEN: running today's pipeline, then the console front end.")
    try:
        for line in await run_pipeline(settings, db):
            print(line)
    except DigestError as exc:
        print(f"pipeline: {exc.user_message}")
    async with console_scheduler(settings, db):
        await run_console(ConsoleBot(deps), _stdin_lines(), print)
    return 0


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line
