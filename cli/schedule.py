"""The scheduler's place in the process: `digestbot schedule` and the scheduler inside `run`.

This is the composition root for scheduled jobs: here they get their `publish`,
`notify_admins` and `on_draft` callables (jobs never import a front end).

- With Telegram, all three go through the running application's bot (ADMIN_CHAT_ID gets the
  notices and the draft's preview with review buttons); publishing also reaches WeCom/WeChat.
- Without Telegram (`standalone_scheduler`: WeCom robots and/or the Official Account, or the
  bare console) the schedule still fetches, composes and publishes to every configured
  platform. The admins' notices are printed on stdout — the terminal, or the service's log
  (journald, `docker logs`) — and a new draft adds a line saying how to approve it from the
  shell. WeCom robots are readers' groups, so notices never go there; nothing is pushed to
  WeChat admins either (the Official Account may only message a follower who wrote within 48
  hours). With no platform at all there is no publish job: nothing to deliver to.

Either way the schedule runs only while this instance leads (`jobs.leader`): with several
instances on one PostgreSQL exactly one of them schedules; on SQLite the one instance does.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from bot.render.content import plain_text
from cli.platforms import ConfiguredPlatforms, serving_telegram
from core.config import Settings
from domain.content import Content
from jobs.context import JobContext, JobName, PublishFn
from jobs.leader import Leadership, leading
from jobs.publish_everywhere import as_publish_fn
from jobs.runs import run_job
from jobs.scheduler import DigestScheduler, build_scheduler, schedule_table
from storage.db import Database

log = logging.getLogger(__name__)


async def print_notice(notice: Content) -> None:
    print(f"[admin] {plain_text(notice)}", flush=True)


def draft_ready_line(number: int) -> str:
    return (
        f"第{number}期 draft ready — read it with `digestbot show {number}`, approve with "
        f"`digestbot approve {number}` (or reject with `digestbot reject {number}`)"
    )


async def print_draft_ready(number: int) -> None:
    """`on_draft` without Telegram: how to review from the shell, on stdout and in the log."""
    line = draft_ready_line(number)
    log.info("%s", line)
    print(f"[admin] {line}", flush=True)


def publisher(platforms: ConfiguredPlatforms) -> PublishFn | None:
    """`publish` for scheduled jobs: every configured platform, Telegram through the running
    bot when this process runs it (None: no platform is configured)."""
    if not platforms.configured():
        return None
    return as_publish_fn(platforms.settings.delivery, platforms.db, platforms)


def telegram_lifespan(
    settings: Settings, db: Database, platforms: ConfiguredPlatforms | None = None
) -> Callable[[Any], AbstractAsyncContextManager[object]]:
    """For `run_telegram(lifespan=…)`: while the application runs, its sender is the
    process's Telegram sender (`platforms`, shared with the admin ops) and the scheduler runs."""
    platforms = platforms or ConfiguredPlatforms(settings, db)
    serving = serving_telegram(platforms)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[object]:
        from bot.telegram.admin_notify import admin_notifier, send_draft_preview

        async def on_draft(number: int) -> None:
            await send_draft_preview(app, number)

        def build() -> DigestScheduler:
            return build_scheduler(
                settings,
                db,
                publish=publisher(platforms),
                notify_admins=admin_notifier(app.bot, settings.admin_chat_id),
                on_draft=on_draft,
            )

        async with serving(app), leading(db, build) as leadership:
            yield leadership

    return lifespan


@asynccontextmanager
async def standalone_scheduler(settings: Settings, db: Database) -> AsyncIterator[Leadership]:
    """Without Telegram: the same schedule, publishing to WeCom/WeChat when configured, notices
    printed (see the module docstring); run while this instance leads."""
    platforms = ConfiguredPlatforms(settings, db)

    def build() -> DigestScheduler:
        return build_scheduler(
            settings,
            db,
            publish=publisher(platforms),
            notify_admins=print_notice,
            on_draft=print_draft_ready,
        )

    async with leading(db, build) as leadership:
        yield leadership


async def cmd_schedule(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """`--list`: each job and its next run; `--run NAME`: run one job now (recorded as cli)."""
    if args.run:
        return await _run_now(args.run, settings, db, force=args.force)
    for line in schedule_table(settings.schedule):
        print(line)
    return 0


async def _run_now(name: JobName, settings: Settings, db: Database, *, force: bool) -> int:
    """`--run publish` delivers to every configured platform, like `digestbot publish N`.

    `force`: for an operator who knows the running holder is stuck; its row is marked failed
    ("taken over by --force") and this run proceeds, with a warning on stderr."""
    if force:
        print(f"warning: --force: taking over any {name} run still marked running", file=sys.stderr)
    platforms = ConfiguredPlatforms(settings, db)
    ctx = JobContext(settings, db, publish=publisher(platforms), platforms=platforms)
    result = await run_job(name, ctx, trigger="cli", force=force)
    print(f"{name}: {result.status}")
    print(result.summary)
    return 1 if result.status == "failed" else 0
