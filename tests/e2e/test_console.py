"""The console front end runs the shared commands: every command, and bad input, answered."""

from __future__ import annotations

import re

import pytest

from bot.commands.context import Deps
from bot.commands.reply import Caller
from bot.console.app import ConsoleBot, run_console
from jobs.demo import run_demo
from storage.db import Database
from tests.conftest import make_settings


@pytest.fixture
async def bot(sqlite_db: Database) -> ConsoleBot:
    settings = make_settings(database_url=sqlite_db.url)
    await run_demo(settings, sqlite_db)
    english = Caller(platform="console", chat_id="1", user_id="1", language_code="en")
    return ConsoleBot(Deps(settings=settings, db=sqlite_db), english)


async def test_chinese_by_default(sqlite_db: Database) -> None:
    settings = make_settings(database_url=sqlite_db.url)
    await run_demo(settings, sqlite_db)
    bot = ConsoleBot(Deps(settings=settings, db=sqlite_db))
    assert "订阅" in await bot.answer("/start")
    assert "没有找到" in await bot.answer("/search zzzzqqq")


async def test_latest_and_issue_show_the_issue(bot: ConsoleBot) -> None:
    latest = await bot.answer("/latest")
    assert "ML Papers第1期" in latest and "<b>" not in latest  # HTML turned into text
    assert await bot.answer("/issue 1") == latest


async def test_search_chinese_english_and_plain_text(bot: ConsoleBot) -> None:
    chinese = await bot.answer("/search 强化学习")
    english = await bot.answer("/search reinforcement learning")
    plain = await bot.answer("reinforcement learning")
    assert "CtRL-Sim" in chinese and "CtRL-Sim" in english
    assert "in issue 1" in english  # the issue each hit appeared in
    assert plain == english


async def test_buttons_are_pressed_by_number(bot: ConsoleBot) -> None:
    first = await bot.answer("/search learning")
    assert "[b1] 👍 1" in first  # a feedback row per hit, then the pager
    assert await bot.answer("b1") == "Liked 👍"  # the same buttons stay pressable
    pager = re.search(r"\[(b[0-9]+)\] Next ▶", first)
    assert pager is not None
    second = await bot.answer(pager[1])
    assert second != first and "6–10" in second  # the next page
    assert "b99" in await bot.answer("b99") or "No papers" in await bot.answer("b99")


async def test_subscribe_flow(bot: ConsoleBot) -> None:
    started = await bot.answer("/start")
    assert "/subscribe" in started
    saved = await bot.answer("/subscribe reinforcement learning")
    assert "reinforcement + learning" in saved.lower() and "[b1]" in saved  # undo button
    listed = await bot.answer("/mysubs")
    assert "1. reinforcement + learning" in listed.lower()
    removed = await bot.answer("/unsubscribe 1")
    assert "unfollowed reinforcement + learning" in removed.lower()
    assert "/subscribe" in await bot.answer("/mysubs")  # nothing left: says how to add


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/issue 99", "99"),
        ("/issue abc", "/issue"),
        ("/search", "/search"),
        ('/search "*" -: ( )', "No papers"),
        ("/search 🙂🙂", "No papers"),
        ("/frobnicate", "/help"),
        ("/search " + "x" * 5000, "4000"),
        ("/issues", "第1期"),
        ("/help", "/subscribe"),
        ("/subscribe OR", "OR"),
        ("/paper not-an-id", "not an arXiv id"),
        ("/paper https://arxiv.org/abs/2402.01399v1", "https://arxiv.org/abs/2402.01399"),
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
