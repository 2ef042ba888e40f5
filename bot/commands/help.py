"""/help's page: what the bot does and every command with an example, in the chat's language.

The lines come from the command table; `bot.commands.registry` owns the /help handler and hands
its rows here, so this module never imports the table that lists it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.commands.reply import Reply, replies
from bot.i18n import say, t
from domain.content import Blank, Block, Heading, bold, code, paragraph

HelpRow = tuple[str, str, str, str]  # (name, example, zh, en)


def help_page(language: str, rows: Iterable[HelpRow]) -> list[Reply]:
    blocks: list[Block] = [
        say(language, "help_intro", name=bold("digestbot")),
        Blank(),
        Heading(t(language, "help_commands")),
    ]
    for name, example, zh, en in rows:
        description = zh if language == "zh" else en
        blocks.append(paragraph(f"/{name} — {description}\n    ", code(example)))
    return replies(blocks)
