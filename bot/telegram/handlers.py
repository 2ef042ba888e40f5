"""PTB callbacks: turn an update into a `Caller`, run the shared command, send the replies.

Every command goes through `command`; PTB's CommandHandler already ignores `/cmd@otherbot`
in groups and strips `@thisbot`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.commands.context import Deps, platform_language
from bot.commands.dispatch import ParsedCommand, parse_command, run_action, run_command
from bot.commands.registry import COMMANDS
from bot.commands.reply import Caller
from bot.i18n import t
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.send import send_replies

# Commands that may take seconds (fetching and summarizing a paper on demand).
SLOW_COMMANDS = frozenset({"paper"})


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    deps: Deps = context.application.bot_data["deps"]
    return deps


def signer_of(context: ContextTypes.DEFAULT_TYPE) -> CallbackSigner:
    signer: CallbackSigner = context.application.bot_data["signer"]
    return signer


def caller_of(update: Update) -> Caller | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    return Caller(
        platform="telegram",
        chat_id=str(chat.id),
        user_id=str(user.id if user else chat.id),
        chat_type=chat.type,
        language_code=user.language_code if user else None,
    )


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, caller = update.effective_message, caller_of(update)
    if message is None or message.text is None or caller is None:
        return
    parsed = parse_command(message.text)
    if parsed is None or not _for_us(parsed, caller, context.bot.username):
        return
    if parsed.name in SLOW_COMMANDS:  # the indicator costs a rate-limit slot: only when slow
        await context.bot.send_chat_action(int(caller.chat_id), "typing")
    replies = await run_command(deps_of(context), caller, parsed.name, parsed.argument)
    await send_replies(context, int(caller.chat_id), replies, signer_of(context))


def _for_us(parsed: ParsedCommand, caller: Caller, username: str) -> bool:
    """In groups, answer commands addressed to us, and unknown ones only when addressed."""
    if parsed.addressed_to is not None:
        return parsed.addressed_to.lower() == username.lower()
    return caller.chat_type == "private" or parsed.name in COMMANDS


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, caller = update.callback_query, caller_of(update)
    if query is None or caller is None:
        return
    decoded = signer_of(context).decode(query.data)
    if decoded is None:
        language = platform_language(
            caller.language_code, deps_of(context).settings.digest_language
        )
        await query.answer(t(language, "expired_button"), show_alert=True)
        return
    await query.answer()
    replies = await run_action(deps_of(context), caller, decoded[0], decoded[1])
    pressed = query.message if query.message and query.message.is_accessible else None
    await send_replies(context, int(caller.chat_id), replies, signer_of(context), pressed)  # type: ignore[arg-type]


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text without a command in a private chat: treat it as a search, the likeliest intent."""
    message, caller = update.effective_message, caller_of(update)
    if message is None or not message.text or caller is None:
        return
    replies = await run_command(deps_of(context), caller, "search", message.text)
    await send_replies(context, int(caller.chat_id), replies, signer_of(context))
