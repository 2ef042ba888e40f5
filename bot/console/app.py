"""Console chat: the bot's commands typed in a terminal, through the same command layer as
Telegram. Buttons print as `[b1] Next ▶`; typing `b1` presses one. Plain text searches.

Whoever sits at the console is its operator, an admin of the console platform only (they
could edit the database anyway): they may review, approve and publish from here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from bot.commands.context import Deps
from bot.commands.dispatch import parse_command, run_action, run_command
from bot.commands.reply import Button, Caller, Reply
from domain.identity import CONSOLE, CONSOLE_OPERATOR
from domain.numbers import bounded_int

CALLER = Caller(platform=CONSOLE, chat_id="console", user_id=CONSOLE_OPERATOR)


class ConsoleBot:
    """Answers one line at a time; never raises for anything a user types."""

    def __init__(self, deps: Deps, caller: Caller = CALLER) -> None:
        self.deps = deps
        self.caller = caller
        self._buttons: list[Button] = []

    async def answer(self, line: str) -> str:
        text = line.strip()
        pressed = self._pressed(text)
        if pressed is not None:
            return self._show(
                await run_action(self.deps, self.caller, pressed.action, pressed.args)
            )
        parsed = parse_command(text)
        name, argument = (parsed.name, parsed.argument) if parsed else ("search", text)
        return self._show(await run_command(self.deps, self.caller, name, argument))

    def _pressed(self, text: str) -> Button | None:
        number = bounded_int(text[1:], 999) if text.startswith("b") else None
        if number is None:
            return None
        return self._buttons[number - 1] if 0 < number <= len(self._buttons) else None

    def _show(self, replies: list[Reply]) -> str:
        if replies and all(reply.toast for reply in replies):  # 👍 answered: same buttons stay
            return "\n\n".join(reply.text for reply in replies)
        self._buttons = [button for reply in replies for row in reply.buttons for button in row]
        parts = [reply.text for reply in replies]
        if self._buttons:
            hints = (f"[b{n}] {button.label}" for n, button in enumerate(self._buttons, 1))
            parts.append("  ".join(hints))
        return "\n\n".join(parts)


async def run_console(
    bot: ConsoleBot, lines: AsyncIterator[str], say: Callable[[str], None]
) -> None:
    say("digestbot console — type /help; plain text searches; /quit to leave.")
    async for line in lines:
        if line.strip().lower() in ("/quit", "/exit"):
            break
        if line.strip():
            say(await bot.answer(line))
