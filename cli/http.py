"""The HTTP server's place in `digestbot run`: which routes, at which address, in which mode.

One server per process (`bot.server`): /healthz, /readyz and /metrics always; Telegram's
webhook in webhook mode; WeChat's callback (/wechat) with WECHAT_TOKEN; the web archive
(`bot.web`: /, /issues, /papers, /search, /topics) always, after the others. It runs in every
long-running mode at HTTP_LISTEN (default `DEFAULT_HTTP_LISTEN`); the interactive console
serves only when HTTP_LISTEN is set, since a person trying the bot out on a laptop should not
open a port by surprise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from bot.commands.context import Deps
from bot.server.app import build_app, describe
from bot.server.health import Readiness, health_routes
from bot.server.metrics import metrics_routes
from bot.server.serve import serving
from bot.web.routes import web_routes
from bot.wechat.inflight import SendLater
from cli.platforms import configured_platforms
from core.config import DEFAULT_HTTP_LISTEN

if TYPE_CHECKING:
    from bot.telegram.webhook import TelegramWebhook
    from bot.wechat.server import WeChatServer


@dataclass
class HttpServer:
    """What the front ends hook into while the server runs."""

    readiness: Readiness
    webhook: TelegramWebhook | None = None
    port: int | None = None  # None: not serving (the console without HTTP_LISTEN)


def http_listen(deps: Deps, *, console: bool) -> str | None:
    """Where to listen: HTTP_LISTEN, else the default; the console only when it is set."""
    listen = deps.settings.http_listen
    return listen if listen is not None or console else DEFAULT_HTTP_LISTEN


@asynccontextmanager
async def http_server(
    deps: Deps, listen: str | None, send_later: SendLater | None
) -> AsyncIterator[HttpServer]:
    """The server with this process's routes for the block (not started when `listen` is None);
    WeChat's late answers go out after it stopped."""
    settings = deps.settings
    readiness = Readiness()
    readiness.add_database(deps.db)
    server = HttpServer(readiness)
    routes: list[BaseRoute] = [*health_routes(readiness)]
    routes += metrics_routes(deps.db, configured_platforms(settings))
    if settings.telegram.enabled:
        from bot.telegram.app import telegram_webhook

        readiness.expect("telegram")  # the bot adds its cached getMe once started
        server.webhook = telegram_webhook(deps)
        routes += server.webhook.routes() if server.webhook else []
    wechat = _wechat(deps, send_later)
    routes += wechat.routes() if wechat else []
    routes += web_routes(deps)  # last: the archive's 404 page answers every other path
    try:
        if listen is None:
            yield server
            return
        app, trusted = build_app(routes), settings.http_trusted_proxies
        async with serving(app, listen, describe=describe(routes), trusted_proxies=trusted) as port:
            server.port = port
            yield server
    finally:
        if wechat is not None:
            await wechat.close()


def _wechat(deps: Deps, send_later: SendLater | None) -> WeChatServer | None:
    if deps.settings.wechat_token is None:
        return None
    from bot.wechat.server import WeChatServer, no_customer_service

    return WeChatServer(deps, send_later=send_later or no_customer_service)
