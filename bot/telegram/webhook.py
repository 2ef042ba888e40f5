"""Telegram's webhook as a route of our one HTTP server (PTB's "custom webhook" pattern).

PTB's updater would run a tornado server of its own; instead the running application is
attached here, `setWebhook` is called by `bot.telegram.app`, and each POST to the webhook's
path is checked and put on `application.update_queue`, where polling would have put it:

- the `X-Telegram-Bot-Api-Secret-Token` header must equal TELEGRAM_WEBHOOK_SECRET (compared
  in constant time), else 403 and nothing is handled;
- bodies over 1 MB are refused (413): an update is a few KB;
- a body that is not an update is a 400 with a one-line log, never a traceback;
- before the application has started (or after it stopped) 503: Telegram retries later.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.server.body import read_limited
from bot.telegram.context import DigestApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


class TelegramWebhook:
    """The webhook endpoint at TELEGRAM_WEBHOOK_URL's path, fed to an attached application."""

    def __init__(self, url: str, secret: str) -> None:
        self.path = urlsplit(url).path  # exactly as registered: Telegram follows no redirect
        self._secret = secret.encode()
        self._app: DigestApp | None = None

    def attach(self, app: DigestApp | None) -> None:
        """Updates go to `app` from now on (None: answer 503 again)."""
        self._app = app

    def routes(self) -> list[Route]:
        return [Route(self.path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: refused a request without the right secret token")
            return PlainTextResponse("forbidden", status_code=403)
        app = self._app
        if app is None:
            return PlainTextResponse("starting", status_code=503)
        body = await read_limited(request, MAX_BODY)
        if body is None:
            return PlainTextResponse("body too large", status_code=413)
        try:
            update = Update.de_json(json.loads(body), app.bot)
        except Exception as error:  # not JSON, or not an update: nothing of it is logged
            log.warning("telegram webhook: not an update (%s)", type(error).__name__)
            return PlainTextResponse("not an update", status_code=400)
        if not isinstance(update, Update):  # JSON null
            return PlainTextResponse("not an update", status_code=400)
        app.bot.insert_callback_data(update)
        await app.update_queue.put(update)
        return Response(status_code=200)
