"""Post a new draft's preview to ADMIN_CHAT_ID: what the scheduler does after composing.

The same preview as /review, with its signed buttons, so editors can act on it right away.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.commands.admin_preview import preview
from bot.commands.context import Deps
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.send import keyboard
from core.services.review import review_issue

log = logging.getLogger(__name__)


async def send_draft_preview(app: Application, number: int) -> bool:
    """True when the admin chat got the preview of issue `number`; False without an admin chat
    or when Telegram refused (logged: a missed preview must not fail the compose job)."""
    deps: Deps = app.bot_data["deps"]
    signer: CallbackSigner = app.bot_data["signer"]
    chat = deps.settings.admin_chat_id
    if chat is None:
        return False
    review = await review_issue(deps.db, number=number)
    try:
        for reply in preview(review, deps.settings.digest_language):
            await app.bot.send_message(
                chat, reply.html, parse_mode="HTML", reply_markup=keyboard(reply, signer)
            )
    except TelegramError as error:
        log.warning("could not send the draft preview to the admin chat: %s", error)
        return False
    return True
