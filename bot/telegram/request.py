"""The HTTP requests PTB makes to the Bot API, through TELEGRAM_PROXY / PROXY when set.

PTB builds an `HTTPXRequest` per purpose (API calls, and getUpdates on a connection of its
own); both get the proxy `core.proxy` decides for TELEGRAM_API_BASE_URL, and the environment's
proxies are switched off in them, so a loopback Bot API server stays direct. A SOCKS proxy
needs `socksio` (a dependency).
"""

from __future__ import annotations

from typing import Any

from telegram.request import HTTPXRequest

from core.config_groups import TelegramSettings
from core.proxy import httpx_options, secret

API_POOL = 256  # PTB's default for API calls
UPDATES_POOL = 1  # getUpdates: one long poll at a time


def telegram_request(
    telegram: TelegramSettings, *, pool_size: int = API_POOL, **timeouts: Any
) -> HTTPXRequest:
    """An `HTTPXRequest` to the Bot API with the proxy rule applied."""
    options = httpx_options(telegram.api_base_url, secret(telegram.proxy))
    proxy = options.pop("proxy", None)
    return HTTPXRequest(
        connection_pool_size=pool_size, proxy=proxy, httpx_kwargs=options or None, **timeouts
    )
