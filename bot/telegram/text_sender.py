"""Plain HTML messages to one Telegram chat, with PTB's errors turned into `core.sending`'s.

Enough for admin reports and broadcasts. The delivery job's `TelegramSender` (which also
renders issues) does the same and can replace this once both are merged.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.telegram.send import NO_PREVIEW
from core.sending import SendBlocked, SendFailed, SendRetryLater


class BotTextSender:
    platform = "telegram"

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, target: str, text: str) -> str:
        try:
            message = await self._bot.send_message(
                target, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )
        except Forbidden as error:
            raise SendBlocked(str(error)) from error
        except RetryAfter as error:
            raise SendRetryLater(str(error), retry_after=_seconds(error.retry_after)) from error
        except BadRequest as error:
            raise SendFailed(str(error)) from error
        except (NetworkError, TelegramError) as error:
            raise SendRetryLater(str(error)) from error
        return str(message.message_id)


def _seconds(value: object) -> float:
    seconds = getattr(value, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(value)  # type: ignore[arg-type]
