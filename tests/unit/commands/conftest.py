"""Commands called directly: a real SQLite database, a Deps and a Context built by hand, no
front end and no network. Tests read the structured content (`domain.content`), never HTML."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.commands.context import Context, Deps
from bot.commands.reply import Caller, Reply
from core.services.chats import touch_chat
from domain.content import Block, Content, Paragraph, words
from domain.identity import CONSOLE, CONSOLE_OPERATOR
from jobs.demo import run_demo
from storage.db import Database
from tests.conftest import make_settings

Ask = Callable[..., Awaitable[Context]]


@pytest.fixture
def deps(sqlite_db: Database) -> Deps:
    return Deps(settings=make_settings(database_url=sqlite_db.url), db=sqlite_db)


@pytest.fixture
async def demo(deps: Deps) -> Deps:
    """The demo's papers and its composed draft, issue 1."""
    await run_demo(deps.settings, deps.db)
    return deps


async def context(deps: Deps, language: str = "en", *, admin: bool = True) -> Context:
    """The console's operator (an admin there) or another console user, chat registered."""
    user = CONSOLE_OPERATOR if admin else "reader"
    caller = Caller(platform=CONSOLE, chat_id=f"chat-{user}", user_id=user, language_code=language)
    await touch_chat(deps.db, platform=CONSOLE, chat_id=caller.chat_id, language_code=language)
    return Context(caller=caller, language=language, deps=deps)


def only(replies: list[Reply]) -> Content:
    """The content of a one-message answer."""
    assert len(replies) == 1
    return replies[0].content


def text_of(replies: list[Reply]) -> str:
    return "\n\n".join(words(reply.content) for reply in replies)


def paragraphs(content: Content) -> list[Paragraph]:
    return [block for block in content if isinstance(block, Paragraph)]


def first(content: Content, kind: type[Block]) -> Block:
    return next(block for block in content if isinstance(block, kind))
