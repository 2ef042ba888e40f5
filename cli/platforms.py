"""The configured platforms' senders, built from the front ends' classes for the publishing job.

`jobs.publish_everywhere` cannot import a front end; this is its `Platforms`: Telegram
(TELEGRAM_BOT_TOKEN), WeCom group robots (WECOM_WEBHOOK_URLS) and WeChat followers
(WECHAT_APP_ID + WECHAT_APP_SECRET). Telegram goes through the running bot's sender when this
process runs the bot (the bot's lifespan registers it, see `serving`), else through a fresh
application opened for the run; Telegram unreachable at start is its report line while the
others deliver.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from typing import Any

from core.config import Settings
from core.metrics import counted
from core.sending import Sender
from core.services.shared_tokens import DatabaseTokens
from jobs.platforms import OpenPlatforms, PlatformReport, failure
from storage.db import Database

log = logging.getLogger(__name__)

WECOM_TIMEOUT = 30.0


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms publishing reaches with these settings, in report order."""
    platforms = ["telegram"] if settings.telegram.enabled else []
    platforms += ["wecom"] if settings.wecom_webhook_urls else []
    return platforms + (["wechat"] if settings.wechat.api_enabled else [])


class ConfiguredPlatforms:
    """`jobs.publish_everywhere.Platforms` for these settings; one per process."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._running: dict[str, Sender] = {}

    def configured(self) -> list[str]:
        return configured_platforms(self.settings)

    def running(self) -> Mapping[str, Sender]:
        return self._running

    @contextmanager
    def serving(self, sender: Sender) -> Iterator[None]:
        """While a front end runs, its sender is the one publishing and reports go through
        (one rate limiter for the bot's replies and its deliveries)."""
        self._running[sender.platform] = sender
        try:
            yield
        finally:
            self._running.pop(sender.platform, None)

    @asynccontextmanager
    async def open(self) -> AsyncIterator[OpenPlatforms]:
        async with AsyncExitStack() as stack:
            telegram = await self._telegram(stack)
            extras = await stack.enter_async_context(extra_senders(self.settings, self.db))
            # every send counted by platform for /metrics (core.metrics.CountedSender)
            yield OpenPlatforms(counted(telegram.senders + extras), telegram.unavailable)

    async def _telegram(self, stack: AsyncExitStack) -> OpenPlatforms:
        if "telegram" in self._running:
            return OpenPlatforms([self._running["telegram"]])
        if self.settings.telegram_bot_token is None:
            return OpenPlatforms([])
        from bot.commands.context import Deps
        from bot.telegram.app import telegram_sender

        try:  # a sender only: the application serves no updates, so it needs no admin jobs
            sender = await stack.enter_async_context(
                telegram_sender(Deps(settings=self.settings, db=self.db))
            )
        except Exception as error:  # Telegram blocked or down: the other platforms still go out
            log.warning("Telegram is unavailable; publishing elsewhere: %s", failure(error))
            return OpenPlatforms([], [PlatformReport("telegram", None, unavailable(error))])
        return OpenPlatforms([sender])


def serving_telegram(
    platforms: ConfiguredPlatforms,
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """For `run_telegram(lifespan=…)`: the running application's bot is the process's
    Telegram sender while it runs."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        from bot.telegram.app import app_sender

        with platforms.serving(app_sender(app)):
            yield

    return lifespan


def unavailable(error: BaseException) -> str:
    return f"unavailable ({failure(error)})"


@asynccontextmanager
async def extra_senders(
    settings: Settings, db: Database | None = None
) -> AsyncIterator[list[Sender]]:
    """Senders for the platforms besides Telegram (WeCom robots, WeChat), while open; with `db`
    the WeChat access token is the one shared by every instance (`core.services.shared_tokens`)."""
    if not settings.wecom_webhook_urls and not settings.wechat.api_enabled:
        yield []
        return
    from bot.wechat.api import WeChatApi, wechat_http
    from bot.wechat.sender import WeChatCustomerSender
    from bot.wecom.sender import WeComSender

    async with wechat_http(settings.wechat, timeout=WECOM_TIMEOUT) as http:
        urls = settings.wecom_webhook_urls
        base = settings.public_base_url
        robots: list[Sender] = [WeComSender(urls, http, public_base_url=base)] if urls else []
        account = settings.wechat
        wechat: list[Sender] = (
            [WeChatCustomerSender(WeChatApi(account, http, tokens=_tokens(db)))]
            if account.api_enabled
            else []
        )
        yield robots + wechat


def _tokens(db: Database | None) -> DatabaseTokens | None:
    return None if db is None else DatabaseTokens(db)
