"""PTB callbacks: turn an update into a `Caller`, run the shared command, send the replies.

Every text goes through `_answer_text`: in a private chat every message gets a reply (a known
command, an unknown-command answer, or a search), however odd its `/name@bot`; in groups only
commands for us are answered. A message with no person behind it (a channel post, an anonymous
group admin, someone posting as a channel) gets a Caller without a user id: public commands
work, admin rights never apply.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import Update, User

from bot.commands.context import platform_language
from bot.commands.dispatch import (
    ParsedCommand,
    parse_command,
    run_action,
    run_command,
    run_unreadable,
)
from bot.commands.registry import COMMANDS, TYPING_COMMANDS
from bot.commands.reply import Caller
from bot.i18n import t
from bot.telegram.context import TelegramContext
from bot.telegram.presses import answer_press, first_press
from bot.telegram.send import send_replies
from domain.identity import TELEGRAM_STAND_INS, valid_telegram_id


def caller_of(update: Update) -> Caller | None:
    chat = update.effective_chat
    if chat is None:
        return None
    user = _person(update)
    return Caller(
        platform="telegram",
        chat_id=str(chat.id),
        user_id=str(user.id) if user else None,
        chat_type=chat.type,
        language_code=user.language_code if user else None,
    )


def _person(update: Update) -> User | None:
    """The human who sent this, or None: channel posts have no sender, and a message sent as a
    chat (sender_chat) comes from a stand-in account, not from the person typing it."""
    user, message = update.effective_user, update.effective_message
    if user is None or user.id in TELEGRAM_STAND_INS or not valid_telegram_id(str(user.id)):
        return None
    if update.callback_query is None and message is not None and message.sender_chat:
        return None
    return user


def _with_chat_admin(caller: Caller, context: TelegramContext) -> Caller:
    """Give a group caller the getChatMember question, for commands that change the chat."""
    if caller.chat_type == "private" or caller.user_id is None:
        return caller
    admins = context.bot_data.chat_admins  # one per application
    chat_id, user_id = int(caller.chat_id), int(caller.user_id)

    async def is_chat_admin() -> bool:
        return await admins.is_admin(context.bot, chat_id, user_id)

    return replace(caller, is_chat_admin=is_chat_admin)


async def command(update: Update, context: TelegramContext) -> None:
    """A message with a bot command (`filters.COMMAND`), in any chat."""
    await _answer_text(update, context)


async def plain_text(update: Update, context: TelegramContext) -> None:
    """Text without a command entity in a private chat: a command we parse ourselves (Telegram
    marks no entity on `/ help` or `/поиск`), else a search, the likeliest intent."""
    await _answer_text(update, context)


async def not_text(update: Update, context: TelegramContext) -> None:
    """A private message without text (photo, sticker, voice…): say what we can read."""
    caller = caller_of(update)
    if caller is None or caller.chat_type != "private":
        return
    replies = await run_unreadable(context.bot_data.deps, caller)
    await send_replies(context, int(caller.chat_id), replies, context.bot_data.signer)


async def _answer_text(update: Update, context: TelegramContext) -> None:
    message, caller = update.effective_message, caller_of(update)
    if message is None or not message.text or caller is None:
        return
    parsed = parse_command(message.text)
    if parsed is None:
        if caller.chat_type != "private":
            return
        parsed = ParsedCommand("search", message.text, None)
    elif not _for_us(parsed, caller, context.bot.username):
        return
    if parsed.name in TYPING_COMMANDS:
        await context.bot.send_chat_action(int(caller.chat_id), "typing")
    caller = _with_chat_admin(caller, context)
    replies = await run_command(context.bot_data.deps, caller, parsed.name, parsed.argument)
    await send_replies(context, int(caller.chat_id), replies, context.bot_data.signer)


def _for_us(parsed: ParsedCommand, caller: Caller, username: str) -> bool:
    """A private chat has only us in it: everything is for us, `/x@` and `/x@other` too. In
    groups, answer commands addressed to us, and unaddressed ones only when we know them."""
    if caller.chat_type == "private":
        return True
    if parsed.addressed_to is not None:
        return parsed.addressed_to.lower() == username.lower()
    return parsed.name in COMMANDS


async def button(update: Update, context: TelegramContext) -> None:
    query, caller = update.callback_query, caller_of(update)
    if query is None or caller is None:
        return
    decoded = context.bot_data.signer.decode(query.data)
    if decoded is None:
        language = platform_language(
            caller.language_code, context.bot_data.deps.settings.digest_language
        )
        await query.answer(t(language, "expired_button"), show_alert=True)
        return
    if not await first_press(context.bot_data.deps.db, query.id):
        return  # the same press delivered again: it counted (and was answered) the first time
    caller = _with_chat_admin(caller, context)
    try:
        replies = await run_action(context.bot_data.deps, caller, decoded[0], decoded[1])
    except Exception:
        await query.answer()  # the spinner stops; the error handler tells the admins
        raise
    await answer_press(context, query, replies, int(caller.chat_id))
