"""Answering a button press: once per press, with a toast when the action gave one.

Telegram sends each press once, with its own callback query id; the same id arriving again is
a replay (a re-sent webhook update, a forged re-post), so it is remembered in the database
(`core.services.replay`, shared by instances) and a repeat does nothing — which is what makes a
toggle such as 👍 safe: a replayed press cannot take back the vote it made.

A reply marked `toast` (`bot.commands.reply`) becomes the press's answerCallbackQuery text
instead of a message, and its `checks` re-label buttons of the pressed message (👍 → 👍✓):
buttons are matched by their decoded action and args, so a numbered label ("👍 3") keeps its
number and other rows stay as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
)
from telegram.error import BadRequest

from bot.commands.reply import Check, Reply, checked
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.context import TelegramContext
from bot.telegram.send import send_replies
from core.services.replay import first_use
from storage.db import Database

PRESS_SCOPE = "telegram-press"
PRESS_WINDOW = timedelta(days=2)  # Telegram stops accepting answers long before
TOAST_CHARS = 200  # answerCallbackQuery's limit


async def first_press(db: Database, query_id: str) -> bool:
    """True the first time this callback query arrives; False for a replay of it."""
    now = datetime.now(UTC)
    return await first_use(db, scope=PRESS_SCOPE, nonce=query_id, now=now, window=PRESS_WINDOW)


async def answer_press(
    context: TelegramContext, query: CallbackQuery, replies: list[Reply], chat_id: int
) -> None:
    """Re-label what the press checked, answer it (its toast, if any), send the rest.

    The re-label comes first: a reader's next press carries the message as Telegram had it,
    so a press answered before its edit landed could write the old labels back."""
    toasts = [reply for reply in replies if reply.toast]
    text = " ".join(reply.text for reply in toasts)[:TOAST_CHARS] or None
    pressed = _accessible(query.message)
    checks = tuple(check for reply in toasts for check in reply.checks)
    signer = context.bot_data.signer
    try:
        if checks and pressed is not None:
            await _relabel(pressed, checks, signer)
    finally:
        await query.answer(text)
    rest = [reply for reply in replies if not reply.toast]
    await send_replies(context, chat_id, rest, signer, pressed)


def _accessible(message: MaybeInaccessibleMessage | None) -> Message | None:
    return message if isinstance(message, Message) else None


async def _relabel(message: Message, checks: tuple[Check, ...], signer: CallbackSigner) -> None:
    markup = message.reply_markup
    if markup is None:
        return
    state = {(c.action, c.args): c.on for c in checks}
    rows = [[_button(b, state, signer) for b in row] for row in markup.inline_keyboard]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def _button(
    button: InlineKeyboardButton, state: dict[tuple[str, tuple[str, ...]], bool],
    signer: CallbackSigner,
) -> InlineKeyboardButton:  # fmt: skip
    data = button.callback_data if isinstance(button.callback_data, str) else None
    decoded = signer.decode(data)
    if decoded is None or decoded not in state:
        return button
    return InlineKeyboardButton(checked(button.text, state[decoded]), callback_data=data)
