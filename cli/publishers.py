"""Every platform an issue is published to, for the places that publish (CLI, /publish, scheduler).

Telegram comes from the caller (its sender is bound to a running bot); WeCom group robots are
added when WECOM_WEBHOOK_URLS is set, and WeChat customer-service digests (followers inside the
48-hour window) when WECHAT_APP_ID/WECHAT_APP_SECRET are. Each platform has its own rows in the
one delivery ledger, so publishing to all of them is exactly once per target and resumable per
platform; one platform's outage is reported and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from core.config import Settings
from core.sending import Sender
from jobs.deliver import Progress
from jobs.publish import PublishReport
from storage.db import Database

log = logging.getLogger(__name__)

WECOM_TIMEOUT = 30.0


@dataclass(frozen=True)
class PlatformReport:
    platform: str
    report: PublishReport | None  # None: this platform failed (see `error`)
    error: str | None = None

    @property
    def line(self) -> str:
        """The report's line; other platforms than Telegram are named (as before: unprefixed)."""
        prefix = "" if self.platform == "telegram" else f"{self.platform}: "
        return prefix + (self.report.message if self.report else f"failed: {self.error}")


def joined(results: Sequence[PlatformReport]) -> str:
    return "\n".join(result.line for result in results)


@asynccontextmanager
async def extra_senders(settings: Settings) -> AsyncIterator[list[Sender]]:
    """Senders for the other configured platforms (WeCom robots, WeChat), while open."""
    from cli.wechat_publish import wechat_configured, wechat_senders

    if not settings.wecom_webhook_urls and not wechat_configured(settings):
        yield []
        return
    from bot.wecom.sender import WeComSender

    async with httpx.AsyncClient(timeout=WECOM_TIMEOUT) as http:
        robots = (
            [WeComSender(settings.wecom_webhook_urls, http)] if settings.wecom_webhook_urls else []
        )
        yield robots + wechat_senders(settings, http)


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
        try:
            report = await publish_issue(
                settings, db, sender, number=number, actor=actor,
                progress=progress if index == 0 else None,
            )  # fmt: skip
        except Exception as error:
            if index == 0:
                raise  # the issue itself cannot be published: the caller reports it
            # One platform's outage must not keep the issue from the others.
            log.warning("publishing issue %s to %s failed", number, sender.platform, exc_info=True)
            results.append(PlatformReport(sender.platform, None, type(error).__name__))
            continue
        results.append(PlatformReport(sender.platform, report))
    return results
