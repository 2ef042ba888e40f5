"""Every platform an issue is published to, for the places that publish (CLI, /publish, scheduler).

Telegram comes from the caller (its sender is bound to a running bot); WeCom group robots are
added when WECOM_WEBHOOK_URLS is set. Each platform has its own rows in the one delivery ledger,
so publishing to all of them is exactly once per target and resumable per platform.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from core.config import Settings
from core.sending import Sender
from jobs.deliver import Progress
from jobs.publish import PublishReport
from storage.db import Database

WECOM_TIMEOUT = 30.0


@dataclass(frozen=True)
class PlatformReport:
    platform: str
    report: PublishReport

    @property
    def line(self) -> str:
        """The report's line; other platforms than Telegram are named (as before: unprefixed)."""
        prefix = "" if self.platform == "telegram" else f"{self.platform}: "
        return prefix + self.report.message


def joined(results: Sequence[PlatformReport]) -> str:
    return "\n".join(result.line for result in results)


@asynccontextmanager
async def extra_senders(settings: Settings) -> AsyncIterator[list[Sender]]:
    """Senders for the push-only platforms that are configured (WeCom robots), while open."""
    if not settings.wecom_webhook_urls:
        yield []
        return
    from bot.wecom.sender import WeComSender

    async with httpx.AsyncClient(timeout=WECOM_TIMEOUT) as http:
        yield [WeComSender(settings.wecom_webhook_urls, http)]


async def publish_everywhere(
    settings: Settings,
    db: Database,
    first: Sender | None,
    *,
    number: int,
    actor: str,
    progress: Progress | None = None,
) -> list[PlatformReport]:
    """Publish through `first` (Telegram; its `progress`), then every extra sender; a report
    per platform. A platform's failure to start (e.g. the issue is not publishable) raises."""
    async with extra_senders(settings) as extras:
        senders = ([first] if first is not None else []) + extras
        return await _publish_all(settings, db, senders, number, actor, progress)


async def _publish_all(
    settings: Settings,
    db: Database,
    senders: Sequence[Sender],
    number: int,
    actor: str,
    progress: Progress | None,
) -> list[PlatformReport]:
    from jobs.publish import publish_issue

    results = []
    for index, sender in enumerate(senders):
        report = await publish_issue(
            settings, db, sender, number=number, actor=actor,
            progress=progress if index == 0 else None,
        )  # fmt: skip
        results.append(PlatformReport(sender.platform, report))
    return results
