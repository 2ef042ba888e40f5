"""/help: what the bot does and every command with an example, in the chat's language.

The lines come from the command table (`bot.commands.registry`); it is imported when /help
runs because the table itself lists this handler.
"""

from __future__ import annotations

from html import escape

from bot.commands.context import Context
from bot.commands.reply import Reply, replies
from bot.i18n import t


async def help_command(ctx: Context, argument: str) -> list[Reply]:
    from bot.commands.registry import help_rows  # the table imports this module

    lines = [t(ctx.language, "help_intro"), "", t(ctx.language, "help_commands")]
    for name, example, zh, en in help_rows():
        description = zh if ctx.language == "zh" else en
        lines.append(f"/{name} — {escape(description)}\n    <code>{escape(example)}</code>")
    return replies("\n".join(lines))
