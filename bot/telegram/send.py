"""Send a command's replies: HTML parse mode, inline keyboards, edits for button presses."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.commands.reply import Reply
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.context import TelegramContext

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def keyboard(reply: Reply, signer: CallbackSigner) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.label, callback_data=signer.encode(b)) for b in row]
        for row in reply.buttons
    ]
    return InlineKeyboardMarkup(rows)


async def send_replies(
    context: TelegramContext,
    chat_id: int,
    replies: list[Reply],
    signer: CallbackSigner,
    pressed: Message | None = None,
) -> None:
    """Messages in order; a reply marked `edit` replaces the message whose button was pressed."""
    for reply in replies:
        markup = keyboard(reply, signer)
        if reply.edit and pressed is not None:
            await _edit(pressed, reply.html, markup)
            continue
        await context.bot.send_message(
            chat_id, reply.html, parse_mode=ParseMode.HTML,
            reply_markup=markup, link_preview_options=NO_PREVIEW,
        )  # fmt: skip


async def _edit(message: Message, html: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_text(
            html, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as error:
        # Pressing the same page twice: Telegram refuses an identical edit; nothing to do.
        if "not modified" not in error.message.lower():
            raise
