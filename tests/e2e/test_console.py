"""The console front end answers every command, and bad input, with a readable reply."""

from __future__ import annotations

import pytest

from bot.console.app import ConsoleBot, run_console
from jobs.demo import run_demo
from storage.db import Database
from tests.conftest import make_settings


@pytest.fixture
async def bot(sqlite_db: Database) -> ConsoleBot:
    settings = make_settings(database_url=sqlite_db.url)
    await run_demo(settings, sqlite_db)
    return ConsoleBot(settings, sqlite_db)


async def test_latest_and_issue_show_the_issue(bot: ConsoleBot) -> None:
    latest = await bot.answer("/latest")
    assert "ML Papers第1期" in latest
    assert await bot.answer("/issue 1") == latest


async def test_search_chinese_and_english(bot: ConsoleBot) -> None:
    chinese = await bot.answer("/search 强化学习")
    english = await bot.answer("/search reinforcement learning")
    assert "CtRL-Sim" in chinese and "CtRL-Sim" in english
    assert "第1期" in english  # the issue each hit appeared in


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/issue 99", "99"),
        ("/issue abc", "Usage: /issue"),
        ("/search", "Usage: /search"),
        ('/search "*" -: ( )', "No results"),
        ('/search "NEAR" transformers*', "Recurrent Linear Transformers"),
        ("/search 🙂🙂", "No results"),
        ("/frobnicate", "Unknown command"),
        ("/search " + "x" * 5000, "too long"),
        ("/issues 1", "第1期"),
        ("/help", "/search <words>"),
    ],
)
async def test_every_reply_is_helpful(bot: ConsoleBot, line: str, expected: str) -> None:
    assert expected in await bot.answer(line)


async def test_console_loop_reads_until_quit(bot: ConsoleBot) -> None:
    said: list[str] = []

    async def lines():
        for line in ("/help", "", "/quit", "/latest"):
            yield line

    await run_console(bot, lines(), said.append)
    assert len(said) == 2 and "/latest" in said[1]  # greeting + help; nothing after /quit
