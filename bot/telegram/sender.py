"""The Telegram `Sender`: renders an issue as Telegram HTML messages and sends them with PTB.

It is a `core.sending.PartSender`: each ledger row gets an edition (`bot.telegram.editions`:
the channel's photos, a private chat's text with feedback buttons, a group's text), and a
part may be a photo. A key figure is uploaded from our storage (multipart) the first time and
sent by the `file_id` Telegram returned ever after (kept per bot by `FigureUploads`); a
`file_id` Telegram no longer accepts is forgotten and the bytes uploaded again; an image
Telegram refuses (it cannot process it) sends the caption as a text message instead, so one
figure never fails a delivery and the part count stays the same.

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

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.commands.reply import Button
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.editions import PRIVATE, edition_of, edition_parts
from bot.telegram.send import NO_PREVIEW
from bot.telegram.targets import TelegramTargets
from bot.web.links import public_issue_url
from core.sending import Part, PartButton, SendBlocked, SendFailed, SendRateLimited, SendRetryLater
from core.services.figure_uploads import FigureUploads
from domain.types import IssueView

log = logging.getLogger(__name__)

SEND_TIMEOUT = 30.0  # seconds; generous, so a slow answer is rarely mistaken for a lost one
NETWORK_RETRY = 1.0
_NUMERIC = re.compile(r"-?[0-9]+")
# What Telegram answers for a file_id it no longer knows (another bot's, or expired).
_STALE_FILE = ("wrong file identifier", "file reference", "wrong remote file")


class TelegramSender(TelegramTargets):
    """`Sender` for Telegram; `bot` should be an Application's bot (rate-limited). Who gets an
    issue (the channel, then the chats) is `TelegramTargets`'s."""

    def __init__(
        self,
        bot: Bot,
        channel_id: str | None = None,
        public_base_url: str | None = None,
        *,
        signer: CallbackSigner | None = None,
        figures: FigureUploads | None = None,
    ) -> None:
        super().__init__(channel_id)
        self.bot = bot
        self.public_base_url = public_base_url
        self.signer = signer  # None: no buttons under private deliveries
        self.figures = figures  # None: the channel gets text only

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The private edition's messages (≤ 4096 characters each), labels in `language`."""
        return [part.text for part in self.render_parts(issue, language=language, edition=PRIVATE)]

    def edition(self, kind: str, target: str) -> str:
        return edition_of(kind, target)

    def render_parts(self, issue: IssueView, *, language: str, edition: str) -> list[Part]:
        """The issue in `edition`, labels in `language`, with a link to its web page when
        PUBLIC_BASE_URL is set (the issue is going out, so it is published by the time a
        reader taps it)."""
        base = self.public_base_url
        web_url = public_issue_url(base, issue.number, language) if base else ""
        return edition_parts(
            replace(issue, language=language), edition, web_url=web_url, public_base_url=base,
            photos=self.figures is not None, buttons=self.signer is not None,
        )  # fmt: skip

    async def send(self, target: str, text: str) -> str:
        """Send one HTML message to a chat id or "@channel"; Telegram's message id."""
        return await self.send_part(target, Part(text))

    async def send_paid(self, target: str, text: str) -> str:
        """`send` as a paid broadcast (`allow_paid_broadcast`: up to 1000 messages/s for 0.1
        Stars each); only issue deliveries under the per-issue cap come here (`jobs.deliver`)."""
        return await self.send_part(target, Part(text), paid=True)

    async def send_part(self, target: str, part: Part, *, paid: bool = False) -> str:
        """Send one part (a message, or a photo with its caption) with its buttons."""
        chat_id: int | str = int(target) if _NUMERIC.fullmatch(target) else target
        options: dict[str, Any] = {
            "parse_mode": ParseMode.HTML, "reply_markup": self._markup(part.buttons),
            "read_timeout": SEND_TIMEOUT, "write_timeout": SEND_TIMEOUT,
            "allow_paid_broadcast": True if paid else None,
        }  # fmt: skip
        with _translated_errors():
            if part.photo is None or self.figures is None:
                message = await self._text(chat_id, part.text, options)
            else:
                message = await self._photo(chat_id, part, options, self.figures)
        return str(message.message_id)

    async def _text(self, chat_id: int | str, text: str, options: dict[str, Any]) -> Message:
        return await self.bot.send_message(
            chat_id, text, link_preview_options=NO_PREVIEW, **options
        )

    async def _photo(
        self, chat_id: int | str, part: Part, options: dict[str, Any], figures: FigureUploads
    ) -> Message:
        """By the kept file_id when there is one, else uploaded (and its file_id kept)."""
        assert part.photo is not None
        remote = await figures.remote(part.photo)
        if remote is not None:
            try:
                return await self.bot.send_photo(chat_id, remote, caption=part.text, **options)
            except BadRequest as exc:
                if not any(words in exc.message.lower() for words in _STALE_FILE):
                    raise
                await figures.forget(part.photo.paper_id)
        image = await figures.image(part.photo.paper_id)
        if image is None:  # removed since the issue was read: its card still goes, as text
            return await self._text(chat_id, part.text, options)
        figure, data = image
        upload = InputFile(data, filename=f"figure.{figure.extension}")
        try:
            message = await self.bot.send_photo(chat_id, upload, caption=part.text, **options)
        except BadRequest as exc:  # this image refused: the card still goes, as one message
            log.warning("key figure of paper %s refused by Telegram (%s); sent as text",
                        figure.paper_id, exc.message)  # fmt: skip
            return await self._text(chat_id, part.text, options)
        if message.photo:  # the largest size's id sends the same photo again
            await figures.remember(figure, message.photo[-1].file_id)
        return message

    def _markup(self, rows: tuple[tuple[PartButton, ...], ...]) -> InlineKeyboardMarkup | None:
        signer = self.signer
        if not rows or signer is None:
            return None
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        b.label, callback_data=signer.encode(Button(b.label, b.action, b.args))
                    )
                    for b in row
                ]
                for row in rows
            ]
        )


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Telegram's errors as the three `core.sending` ones (see the module's docstring)."""
    try:
        yield
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


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
