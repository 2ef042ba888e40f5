"""Wiring for the jobs admins run from chat: `jobs.admin_ops.JobAdminOps`, built once, up front.

It gets the process's `Platforms` (publishing, and the running front ends' senders for
reports and broadcasts) and the 公众号 draft an approval sets off (`bot.wechat.draft`).
"""

from __future__ import annotations

from functools import partial

from bot.wechat.draft import create_draft
from cli.platforms import ConfiguredPlatforms
from core.config import Settings
from jobs.admin_ops import JobAdminOps
from jobs.context import JobContext
from storage.db import Database


def build_admin_ops(
    settings: Settings, db: Database, platforms: ConfiguredPlatforms | None = None
) -> JobAdminOps:
    platforms = platforms or ConfiguredPlatforms(settings, db)
    ctx = JobContext(settings, db, platforms=platforms)
    return JobAdminOps(ctx, platforms, partial(approved_draft, settings, db))


async def approved_draft(settings: Settings, db: Database, number: int) -> str | None:
    """The 公众号 draft of an approved issue (None when WeChat is not configured)."""
    return await create_draft(settings, db, number=number)
