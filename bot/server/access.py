"""The access log: method, path, status and time, never the query string.

uvicorn's own access log prints the full request line, and WeChat's query string carries the
signature, nonce and echostr; so uvicorn's is off and this ASGI middleware writes ours. Probes
and scrapes that succeed (/healthz every 30 s from Docker, /metrics from Prometheus) are DEBUG,
so they do not bury the requests that matter.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("bot.server.access")
QUIET_PATHS = frozenset(("/healthz", "/readyz", "/metrics"))


class AccessLog:
    """ASGI middleware: one line per HTTP request once its response has started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500  # what the client gets when the app raised before answering

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            _log(scope, status, 1000 * (time.monotonic() - started))


def _log(scope: Scope, status: int, ms: float) -> None:
    path = str(scope.get("path", ""))
    if status >= 500:
        level = logging.ERROR
    elif status >= 400:
        level = logging.WARNING
    else:
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
    # the path is ASGI's decoded one, without the query string
    access_log.log(level, "%d %s %s %.1fms", status, scope.get("method", "?"), path[:200], ms)
