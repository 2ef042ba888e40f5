"""The Telegram `Sender`: renders an issue as Telegram HTML messages and sends them with PTB.

Pacing is the fair rate limiter on the bot handed in (`bot.telegram.ratelimit`: 30 messages/s
overall, 20/min per group or channel, chats in turn, 3 retries after `RetryAfter`).
Telegram's errors become the three `core.sending` ones; which is which decides what the
ledger does (see `jobs.deliver`):

- `Forbidden` (blocked, kicked, deactivated) → `SendBlocked`.
- `RetryAfter` left after the limiter's own retries → `SendRateLimited(retry_after)`.
- `BadRequest` (chat not found, bad HTML, too long…) and `ChatMigrated` → `SendFailed`.
- `NetworkError`/`TimedOut`, including Telegram's 5xx → `SendRetryLater`. Some of these are
  ambiguous (a read timeout after the request left may hide an accepted message); resending
  is the documented at-least-once choice for that window. Connection pool timeouts and refused
  connections are unambiguous: nothing was sent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.render import render_issue
from bot.telegram.send import NO_PREVIEW
from bot.telegram.targets import TelegramTargets
from bot.web.links import public_issue_url
from core.sending import SendBlocked, SendFailed, SendRateLimited, SendRetryLater
from domain.types import IssueView

SEND_TIMEOUT = 30.0  # seconds; generous, so a slow answer is rarely mistaken for a lost one
NETWORK_RETRY = 1.0
_NUMERIC = re.compile(r"-?[0-9]+")


class TelegramSender(TelegramTargets):
    """`Sender` for Telegram; `bot` should be an Application's bot (rate-limited). Who gets an
    issue (the channel, then the chats) is `TelegramTargets`'s."""

    def __init__(
        self, bot: Bot, channel_id: str | None = None, public_base_url: str | None = None
    ) -> None:
        super().__init__(channel_id)
        self.bot = bot
        self.public_base_url = public_base_url

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The issue as Telegram HTML messages (≤ 4096 characters each), labels in `language`,
        with a link to its web page when PUBLIC_BASE_URL is set (the issue is going out, so
        it is published by the time a reader taps it)."""
        base = self.public_base_url
        web_url = public_issue_url(base, issue.number, language) if base else ""
        return render_issue(replace(issue, language=language), "telegram", web_url=web_url)

    async def send(self, target: str, text: str) -> str:
        """Send one HTML message to a chat id or "@channel"; Telegram's message id."""
        return await self._send(target, text, paid=False)

    async def send_paid(self, target: str, text: str) -> str:
        """`send` as a paid broadcast (`allow_paid_broadcast`: up to 1000 messages/s for 0.1
        Stars each); only issue deliveries under the per-issue cap come here (`jobs.deliver`)."""
        return await self._send(target, text, paid=True)

    async def _send(self, target: str, text: str, *, paid: bool) -> str:
        chat_id: int | str = int(target) if _NUMERIC.fullmatch(target) else target
        try:
            message = await self.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                read_timeout=SEND_TIMEOUT, write_timeout=SEND_TIMEOUT,
                allow_paid_broadcast=True if paid else None,
            )  # fmt: skip
        except Forbidden as exc:
            raise SendBlocked(exc.message) from exc
        except RetryAfter as exc:
            raise SendRateLimited(exc.message, retry_after=_seconds(exc.retry_after)) from exc
        except ChatMigrated as exc:
            raise SendFailed(f"group moved to chat {exc.new_chat_id}") from exc
        except BadRequest as exc:  # a NetworkError subclass in PTB: must come first
            raise SendFailed(exc.message) from exc
        except NetworkError as exc:
            raise SendRetryLater(exc.message, retry_after=NETWORK_RETRY) from exc
        return str(message.message_id)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
