"""Messages to ADMIN_CHAT_ID from outside a chat command: the scheduler's notices, and a new
draft's preview (the same as /review, with its signed buttons, so editors can act at once)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.commands.admin_preview import preview
from bot.render.content import telegram_html
from bot.render.split import MAX_MESSAGE, measure, pack
from bot.telegram.context import DigestApp
from bot.telegram.send import NO_PREVIEW, keyboard
from core.services.review import review_issue
from domain.content import Content

log = logging.getLogger(__name__)

Notify = Callable[[Content], Awaitable[None]]


def admin_notifier(bot: Bot, chat_id: int | str | None) -> Notify | None:
    """`notify_admins` for the scheduler; None when ADMIN_CHAT_ID is not set."""
    if chat_id is None:
        return None

    async def notify(notice: Content) -> None:
        text_html = telegram_html(notice)
        # A notice is a few lines; an unusually long one is split between lines, never in a tag.
        messages = [text_html] if measure(text_html) <= MAX_MESSAGE else pack(text_html.split("\n"))
        for message in messages:
            await bot.send_message(
                chat_id, message, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )

    return notify


async def send_draft_preview(app: DigestApp, number: int) -> bool:
    """True when the admin chat got the preview of issue `number`; False without an admin chat
    or when Telegram refused (logged: a missed preview must not fail the compose job)."""
    deps, signer = app.bot_data.deps, app.bot_data.signer
    chat = deps.settings.admin_chat_id
    if chat is None:
        return False
    review = await review_issue(deps.db, number=number)
    try:
        for reply in preview(review, deps.settings.digest_language):
            await app.bot.send_message(
                chat, reply.html, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply, signer)
            )
    except TelegramError as error:
        log.warning("could not send the draft preview to the admin chat: %s", error)
        return False
    return True
