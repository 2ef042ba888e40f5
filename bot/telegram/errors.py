"""The one error handler: every exception a handler lets through ends here.

Our own errors never get this far (commands answer them). Telegram's do: a user who blocked
the bot is marked inactive, flood waits and network trouble are logged, and anything
unexpected is logged with its traceback and reported to the admin chat.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.commands.dispatch import error_replies
from bot.i18n import user_error
from bot.telegram.context import TelegramContext
from bot.telegram.handlers import caller_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: TelegramContext) -> None:
    error = context.error
    caller = caller_of(update) if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and caller is not None:
        log.info("chat %s blocked the bot or left: marking it inactive", caller.chat_id)
        await _mark_blocked(context, caller.chat_id)
    elif isinstance(error, RetryAfter):
        log.warning("flood control: retry after %s s", error.retry_after)
    elif isinstance(error, (BadRequest, NetworkError)):
        log.warning("telegram refused or unreachable: %s", error)
    else:
        log.error("unexpected error handling %r", update, exc_info=error)
        await _tell_user(context, caller)
        await _tell_admins(context, error)


async def _mark_blocked(context: TelegramContext, chat_id: str) -> None:
    from core.services.subscriptions import mark_blocked

    await mark_blocked(context.bot_data.deps.db, platform="telegram", chat_id=chat_id)


async def _tell_user(context: TelegramContext, caller: object) -> None:
    from bot.commands.reply import Caller

    if not isinstance(caller, Caller):
        return
    language = "zh" if (caller.language_code or "").startswith("zh") else "en"
    (reply,) = error_replies(user_error("error"), language)
    try:
        await context.bot.send_message(int(caller.chat_id), reply.html, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell chat %s about the error", caller.chat_id)


async def _tell_admins(context: TelegramContext, error: BaseException | None) -> None:
    admin_chat = context.bot_data.deps.settings.admin_chat_id
    if admin_chat is None or error is None:
        return
    text = f"⚠️ <b>digestbot error</b>\n<code>{html.escape(repr(error))[:3500]}</code>"
    try:
        await context.bot.send_message(admin_chat, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not notify the admin chat")
