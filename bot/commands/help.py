"""/help: what the bot does and every command with an example, in the chat's language."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.reply import Reply, replies
from bot.i18n import COMMANDS, say, t
from domain.content import Blank, Block, Heading, bold, code, paragraph


async def help_command(ctx: Context, argument: str) -> list[Reply]:
    blocks: list[Block] = [
        say(ctx.language, "help_intro", name=bold("digestbot")),
        Blank(),
        Heading(t(ctx.language, "help_commands")),
    ]
    for name, example, zh, en in COMMANDS:
        description = zh if ctx.language == "zh" else en
        blocks.append(paragraph(f"/{name} — {description}\n    ", code(example)))
    return replies(blocks)
