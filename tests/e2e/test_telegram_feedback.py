"""👍 👎 ⭐ through the real PTB bot on the fake Bot API: a press is a toast and a check mark,
pressing again takes it back, a replayed press counts once, forged or tampered data and unknown
papers are refused, and one reader's marks never show on another's buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.commands.reply import Button
from bot.telegram.callbacks import CallbackSigner
from storage.db import Database
from storage.models import Paper
from storage.models_ranking import ReaderFeedback
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert fake_telegram.errors == []


async def _marks(db: Database) -> list[tuple[int, int, bool]]:
    async with db.session() as session:
        rows = await session.scalars(select(ReaderFeedback).order_by(ReaderFeedback.paper_id))
        return [(r.paper_id, r.vote, r.saved) for r in rows]


def _paper_of(data: str) -> int:
    action, paper_id, _kind, _signature = data.split("|")
    assert action == "fb"
    return int(paper_id)


async def _press(fake: FakeTelegram, user, message, label: str) -> dict:
    update = fake.press_button(user, message, message.button(label)["callback_data"])
    await fake.wait_for_calls("answerCallbackQuery")
    return update


async def test_votes_toggle_count_once_and_show_only_to_their_reader(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    bob = fake_telegram.user(language_code="zh")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/search learning")
        (listing,) = await fake_telegram.wait_for_sent(ann)
        paper = _paper_of(listing.button("👍 1")["callback_data"])
        liked = await _press(fake_telegram, ann, listing, "👍 1")
        (relabelled,) = await fake_telegram.wait_for_edits(ann)  # edited before the answer
        labels = [b["text"] for b in relabelled.buttons]
        # The same press delivered again (a re-sent update) does not take the like back.
        fake_telegram.push_update("callback_query", liked["callback_query"])
        saved = await _press(fake_telegram, ann, listing, "⭐ 1")  # handled after the replay
        after_replay = await _marks(sqlite_db)
        fake_telegram.send_text(bob, "/search learning")
        (bobs,) = await fake_telegram.wait_for_sent(bob)
        unliked = await _press(fake_telegram, ann, listing, "👍✓ 1")
        disliked = await _press(fake_telegram, ann, listing, "👎 2")
    assert fake_telegram.callback_answer(liked)["text"] == "Liked 👍"
    assert "👍✓ 1" in labels and "👎 1" in labels and "👍 2" in labels  # only the pressed one
    assert len(listing.text) > 0 and "Results 1–5" in relabelled.text  # the message stays
    assert after_replay == [(paper, 1, True)]
    assert "👍 1" in [b["text"] for b in bobs.buttons]  # Ann's like is not on Bob's buttons
    assert fake_telegram.callback_answer(saved)["text"].startswith("Saved ⭐")
    assert fake_telegram.callback_answer(unliked)["text"] == "Like removed"
    assert fake_telegram.callback_answer(disliked)["text"] == "Disliked 👎"
    marks = await _marks(sqlite_db)
    assert (paper, 0, True) in marks and len(marks) == 2  # one row per reader and paper
    assert [b["text"] for b in listing.buttons][:3] == ["👍 1", "👎 1", "⭐✓ 1"]


async def test_forged_tampered_and_unknown_presses_are_refused(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/search learning")
        (listing,) = await fake_telegram.wait_for_sent(ann)
        real = listing.button("👍 1")["callback_data"]
        _action, paper, kind, signature = real.split("|")
        forged = fake_telegram.press_button(ann, listing, "fb|1|up|AAAAAAAAAA", forge=True)
        await fake_telegram.wait_for_calls("answerCallbackQuery")
        other = str(int(paper) + 1)
        tampered = fake_telegram.press_button(
            ann, listing, f"fb|{other}|{kind}|{signature}", forge=True
        )
        await fake_telegram.wait_for_calls("answerCallbackQuery")
        # Signed with the bot's own key (as a stale button would be) but for no stored paper.
        unknown = CallbackSigner(fake_telegram.token).encode(Button("👍", "fb", ("999999", "up")))
        fake_telegram.press_button(ann, listing, unknown, forge=True)
        (answer,) = await fake_telegram.wait_for_sent(ann)
    assert "expired" in fake_telegram.callback_answer(forged)["text"]
    assert "expired" in fake_telegram.callback_answer(tampered)["text"]
    assert "No such paper" in answer.text
    assert await _marks(sqlite_db) == []


async def test_paper_card_has_a_feedback_row_and_similar_papers(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        async with sqlite_db.session() as session:
            arxiv_id = await session.scalar(select(Paper.arxiv_id).order_by(Paper.id).limit(1))
        fake_telegram.send_text(ann, f"/paper {arxiv_id}")
        (card,) = await fake_telegram.wait_for_sent(ann)
        await _press(fake_telegram, ann, card, "⭐")
        (marked,) = await fake_telegram.wait_for_edits(ann)
        fake_telegram.send_text(ann, f"/paper {arxiv_id}")
        (again,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.press_button(ann, again, again.button("Similar")["callback_data"])
        (similar,) = await fake_telegram.wait_for_sent(ann)
    assert [b["text"] for b in marked.buttons] == ["👍", "👎", "⭐✓", "Similar"]
    assert [b["text"] for b in again.buttons] == ["👍", "👎", "⭐✓", "Similar"]  # remembered
    assert similar.text.startswith("Papers similar to")
    assert "1." in similar.text and "👍 1" in [b["text"] for b in similar.buttons]


async def test_a_groups_marks_are_not_shown_on_its_shared_message(fake_telegram, sqlite_db):
    ann = fake_telegram.user(language_code="en")
    group = fake_telegram.group(title="Readers", members=(ann,))
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/search learning", chat=group)
        (listing,) = await fake_telegram.wait_for_sent(group)
        before = [b["text"] for b in listing.buttons]
        liked = await _press(fake_telegram, ann, listing, "👍 1")
        fake_telegram.send_text(ann, "/search learning", chat=group)
        (again,) = await fake_telegram.wait_for_sent(group)
    assert fake_telegram.callback_answer(liked)["text"] == "Liked 👍"  # only the presser sees it
    assert fake_telegram.calls("editMessageReplyMarkup") == []
    assert [b["text"] for b in listing.buttons] == before
    assert [b["text"] for b in again.buttons] == before  # the group's like is not shown
    assert len(await _marks(sqlite_db)) == 1  # but it counts, for the group
