"""The scheduler's place in the process: `digestbot schedule` and the scheduler inside `run`.

This is the composition root for scheduled jobs: here they get their `publish` and
`notify_admins` callables (jobs never import a front end). In Telegram mode both go through the
running application's bot; in console mode notices are printed and nothing is published.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from bot.console.text import html_to_text
from core.config import Settings
from jobs.context import JobContext, JobName, PublishFn
from jobs.runs import run_job
from jobs.scheduler import build_scheduler, schedule_table, scheduler_running
from storage.db import Database

log = logging.getLogger(__name__)


async def print_notice(text_html: str) -> None:
    print(f"[admin] {html_to_text(text_html)}")


def telegram_publisher(settings: Settings, db: Database, bot: Any) -> PublishFn | None:
    """`publish` for scheduled jobs: Telegram delivery through the running bot, then the WeCom
    robots when WECOM_WEBHOOK_URLS is set."""
    from bot.telegram.sender import TelegramSender
    from cli.publishers import joined, publish_everywhere

    sender = TelegramSender(bot)

    async def publish(number: int, actor: str) -> str:
        return joined(await publish_everywhere(settings, db, sender, number=number, actor=actor))

    return publish


def telegram_lifespan(
    settings: Settings, db: Database
) -> Callable[[Any], AbstractAsyncContextManager[object]]:
    """For `run_telegram(lifespan=…)`: the scheduler runs while the application does."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[object]:
        from bot.telegram.admin_notify import admin_notifier, send_draft_preview

        async def on_draft(number: int) -> None:
            await send_draft_preview(app, number)

        scheduler = build_scheduler(
            settings,
            db,
            publish=telegram_publisher(settings, db, app.bot),
            notify_admins=admin_notifier(app.bot, settings.admin_chat_id),
            on_draft=on_draft,
        )
        async with scheduler_running(scheduler):
            yield scheduler

    return lifespan


@asynccontextmanager
async def console_scheduler(settings: Settings, db: Database) -> AsyncIterator[object]:
    """Console mode: the same schedule, notices printed, no publishing (no delivery here)."""
    scheduler = build_scheduler(settings, db, publish=None, notify_admins=print_notice)
    async with scheduler_running(scheduler):
        yield scheduler


async def cmd_schedule(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """`--list`: each job and its next run; `--run NAME`: run one job now (recorded as cli)."""
    if args.run:
        return await _run_now(args.run, settings, db, force=args.force)
    for line in schedule_table(settings):
        print(line)
    return 0


async def _run_now(name: JobName, settings: Settings, db: Database, *, force: bool) -> int:
    """Publishing needs the bot's delivery, so `--run publish` reports that it is unavailable.

    `force`: for an operator who knows the running holder is stuck; its row is marked failed
    ("taken over by --force") and this run proceeds, with a warning on stderr."""
    if force:
        print(f"warning: --force: taking over any {name} run still marked running", file=sys.stderr)
    result = await run_job(name, JobContext(settings, db), trigger="cli", force=force)
    print(f"{name}: {result.status}")
    print(result.summary)
    return 1 if result.status == "failed" else 0
