"""`digestbot run`: the main job. Telegram when a token is set, else the console on this terminal.

With WECHAT_TOKEN set the Official Account callback is served too: beside Telegram, or alone
(then with the scheduler but no console, since the process is a server, not a terminal chat).

The console opens at once while today's pipeline runs against live arXiv in the background; a
network failure is reported and changes nothing else. In both modes the scheduler
runs alongside and shuts down with the front end.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from functools import partial

import httpx

from bot.commands.context import Deps
from bot.console.app import ConsoleBot, run_console
from bot.wechat.inflight import SendLater
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


async def run_app(
    settings: Settings,
    db: Database,
    *,
    stop: asyncio.Event | None = None,
    send_later: SendLater | None = None,
) -> int:
    """The bot and its schedule (see `cli.schedule`) until `stop` (Telegram) or end of input.

    `send_later(openid, text)` delivers WeChat answers that missed the 5-second reply (the
    customer-service message API); without it such answers are logged and dropped.
    """
    deps = build_deps(settings, db)
    stop = stop or asyncio.Event()
    async with _customer_service(settings) as api_send:
        return await _run_front_ends(settings, db, deps, stop, send_later or api_send)


@asynccontextmanager
async def _customer_service(settings: Settings) -> AsyncIterator[SendLater | None]:
    """WeChat's customer-service API for answers that miss the 5-second reply, when configured."""
    from cli.wechat_publish import wechat_configured

    if not wechat_configured(settings):
        yield None
        return
    from bot.wechat.api import WeChatApi

    async with httpx.AsyncClient(timeout=30) as http:
        api = WeChatApi(settings, http)

        async def send_later(openid: str, text: str) -> None:
            await api.send_text(openid, text)

        yield send_later


async def _run_front_ends(
    settings: Settings, db: Database, deps: Deps, stop: asyncio.Event, send_later: SendLater | None
) -> int:
    if settings.telegram_bot_token is not None:
        from bot.telegram.app import run_telegram

        telegram = run_telegram(deps, stop=stop, lifespan=telegram_lifespan(settings, db))
        await _beside_wechat(deps, stop, send_later, telegram)
        return 0
    if settings.wechat_token is not None:
        async with console_scheduler(settings, db):
            await _beside_wechat(deps, stop, send_later, None)
        return 0
    print("No TELEGRAM_BOT_TOKEN: the console front end; today's pipeline runs in the background.")
    pipeline = asyncio.create_task(_background_pipeline(settings, db))
    async with console_scheduler(settings, db):
        await run_console(ConsoleBot(deps), _stdin_lines(), print)
    pipeline.cancel()
    return 0


async def _background_pipeline(settings: Settings, db: Database) -> None:
    """Fetch, summarize, compose while the console is already usable (arXiv can be slow or,
    offline, take a minute of retries to fail); each step's line is printed when done."""
    try:
        for line in await run_pipeline(settings, db):
            print(f"[pipeline] {line}")
    except DigestError as exc:
        print(f"[pipeline] {exc.user_message}")


async def _beside_wechat(
    deps: Deps, stop: asyncio.Event, send_later: SendLater | None, other: Awaitable[None] | None
) -> None:
    """Run `other` and, when WECHAT_TOKEN is set, the WeChat callback; one failing stops both."""
    if deps.settings.wechat_token is None:
        if other is not None:
            await other
        return
    from bot.wechat.server import run_wechat

    async with asyncio.TaskGroup() as group:
        group.create_task(run_wechat(deps, stop=stop, send_later=send_later))
        if other is not None:
            group.create_task(_then_stop(other, stop))


async def _then_stop(work: Awaitable[None], stop: asyncio.Event) -> None:
    try:
        await work
    finally:
        stop.set()  # Telegram ended (or failed): the WeChat server ends with it


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line
