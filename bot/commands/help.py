"""/help: what the bot does and every command with an example, in the chat's language.

The lines come from the command table (`bot.commands.registry`); it is imported when /help
runs because the table itself lists this handler.
"""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.reply import Reply, replies
from bot.i18n import say, t
from domain.content import Blank, Block, Heading, bold, code, paragraph


async def help_command(ctx: Context, argument: str) -> list[Reply]:
    from bot.commands.registry import help_rows  # the table imports this module

    blocks: list[Block] = [
        say(ctx.language, "help_intro", name=bold("digestbot")),
        Blank(),
        Heading(t(ctx.language, "help_commands")),
    ]
    for name, example, zh, en in help_rows():
        description = zh if ctx.language == "zh" else en
        blocks.append(paragraph(f"/{name} — {description}\n    ", code(example)))
    return replies(blocks)
