"""Console chat: parse a typed command, call one core service, print plain text.

The same commands the Telegram bot offers; `/quit` (or end of input) leaves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from bot.console.render import issue_list_text, search_page_text
from bot.render import render_issue
from core.config import Settings
from core.errors import DigestError, InvalidInput
from core.services.issues import get_issue, latest_issue, list_issues
from core.services.search import search_papers
from storage.db import Database

HELP = """Commands:
  /latest            the newest issue          e.g. /latest
  /issue <N>         issue number N            e.g. /issue 1
  /issues [page]     all issues, newest first  e.g. /issues 2
  /search <words>    search every paper        e.g. /search 强化学习 对齐
  /help              this list
  /quit              leave"""

PAGE_SIZE = 10
MAX_INPUT = 4000

Handler = Callable[["ConsoleBot", str], Awaitable[str]]


class ConsoleBot:
    """Answers one line at a time; never raises for anything a user types."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def answer(self, line: str) -> str:
        command, _, argument = line.strip().partition(" ")
        handler = HANDLERS.get(command.lower().split("@", 1)[0])
        if handler is None:
            return f"Unknown command {command[:40]!r}. Type /help for the list."
        try:
            if len(line) > MAX_INPUT:
                raise InvalidInput(f"That message is too long (max {MAX_INPUT} characters).")
            return await handler(self, argument.strip())
        except DigestError as exc:
            return exc.user_message

    @property
    def language(self) -> str:
        return self.settings.digest_language


async def _help(bot: ConsoleBot, argument: str) -> str:
    return HELP


async def _latest(bot: ConsoleBot, argument: str) -> str:
    issue = await latest_issue(bot.db, language=bot.language)
    return "\n\n".join(render_issue(issue, "text"))


async def _issue(bot: ConsoleBot, argument: str) -> str:
    if not argument.isdigit() or not 0 < int(argument) < 1_000_000:
        raise InvalidInput("Usage: /issue <number>, e.g. /issue 1")
    issue = await get_issue(bot.db, number=int(argument), language=bot.language)
    return "\n\n".join(render_issue(issue, "text"))


async def _issues(bot: ConsoleBot, argument: str) -> str:
    page_number = int(argument) if argument.isdigit() and 0 < int(argument) < 10_000 else 1
    page = await list_issues(bot.db, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return issue_list_text(page)


async def _search(bot: ConsoleBot, argument: str) -> str:
    if not argument:
        raise InvalidInput("Usage: /search <words>, e.g. /search reward model")
    page = await search_papers(bot.db, query=argument, language=bot.language, limit=PAGE_SIZE)
    return search_page_text(argument, page)


HANDLERS: dict[str, Handler] = {
    "/help": _help,
    "/start": _help,
    "/latest": _latest,
    "/issue": _issue,
    "/issues": _issues,
    "/search": _search,
}


async def run_console(
    bot: ConsoleBot, lines: AsyncIterator[str], say: Callable[[str], None]
) -> None:
    say("digestbot console — type /help, /quit to leave.")
    async for line in lines:
        if line.strip().lower() in ("/quit", "/exit"):
            break
        if line.strip():
            say(await bot.answer(line))
