"""The real bot with editors: ADMIN_IDS, the admin group, and the jobs wired as in production."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from cli.admin_ops import build_admin_ops
from cli.platforms import ConfiguredPlatforms, serving_telegram
from jobs.demo import run_demo
from storage.db import Database
from storage.models import AuditLog
from tests.e2e.telegram_harness import ADMIN_CHAT, bot_settings, ensure_admin_chat
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FakeChat, FakeUser

ADMIN = 555_001


def editors(fake: FakeTelegram) -> tuple[FakeUser, FakeUser, FakeChat]:
    """An admin, a member who is not one, and the admin group they both sit in."""
    admin = fake.user(ADMIN, "Editor", language_code="en")
    member = fake.user(first_name="Member", language_code="en")
    group = fake.group(ADMIN_CHAT, "Editors", members=(admin, member))
    return admin, member, group


@asynccontextmanager
async def running_admin_bot(
    fake: FakeTelegram,
    db: Database,
    *,
    demo: bool = True,
    admin_ids: tuple[int, ...] = (ADMIN,),
    **settings_extra: Any,
) -> AsyncIterator[Deps]:
    """The bot polling the fake, with admin ops; background jobs finish before it stops."""
    settings = bot_settings(fake, db, admin_ids=admin_ids, **settings_extra)
    ensure_admin_chat(fake)
    if demo:
        await run_demo(settings, db)
    platforms = ConfiguredPlatforms(settings, db)
    deps = Deps(settings=settings, db=db, ops=build_admin_ops(settings, db, platforms))
    stop = asyncio.Event()
    lifespan = serving_telegram(platforms)  # the running bot's sender, as in production
    task = asyncio.create_task(run_telegram(deps, stop=stop, lifespan=lifespan))
    try:
        await fake.wait_for_poll(timeout=10)
        yield deps
        await asyncio.wait_for(deps.jobs.wait(), timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def audit_rows(
    db: Database, actor: str = f"telegram:{ADMIN}"
) -> list[tuple[str, str | None]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditLog).where(AuditLog.actor == actor).order_by(AuditLog.id)
        )
        return [(row.action, row.target) for row in rows]
