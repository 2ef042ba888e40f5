"""The typed PTB context: `context.bot_data` is a `BotData`, not a dict of strings.

What every handler needs from the application (the shared `Deps`, the callback signer, the
chat-admin cache) is an attribute with a type, so a misspelt key is a type error, not a
KeyError at run time (after python-telegram-bot's `contexttypesbotdata.py` example).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.commands.context import Deps
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.chat_admins import ChatAdmins


@dataclass(eq=False)
class BotData:
    """PTB creates it without arguments; `build_application` binds `deps` and `signer` at once
    with `bind`, before any handler runs."""

    deps: Deps = field(init=False, repr=False)
    signer: CallbackSigner = field(init=False, repr=False)
    chat_admins: ChatAdmins = field(default_factory=ChatAdmins)  # one per application

    def bind(self, deps: Deps, signer: CallbackSigner) -> None:
        self.deps, self.signer = deps, signer


TelegramContext = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
DigestApp = Application[Any, TelegramContext, dict[Any, Any], dict[Any, Any], BotData, Any]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
