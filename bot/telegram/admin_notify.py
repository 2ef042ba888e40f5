"""Scheduled jobs' notices to the admin chat, sent through the running application's bot."""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode

from bot.render.split import MAX_MESSAGE, measure, pack
from bot.telegram.send import NO_PREVIEW
from jobs.context import NotifyFn


def admin_notifier(bot: Bot, chat_id: int | str | None) -> NotifyFn | None:
    """`notify_admins` for the scheduler; None when ADMIN_CHAT_ID is not set."""
    if chat_id is None:
        return None

    async def notify(text_html: str) -> None:
        # A notice is a few lines; an unusually long one is split between lines, never in a tag.
        messages = [text_html] if measure(text_html) <= MAX_MESSAGE else pack(text_html.split("\n"))
        for message in messages:
            await bot.send_message(
                chat_id, message, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )

    return notify
