"""One user cannot stall everyone: real PTB (polling) against the fake Bot API.

- Updates of different chats run concurrently while each chat's replies keep their order.
- A slow /paper (gated on an asyncio.Event, not a sleep) holds up neither other chats nor its own.
- A flood of /latest earns one "slow down" and silence, while another user is answered.
"""

from __future__ import annotations

import asyncio
import random

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.telegram.ratelimit import FairRateLimiter
from bot.telegram.updates import PerChatUpdateProcessor
from storage.db import Database
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spacing import assert_send_spacing
from tests.fakes.telegram_state import FakeUser

CHATS, MESSAGES = 12, 15


class Echo:
    """A handler that answers each message with its own text after a random short pause, and
    notes how many handlers ran at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.random = random.Random(8)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_chat is not None
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(self.random.random() / 50)  # shuffles chats, never asserted on
            await context.bot.send_message(update.effective_chat.id, update.effective_message.text)
        finally:
            self.running -= 1


async def test_each_chat_keeps_its_order_while_chats_run_concurrently() -> None:
    processor, echo = PerChatUpdateProcessor(), Echo()
    with FakeTelegram() as fake:
        users = [fake.user() for _ in range(CHATS)]
        group = fake.group(members=users[:3])
        app = (
            Application.builder().token(fake.token).base_url(fake.base_url)
            .base_file_url(fake.base_file_url).concurrent_updates(processor)
            .rate_limiter(FairRateLimiter()).build()
        )  # fmt: skip
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.updater.start_polling(timeout=1)  # type: ignore[union-attr]
            await app.start()
            for n in range(MESSAGES):
                for user in users:
                    fake.send_text(user, f"{user.id}:{n}")
                fake.send_text(users[n % 3], f"group:{n}", chat=group)
            mark = 0
            for user in users:
                await fake.wait_for_sent(user, MESSAGES, timeout=60, since=mark)
            await fake.wait_for_sent(group, MESSAGES, timeout=60, since=mark)
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
        for user in users:
            assert [m.text for m in fake.sent(user)] == [f"{user.id}:{n}" for n in range(MESSAGES)]
        assert [m.text for m in fake.sent(group)] == [f"group:{n}" for n in range(MESSAGES)]
        assert echo.most > 1  # chats really ran at once
        assert processor.chats == 0  # every chat's lock was dropped once idle
        assert_send_spacing(fake)
        assert fake.errors == []


async def test_a_slow_paper_holds_up_neither_other_chats_nor_its_own(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def gated_fetch(arxiv_id: str, language: str) -> int | None:
        started.set()
        await release.wait()
        return None  # arXiv has no such paper

    alice = fake_telegram.user(first_name="Alice")
    bob = fake_telegram.user(first_name="Bob")
    async with running_bot(fake_telegram, sqlite_db, fetch_paper=gated_fetch):
        fake_telegram.send_text(alice, "/paper 2401.99999")
        await asyncio.wait_for(started.wait(), timeout=10)

        fake_telegram.send_text(bob, "/help")  # another chat, while the fetch is in progress
        (bob_help,) = await fake_telegram.wait_for_sent(bob)
        fake_telegram.send_text(alice, "/help")  # the same chat, too
        (alice_help,) = await fake_telegram.wait_for_sent(alice)
        assert not release.is_set()

        mark = fake_telegram.mark()
        release.set()
        (not_found,) = await fake_telegram.wait_for_sent(alice, since=mark)
    assert "/search" in bob_help.text and "/search" in alice_help.text
    assert "arXiv has no paper 2401.99999" in not_found.text


async def test_a_flood_gets_one_slow_down_and_others_are_answered(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    flooder = fake_telegram.user(first_name="Flood")
    other = fake_telegram.user(first_name="Other")
    async with running_bot(fake_telegram, sqlite_db):
        for _ in range(12):
            fake_telegram.send_text(flooder, "/latest")
        fake_telegram.send_text(other, "/help")
        (answer,) = await fake_telegram.wait_for_sent(other, timeout=30)
        fake_telegram.send_text(flooder, "/mysubs")  # after the flood, in the chat's order
        await fake_telegram.wait_until(lambda: _last_is_mysubs(fake_telegram, flooder), 60)
    texts = [m.text for m in fake_telegram.sent(flooder)]
    slow = [n for n, text in enumerate(texts) if text.startswith("Too many requests; try again")]
    assert len(slow) == 1 and slow[0] >= 2  # two /latest answered, one refusal, then silence
    assert slow[0] == len(texts) - 2  # nothing between the refusal and /mysubs
    assert "/search" in answer.text
    assert_send_spacing(fake_telegram)


def _last_is_mysubs(fake: FakeTelegram, user: FakeUser) -> bool | None:
    sent = fake.sent(user)
    return True if sent and "You follow no topics" in sent[-1].text else None
