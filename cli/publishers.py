"""Every platform an issue is published to, for the places that publish (CLI, /publish, scheduler).

Any non-empty set of platforms works on its own, because Telegram is blocked where many
operators live: Telegram (TELEGRAM_BOT_TOKEN), WeCom group robots (WECOM_WEBHOOK_URLS) and
WeChat customer-service digests to followers inside the 48-hour window (WECHAT_APP_ID and
WECHAT_APP_SECRET). The running bot hands over its Telegram sender; the CLI and a process
without Telegram open what is configured (`publish_configured`).

Whether the issue may go out at all (exists, approved, has papers) is checked once, before
any platform starts, and raises. After that each platform is on its own: platforms deliver
concurrently (Telegram's thousands of subscribers never hold up a WeCom group), each has its
own rows in the one delivery ledger (exactly once per target, resumable per platform), and a
platform's outage — even Telegram unreachable at start — becomes that platform's report line
while the others deliver.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from core.config import Settings
from core.sending import Sender
from core.services import review
from domain.errors import DigestError, InvalidInput
from jobs.context import PublishFn
from jobs.deliver import Progress
from jobs.publish import PublishReport
from storage.db import Database

log = logging.getLogger(__name__)

WECOM_TIMEOUT = 30.0
NO_PLATFORM = (
    "No platform to publish to: set TELEGRAM_BOT_TOKEN, WECOM_WEBHOOK_URLS, or "
    "WECHAT_APP_ID and WECHAT_APP_SECRET (any one of them is enough)."
)


class PublishIncomplete(DigestError):
    """Some platform failed; the message holds every platform's line (the others did deliver)."""


@dataclass(frozen=True)
class PlatformReport:
    platform: str
    report: PublishReport | None  # None: this platform failed (see `error`)
    error: str | None = None

    @property
    def line(self) -> str:
        """The report's line, named by platform (Telegram's report unprefixed, as before)."""
        if self.report is None:
            return f"{self.platform}: failed: {self.error}"
        prefix = "" if self.platform == "telegram" else f"{self.platform}: "
        return prefix + self.report.message


def joined(results: Sequence[PlatformReport]) -> str:
    return "\n".join(result.line for result in results)


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms publishing reaches with these settings, in report order."""
    from cli.wechat_publish import wechat_configured

    platforms = ["telegram"] if settings.telegram_bot_token is not None else []
    platforms += ["wecom"] if settings.wecom_webhook_urls else []
    return platforms + (["wechat"] if wechat_configured(settings) else [])


def failure(error: BaseException) -> str:
    """A failed platform's reason: our own message, else only the type (a library's exception
    text can carry a secret, e.g. the bot token in a Telegram URL)."""
    return error.user_message if isinstance(error, DigestError) else type(error).__name__


@asynccontextmanager
async def extra_senders(settings: Settings) -> AsyncIterator[list[Sender]]:
    """Senders for the platforms besides Telegram (WeCom robots, WeChat), while open."""
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
    telegram: Sender | None,
    *,
    number: int,
    actor: str,
    progress: Progress | None = None,
) -> list[PlatformReport]:
    """Publish through `telegram` (if any; `progress` follows the first platform) and every
    other configured platform; a report per platform. Raises when the issue itself may not go
    out, or when there is no platform at all."""
    await _check_publishable(settings, db, number)
    async with extra_senders(settings) as extras:
        senders = ([telegram] if telegram is not None else []) + extras
        if not senders:
            raise InvalidInput(NO_PLATFORM)
        runs = [
            _publish_one(settings, db, sender, number, actor, progress if i == 0 else None)
            for i, sender in enumerate(senders)
        ]
        return list(await asyncio.gather(*runs))


async def _check_publishable(settings: Settings, db: Database, number: int) -> None:
    """The review service's one check, once, before any platform starts."""
    await review.publishable(
        db, number=number, language=settings.digest_language,
        require_approval=settings.require_approval,
    )  # fmt: skip


async def _publish_one(
    settings: Settings,
    db: Database,
    sender: Sender,
    number: int,
    actor: str,
    progress: Progress | None,
) -> PlatformReport:
    """One platform; whatever goes wrong there is its report, never the others' problem."""
    from jobs.publish import publish_issue

    try:
        report = await publish_issue(
            settings, db, sender, number=number, actor=actor, progress=progress
        )
    except Exception as error:
        log.warning("publishing issue %s to %s failed: %s", number, sender.platform,
                    failure(error))  # fmt: skip
        return PlatformReport(sender.platform, None, failure(error))
    return PlatformReport(sender.platform, report)


async def publish_configured(
    settings: Settings,
    db: Database,
    *,
    number: int,
    actor: str,
    progress: Progress | None = None,
) -> list[PlatformReport]:
    """For a process without a running bot (CLI, the schedule without Telegram): open the
    Telegram sender when TELEGRAM_BOT_TOKEN is set — Telegram unreachable at start is its
    report line, not the end of publishing — and publish everywhere."""
    if not configured_platforms(settings):
        raise InvalidInput(NO_PLATFORM)
    await _check_publishable(settings, db, number)
    async with AsyncExitStack() as stack:
        telegram, failed = await _open_telegram(stack, settings, db)
        if telegram is None and configured_platforms(settings) == ["telegram"]:
            return failed
        return failed + await publish_everywhere(
            settings, db, telegram, number=number, actor=actor, progress=progress
        )


async def _open_telegram(
    stack: AsyncExitStack, settings: Settings, db: Database
) -> tuple[Sender | None, list[PlatformReport]]:
    if settings.telegram_bot_token is None:
        return None, []
    from bot.telegram.app import telegram_sender
    from cli.run import build_deps

    try:
        return await stack.enter_async_context(telegram_sender(build_deps(settings, db))), []
    except Exception as error:  # Telegram blocked or down: the other platforms still go out
        log.warning("Telegram is unavailable; publishing elsewhere: %s", failure(error))
        return None, [PlatformReport("telegram", None, f"unavailable ({failure(error)})")]


def as_publish_fn(settings: Settings, db: Database, telegram: Sender | None) -> PublishFn:
    """`publish` for jobs: through the running bot's `telegram` sender, or (None) through
    whatever is configured. A platform's failure fails the run (raises `PublishIncomplete`
    with every platform's line), so the admins hear of it and can resume it."""

    async def publish(number: int, actor: str) -> str:
        if telegram is not None:
            results = await publish_everywhere(settings, db, telegram, number=number, actor=actor)
        else:
            results = await publish_configured(settings, db, number=number, actor=actor)
        if any(result.report is None for result in results):
            raise PublishIncomplete(f"{joined(results)}\n— run `digestbot publish {number}` again")
        return joined(results)

    return publish
