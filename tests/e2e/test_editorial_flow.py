"""Issue 4 end to end, through `run_app` (the real main job: PTB bot + scheduler + admin ops):
papers → /compose → the draft's preview → an admin presses Approve → /publish → the channel gets
everything and each subscriber exactly their own papers, once."""

from __future__ import annotations

import asyncio

from cli.run import run_app
from domain.types import SummaryContent
from storage.db import Database
from tests.e2e.telegram_harness import ADMIN_CHAT, bot_settings, ensure_admin_chat
from tests.factories import make_paper, store_paper
from tests.fakes.telegram_server import FakeTelegram

TOPICS = {"RLHF": ["RLHF", "reward model"], "Diffusion": ["diffusion", "image generation"]}


async def _papers(db: Database) -> None:
    async with db.session() as session:
        for name, keywords in TOPICS.items():
            for n in (1, 2):
                meta = make_paper(title=f"{name} study {n}")
                content = SummaryContent(
                    title_translated=f"{name} study {n}", tldr=f"About {name}.", rating=3 + n,
                    keywords=keywords,
                )  # fmt: skip
                await store_paper(session, meta, content, language="en")


async def test_compose_review_approve_publish(fake_telegram: FakeTelegram, sqlite_db) -> None:
    await _papers(sqlite_db)
    editor = fake_telegram.user(first_name="Editor", language_code="en")
    channel = fake_telegram.group(title="Digest", type="channel", username="digest_channel")
    ensure_admin_chat(fake_telegram)
    admins = fake_telegram.api.chats[ADMIN_CHAT]
    ann = fake_telegram.user(first_name="Ann", language_code="en")  # only RLHF
    bob = fake_telegram.user(first_name="Bob", language_code="en")  # everything
    settings = bot_settings(
        fake_telegram, sqlite_db, admin_ids=(editor.id,), channel_id="@digest_channel",
        digest_language="en",
    )  # fmt: skip
    stop = asyncio.Event()
    app = asyncio.create_task(run_app(settings, sqlite_db, stop=stop))
    try:
        await fake_telegram.wait_for_poll(timeout=10)
        for user, lines in ((ann, ["/start", "/subscribe RLHF"]), (bob, ["/start"])):
            for line in lines:
                fake_telegram.send_text(user, line)
                await fake_telegram.wait_for_sent(user)
        fake_telegram.send_text(ann, "/settings")
        (panel,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.press_button(ann, panel, panel.button("only my topics")["callback_data"])
        await fake_telegram.wait_for_edits(ann)

        fake_telegram.send_text(editor, "/compose", chat=admins)
        report, preview = await fake_telegram.wait_for_sent(admins, count=2, timeout=15)
        fake_telegram.press_button(editor, preview, preview.button("Approve")["callback_data"])
        await fake_telegram.wait_for_edits(admins, timeout=10)
        readers = {"ann": ann.id, "bob": bob.id, "channel": channel.id}
        before = {name: len(fake_telegram.sent(chat)) for name, chat in readers.items()}
        fake_telegram.send_text(editor, "/publish 1", chat=admins)
        await fake_telegram.wait_until(
            lambda: True if len(fake_telegram.sent(bob)) > before["bob"] else None, timeout=20
        )
        await asyncio.sleep(0.5)  # anything sent twice would arrive by now
    finally:
        stop.set()
        await asyncio.wait_for(app, timeout=20)

    digest = {
        name: [m.text for m in fake_telegram.sent(chat)[before[name] :]]
        for name, chat in readers.items()
    }
    assert "Issue 1" in report.text or "第1期" in report.text
    assert "RLHF study" in "".join(digest["ann"]) and "Diffusion" not in "".join(digest["ann"])
    assert "RLHF study" in "".join(digest["bob"]) and "Diffusion study" in "".join(digest["bob"])
    assert "Diffusion study" in "".join(digest["channel"])
    for chat, texts in digest.items():
        assert len(texts) == len(set(texts)), f"{chat} got a message twice"
    assert fake_telegram.violations == []
