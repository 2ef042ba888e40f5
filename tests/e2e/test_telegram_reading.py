"""/saved, /similar and /forget through the real PTB bot on the fake Bot API, on real SQLite:
the reading list pages and removes, /similar answers hostile input clearly, /forget asks first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.services.chats import get_chat_state
from core.services.ranking import Reader, record_feedback
from storage.db import Database
from storage.models import Paper
from storage.models_ranking import ReaderFeedback, ReaderModel
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert fake_telegram.errors == []


async def _paper_ids(db: Database) -> list[int]:
    async with db.session() as session:
        return list(await session.scalars(select(Paper.id).order_by(Paper.id)))


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_saved_pages_and_removes(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/saved")
        (empty,) = await fake_telegram.wait_for_sent(ann)
        reader = Reader("telegram", str(ann.id))
        for paper_id in (await _paper_ids(sqlite_db))[:12]:
            await record_feedback(sqlite_db, reader, paper_id, saved=True)
        fake_telegram.send_text(ann, "/saved")
        (first,) = await fake_telegram.wait_for_sent(ann)
        first_text = first.text
        fake_telegram.press_button(ann, first, first.button("Next")["callback_data"])
        (second,) = await fake_telegram.wait_for_edits(ann)
        second_text = second.text
        fake_telegram.press_button(ann, second, second.button("✕ 11")["callback_data"])
        (after,) = await fake_telegram.wait_for_edits(ann)
    assert "Nothing saved yet" in empty.text
    assert "12 in all, page 1/2" in first_text and "10." in first_text
    assert "page 2/2" in second_text and "11." in second_text and "12." in second_text
    assert "11 in all" in after.text and "12." not in after.text
    assert await _count(sqlite_db, ReaderFeedback) == 12  # unsaved, not deleted: one row each


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/similar", "Usage: /similar"),
        ("/similar hello world", "is not an arXiv id"),
        ("/similar 99999999999999999999999", "is not an arXiv id"),
        ("/similar https://evil.example/abs/2402.01399", "is not an arXiv id"),
        ("/similar 2402.99999", "not in our archive"),
        ("/similar " + "9" * 3000, "is not an arXiv id"),
        ("/similar <b>2402.01399</b>", "is not an arXiv id"),
    ],
)
async def test_similar_answers_hostile_input(fake_telegram, sqlite_db, typed, expected) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, typed)
        (answer,) = await fake_telegram.wait_for_sent(ann)
    assert expected in answer.text


async def test_similar_lists_the_nearest_papers(fake_telegram, sqlite_db) -> None:
    li = fake_telegram.user(language_code="zh")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(li, "相似 https://arxiv.org/abs/2402.01399v2")  # plain text: search
        fake_telegram.send_text(li, "/similar https://arxiv.org/abs/2402.01399v2")
        _search, answer = await fake_telegram.wait_for_sent(li, count=2)
    assert answer.text.startswith("与《") and "相似的论文" in answer.text
    assert "1." in answer.text and "https://arxiv.org/abs/2402.01399" not in answer.html
    assert [b["text"] for b in answer.buttons][:3] == ["👍 1", "👎 1", "⭐ 1"]


async def test_forget_asks_then_deletes_feedback_and_model(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/start")
        await fake_telegram.wait_for_sent(ann)
        reader = Reader("telegram", str(ann.id))
        for paper_id in (await _paper_ids(sqlite_db))[:3]:
            await record_feedback(sqlite_db, reader, paper_id, vote=1)
        fake_telegram.send_text(ann, "/forget")
        (ask,) = await fake_telegram.wait_for_sent(ann)
        ask_text = ask.text  # messages are live: the press edits this one
        fake_telegram.press_button(ann, ask, ask.button("Cancel")["callback_data"])
        (kept,) = await fake_telegram.wait_for_edits(ann)
        kept_text, marks_after_cancel = kept.text, await _count(sqlite_db, ReaderFeedback)
        fake_telegram.send_text(ann, "/forget")
        (ask_again,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.press_button(ann, ask_again, ask_again.button("Delete")["callback_data"])
        (done,) = await fake_telegram.wait_for_edits(ann)
    assert "cannot be undone" in ask_text
    assert "nothing was deleted" in kept_text and marks_after_cancel == 3
    assert "Deleted your 3 marks" in done.text and done.buttons == []
    assert await _count(sqlite_db, ReaderFeedback) == 0
    assert await _count(sqlite_db, ReaderModel) == 0


async def test_more_like_this_subscription_shows_the_papers_title(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        answers = []
        for typed in (
            "/subscribe like:2402.01399",
            "/mysubs",
            "/subscribe like:nonsense",
            "/subscribe like:2402.99999",
            "/subscribe like:2402.01399 RLHF",
        ):
            fake_telegram.send_text(ann, typed)
            answers += await fake_telegram.wait_for_sent(ann)
    followed, listed, garbage, unknown, mixed = (a.text for a in answers)
    assert "more like “A Probabilistic Model" in followed
    assert "1. more like “A Probabilistic Model" in listed
    assert "like: needs an arXiv id" in garbage
    assert "2402.99999 is not in our archive" in unknown
    assert "like: stands alone" in mixed


async def test_settings_turns_for_you_off_and_says_so(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db, settings_extra={"ranking_for_you": True}):
        fake_telegram.send_text(ann, "/settings")
        (panel,) = await fake_telegram.wait_for_sent(ann)
        panel_text = panel.text
        fake_telegram.press_button(ann, panel, panel.button("For you: off")["callback_data"])
        (edited,) = await fake_telegram.wait_for_edits(ann)
        state = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(ann.id))
    assert "For you: on (your 👍 👎 ⭐ order your digest once you have marked 5" in panel_text
    assert "For you: off (today's order" in edited.text
    assert "For you: on" in [b["text"] for b in edited.buttons][-1]
    assert state.for_you is False


async def test_settings_says_for_you_is_not_enabled_on_this_server(
    fake_telegram, sqlite_db
) -> None:
    """RANKING_FOR_YOU off (the default): the chat's switch would change nothing, so the panel
    says so, in the chat's language, and offers no toggle."""
    ann, mei = fake_telegram.user(language_code="en"), fake_telegram.user(language_code="zh")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/settings")
        (panel,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(mei, "/settings")
        (panel_zh,) = await fake_telegram.wait_for_sent(mei)
    assert "For you: not enabled on this server (today's order" in panel.text
    assert "For you: on" not in panel.text
    assert not any("For you" in b["text"] for b in panel.buttons)
    assert [b["text"] for b in panel.buttons][-1] == "Note when nothing matches: on"  # the last
    assert "为你排序：本服务器未启用" in panel_zh.text
    assert not any("为你排序" in b["text"] for b in panel_zh.buttons)
