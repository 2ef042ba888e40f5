"""The shape of one row of the command table (`bot.commands.registry`).

A row says everything the front ends need to know about a command — its handler, the words
WeChat users type for it, whether only editors may run it, its /help line and example, its
menu text, whether it runs in the background — so that /help, Telegram's menu, WeChat's words
and the admin check are generated from one place instead of kept in step by hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NamedTuple

from bot.commands.context import Context
from bot.commands.reply import Reply

CommandHandler = Callable[[Context, str], Awaitable[list[Reply]]]
ActionHandler = Callable[[Context, tuple[str, ...]], Awaitable[list[Reply]]]


class Words(NamedTuple):
    """One sentence in both of our languages."""

    zh: str
    en: str

    def of(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class CommandSpec:
    """One command. `aliases` are the words WeChat users type instead of `/name` (Chinese;
    an admin command's words match only as a whole word, `发布 12` but not `发布会`).
    Admin commands are checked once, by `dispatch`, before `handler` runs; they are never in
    /help and appear in Telegram's menu only in the admin chat."""

    name: str
    handler: CommandHandler
    help: Words  # the /help line
    example: str  # shown under the /help line
    aliases: tuple[str, ...] = ()
    admin: bool = False
    menu: Words | None = None  # Telegram's menu text; None: the help line
    background: bool = False  # slow (LLM, a job): run outside the chat's turn
    typing: bool = False  # show "typing…" first (it costs a rate-limit slot: only when slow)

    @property
    def menu_text(self) -> Words:
        return self.menu or self.help


@dataclass(frozen=True)
class ActionSpec:
    """One button action (the `action` of a `Button`); admin ones are checked like commands."""

    name: str
    handler: ActionHandler
    admin: bool = False
