"""A user types commands to the real PTB bot over HTTP; the test reads what the bot sent.

The fake Bot API checks every request against the spec and Telegram's HTML and length rules,
so an invalid message would fail the send (and show up in `fake.errors`).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.render import render_issue
from core.services.chats import get_chat_state
from core.services.issues import get_issue
from storage.db import Database
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert [e for e in fake_telegram.errors if "blocked" not in str(e)] == []


async def test_command_menu_registered_in_both_languages(fake_telegram, sqlite_db) -> None:
    async with running_bot(fake_telegram, sqlite_db):
        pass
    commands = fake_telegram.commands
    zh = {c["command"]: c["description"] for c in commands[("default", "zh")]}
    en = {c["command"]: c["description"] for c in commands[("default", "en")]}
    assert {"start", "subscribe", "search", "issue", "settings", "help"} <= set(zh)
    assert zh["search"] != en["search"]


async def test_start_help_in_the_users_language(fake_telegram, sqlite_db) -> None:
    li = fake_telegram.user(first_name="Li", language_code="zh-hans")
    ann = fake_telegram.user(first_name="Ann", language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(li, "/start")
        (welcome,) = await fake_telegram.wait_for_sent(li)
        fake_telegram.send_text(ann, "/help")
        (help_text,) = await fake_telegram.wait_for_sent(ann)
    assert "已订阅" in welcome.text
    assert "/subscribe" in help_text.text and "/paper 2402.01399" in help_text.text
    assert "search every paper" in help_text.text


async def test_subscribe_list_and_remove_with_a_button(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/subscribe reinforcement learning -survey")
        (saved,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(ann, "/mysubs")
        (listed,) = await fake_telegram.wait_for_sent(ann)
        listed_text = listed.text  # messages are live: an edit changes them
        fake_telegram.press_button(ann, listed, listed.button("✖").get("callback_data"))
        (edited,) = await fake_telegram.wait_for_edits(ann)
        fake_telegram.send_text(ann, "/mysubs")
        (empty,) = await fake_telegram.wait_for_sent(ann)
    assert "Following" in saved.text and "excluding survey" in saved.text
    assert "1. reinforcement + learning" in listed_text
    assert "Unfollowed" in edited.text
    assert "no topics" in empty.text


async def test_search_pages_with_buttons_and_refuses_forged_data(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/search learning")
        (first,) = await fake_telegram.wait_for_sent(ann)
        first_text = first.text
        fake_telegram.press_button(ann, first, first.button("Next").get("callback_data"))
        (second,) = await fake_telegram.wait_for_edits(ann)
        forged = fake_telegram.press_button(ann, second, "search|abc|2|AAAAAAAAAA", forge=True)
        await fake_telegram.wait_for_calls("answerCallbackQuery")
    assert "Results 1–5" in first_text and "Results 6–10" in second.text
    assert "expired" in fake_telegram.callback_answer(forged)["text"]


async def test_past_issues_open_from_the_list(fake_telegram, sqlite_db) -> None:
    li = fake_telegram.user(language_code="zh")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(li, "/issues")
        (listing,) = await fake_telegram.wait_for_sent(li)
        expected = len(
            render_issue(await get_issue(sqlite_db, number=1, language="zh"), "telegram")
        )
        fake_telegram.press_button(li, listing, listing.button("第1期").get("callback_data"))
        issue = await fake_telegram.wait_for_sent(li, count=expected)
        fake_telegram.send_text(li, "/latest")
        latest = await fake_telegram.wait_for_sent(li, count=len(issue))
    assert "往期" in listing.text
    assert len(issue) >= 2 and "ML Papers第1期" in issue[0].text  # 20 papers: split messages
    assert all(len(m.text) <= 4096 for m in issue)
    assert [m.text for m in latest] == [m.text for m in issue]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/issue abc", "Usage: /issue"),
        ("/issue 99", "Issue 99 does not exist"),
        ("/search", "What should I search for"),
        ('/search "NEAR" * -: (', "Results"),
        ("/paper 12345", "not an arXiv id"),
        ("/subscribe " + "x" * 300, "characters"),
        ("/frobnicate", "no command /frobnicate"),
        ("🙂🙂", "No papers found"),
        ("🙂" * 2000, "keep it under 300"),
        ("/search " + "a" * 4100, "too long"),
    ],
)
async def test_bad_input_gets_a_helpful_answer(fake_telegram, sqlite_db, typed, expected):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, typed)
        (reply,) = await fake_telegram.wait_for_sent(ann)
    assert expected in reply.text


async def test_group_commands_addressed_to_us_only(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    group = fake_telegram.group(title="ML reading group", members=(ann,))
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/search@someotherbot learning", chat=group)
        fake_telegram.send_text(ann, "/frobnicate", chat=group)
        fake_telegram.send_text(ann, "/search@digest_test_bot 强化学习", chat=group)
        (reply,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(ann, "/start", chat=group)
        (started,) = await fake_telegram.wait_for_sent(group)
    assert "CtRL-Sim" in reply.text
    assert "Subscribed" in started.text
    assert len(fake_telegram.sent(group)) == 2  # nothing for the other bot's or unknown command


async def test_settings_buttons_switch_language_and_mode(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/start")
        await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(ann, "/settings")
        (panel,) = await fake_telegram.wait_for_sent(ann)
        panel_text = panel.text
        fake_telegram.press_button(ann, panel, panel.button("中文").get("callback_data"))
        (chinese,) = await fake_telegram.wait_for_edits(ann)
        chinese_text = chinese.text
        fake_telegram.press_button(
            ann, chinese, chinese.button("只看我的主题").get("callback_data")
        )
        await fake_telegram.wait_for_edits(ann)
        state = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(ann.id))
    assert "Language: English" in panel_text and "语言：中文" in chinese_text
    assert state.language == "zh" and state.digest_mode.value == "topics"


async def test_user_who_blocked_the_bot_is_marked_inactive(fake_telegram, sqlite_db: Database):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/start")
        await fake_telegram.wait_for_sent(ann)
        fake_telegram.block(ann)
        fake_telegram.send_text(ann, "/latest")
        for _ in range(100):  # the error handler marks the chat right after the 403
            if _blocked(sqlite_db, ann.id):
                break
            await asyncio.sleep(0.05)
    state = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(ann.id))
    assert state.blocked and not state.receives_digests


def _blocked(db: Database, chat_id: int) -> bool:
    import sqlite3

    path = db.url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT blocked_at FROM chats WHERE external_id = ?", (str(chat_id),))
        found = row.fetchone()
    return bool(found and found[0])
