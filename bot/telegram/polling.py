"""Before long polling starts: is this bot token already being polled, or served by a webhook?

Telegram gives a bot token's updates to one getUpdates at a time: a newer request ends the
older one with 409 "Conflict: terminated by other getUpdates request". Two pollers on one token
then take turns failing, and PTB retries for ever, logging a traceback each time. A webhook
makes getUpdates fail with 409 "Conflict: can't use getUpdates method while webhook is active",
and PTB's start_polling would silently delete that webhook — under another instance running in
webhook mode. So before PTB's updater starts, `check_alone` long-polls for a few seconds
without confirming anything (no offset: no update is lost): a poller already running retries
within about a second (PTB's first back-off is 1 s) and ends our request with 409. Either 409
refuses start-up with one line (`PollingRefused`, exit status 2), each with its own fix.

The instance already running sees that probe as one 409 on its own long poll: `on_poll_error`
logs it as one warning line, not PTB's traceback, and PTB polls on.
"""

from __future__ import annotations

import asyncio
import logging
import math

from telegram import Bot
from telegram.error import Conflict, TelegramError

from domain.errors import StartupRefused

log = logging.getLogger(__name__)

PROBE_SECONDS = 3.0  # longer than a running poller's first retry after a 409 (PTB: 1 s)
_DEPLOY = "see docs/deploy.md"


class PollingRefused(StartupRefused):
    """Start-up refused: the token is polled by another process or has a webhook set. The
    message is the operator's one line."""


async def check_alone(bot: Bot, seconds: float | None = None) -> None:
    """Raise `PollingRefused` if getUpdates answers 409 within `seconds`."""
    window = PROBE_SECONDS if seconds is None else seconds
    loop = asyncio.get_running_loop()
    deadline = loop.time() + window
    log.info("checking that no other process polls this bot token (%.0f s)", window)
    while True:
        remaining = math.ceil(deadline - loop.time())  # whole seconds, the window at least
        try:
            updates = await bot.get_updates(timeout=max(remaining, 0), limit=1)
        except Conflict as conflict:
            raise PollingRefused(conflict_line(conflict.message)) from None
        if remaining <= 0:
            return
        if updates:  # pending updates answer at once: wait a little, they are not ours yet
            await asyncio.sleep(0.5)


def on_poll_error(error: TelegramError) -> None:
    """PTB's polling error callback: a 409 is another process (or a start-up check) polling
    this token, one line; anything else keeps PTB's own report, traceback included."""
    if isinstance(error, Conflict):
        log.warning(
            "getUpdates answered 409 (%s): another process polled this bot token; polling goes "
            "on, but if this repeats two instances are running",
            error.message,
        )
        return
    logging.getLogger("telegram.ext.Updater").exception(
        "Exception happened while polling for updates.", exc_info=error
    )


def conflict_line(description: str) -> str:
    """The one line for a 409 from getUpdates, by Telegram's description."""
    said = f"Telegram: 409 {description}"
    if "webhook is active" in description:
        return (
            f"TELEGRAM_WEBHOOK_URL: a webhook is set for this bot token, so it cannot be polled "
            f"({said}); set TELEGRAM_WEBHOOK_URL to run in webhook mode, or delete the webhook "
            f"(deleteWebhook) if nothing serves it any more — {_DEPLOY}"
        )
    return (
        f"TELEGRAM_BOT_TOKEN: another process is polling this bot token ({said}); stop it, or "
        f"run several instances in webhook mode on PostgreSQL — {_DEPLOY}"
    )
