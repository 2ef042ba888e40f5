"""/topics, /unsubscribe, /stop and per-user flood protection through the real PTB bot."""

from __future__ import annotations

from domain.types import SummaryContent
from storage.db import Database
from tests.e2e.telegram_harness import running_bot
from tests.factories import make_paper, store_paper
from tests.fakes.telegram_server import FakeTelegram


async def _papers_with_keywords(db: Database) -> None:
    keywords = [["RLHF", "reward model"], ["RLHF", "alignment"], ["diffusion", "alignment"]]
    async with db.session() as session:
        for words in keywords * 2:
            content = SummaryContent(title_translated="Title", tldr="One line.", keywords=words)
            await store_paper(session, make_paper(), content, language="en")


async def test_topics_offers_popular_keywords_to_follow_with_a_tap(fake_telegram, sqlite_db):
    await _papers_with_keywords(sqlite_db)
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db, demo=False):
        fake_telegram.send_text(ann, "/topics")
        (offer,) = await fake_telegram.wait_for_sent(ann)
        labels = [b["text"] for b in offer.buttons]
        fake_telegram.press_button(ann, offer, offer.button("RLHF").get("callback_data"))
        (followed,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(ann, "/unsubscribe")
        (pick,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(ann, "/unsubscribe rlhf")
        (removed,) = await fake_telegram.wait_for_sent(ann)
    assert labels[0].startswith("＋") and any("RLHF" in label for label in labels)
    assert "Following RLHF" in followed.text and "4 of the 6 papers" in followed.text
    assert "Which topic" in pick.text and pick.button("RLHF")
    assert "Unfollowed RLHF" in removed.text


async def test_stop_then_start_keeps_topics(fake_telegram: FakeTelegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        for text in ("/start", "/subscribe diffusion", "/stop", "/start"):
            fake_telegram.send_text(ann, text)
            await fake_telegram.wait_for_sent(ann)
    texts = [m.text for m in fake_telegram.sent(ann)]
    assert "stopped" in texts[2] and "Welcome back" in texts[3] and "1 topics" in texts[3]


async def test_search_flood_protection_per_user(fake_telegram, sqlite_db) -> None:
    ann, bob = fake_telegram.user(language_code="en"), fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        for _ in range(6):
            fake_telegram.send_text(ann, "/search learning")
            await fake_telegram.wait_for_sent(ann)
        fake_telegram.send_text(bob, "/search learning")
        (bobs,) = await fake_telegram.wait_for_sent(bob)
    answers = [m.text for m in fake_telegram.sent(ann)]
    assert all("Results" in a for a in answers[:5])
    assert "Too many requests; try again in" in answers[5]
    assert "Results" in bobs.text  # one user's flood does not slow anyone else
