"""The fair rate limiter, on PTB's real ExtBot against the fake Bot API's record of sends.

No timing asserts: the order of accepted sends in the fake's log shows who was served when.
Where a test needs the global pace to dominate request latency (to make turns exact), it slows
the pace rather than asserting on durations.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.telegram.ratelimit import FairRateLimiter, Limits
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spacing import accepted_sends, spacing_violations
from tests.fakes.telegram_state import FakeUser


@asynccontextmanager
async def limited_bot(fake: FakeTelegram, limiter: FairRateLimiter | None) -> AsyncIterator[ExtBot]:
    bot: ExtBot = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter)
    async with bot:
        yield bot


def senders(fake: FakeTelegram) -> list[int]:
    """Chat ids of the accepted sends, in the order the fake accepted them."""
    return [int(call.params["chat_id"]) for call in accepted_sends(fake)]


async def test_chats_are_served_in_turn_not_first_come_first_served() -> None:
    limiter = FairRateLimiter(Limits(overall=5))  # 200 ms a turn: far above local latency
    with FakeTelegram(flood=None) as fake:
        busy, quiet = fake.user(), fake.user()
        async with limited_bot(fake, limiter) as bot:
            backlog = [bot.send_message(busy.id, f"busy {n}") for n in range(8)]
            late = [bot.send_message(quiet.id, f"quiet {n}") for n in range(3)]
            await asyncio.gather(*backlog, *late)
        order = senders(fake)
    b, q = busy.id, quiet.id
    assert sorted(order[:6]) == sorted([b, q] * 3) and order[6:] == [b] * 5  # taking turns
    assert all(order[n] != order[n + 1] for n in range(5))
    assert [m.text for m in fake.sent(busy)] == [f"busy {n}" for n in range(8)]  # FIFO per chat
    assert [m.text for m in fake.sent(quiet)] == [f"quiet {n}" for n in range(3)]


async def test_a_group_waiting_for_its_minute_does_not_hold_private_chats() -> None:
    limiter = FairRateLimiter(Limits(group=(2, 3600.0)))  # the group's third waits an hour
    with FakeTelegram(flood=None) as fake:
        group = fake.group(title="Busy group")
        readers = [fake.user() for _ in range(3)]
        async with limited_bot(fake, limiter) as bot:
            to_group = [asyncio.create_task(bot.send_message(group.id, f"g{n}")) for n in range(5)]
            await asyncio.sleep(0)  # the group's requests are queued first
            await asyncio.gather(
                *(bot.send_message(r.id, f"p{n}") for r in readers for n in range(4))
            )
            waiting = [task for task in to_group if not task.done()]
            for task in waiting:
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)
            assert limiter.chats == 4  # the group (in its window) and the three readers
        assert [m.text for m in fake.sent(group)] == ["g0", "g1"]
        assert all([m.text for m in fake.sent(r)] == [f"p{n}" for n in range(4)] for r in readers)
        assert len(waiting) == 3 and all(task.cancelled() for task in waiting)


async def test_retry_after_holds_only_that_chat_logs_one_line_and_sends_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeTelegram(flood=None) as fake:
        flooded, other = fake.user(), fake.user()
        async with limited_bot(fake, FairRateLimiter()) as bot:
            fake.force_flood(times=1, retry_after=1, methods=["sendMessage"])
            with caplog.at_level(logging.WARNING, logger="bot.telegram.ratelimit"):
                first = asyncio.create_task(bot.send_message(flooded.id, "held"))
                await fake.wait_for_calls("sendMessage", since=0)  # the 429 is in
                await asyncio.gather(*(bot.send_message(other.id, f"o{n}") for n in range(3)))
                await first
        order = senders(fake)
    assert order == [other.id] * 3 + [flooded.id]  # the others went while it was held
    assert [m.text for m in fake.sent(flooded)] == ["held"]  # accepted exactly once
    assert [r.getMessage() for r in caplog.records] == [
        f"telegram flood control: sendMessage to {flooded.id} retried in 1 s (retry 1 of 3)"
    ]
    assert all(r.exc_info is None for r in caplog.records)


async def test_retries_used_up_raise_retry_after_with_one_line_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeTelegram(flood=None) as fake:
        user = fake.user()
        async with limited_bot(fake, FairRateLimiter(Limits(max_retries=1))) as bot:
            fake.force_flood(times=5, retry_after=1, methods=["sendMessage"])
            with (
                caplog.at_level(logging.WARNING, logger="bot.telegram.ratelimit"),
                pytest.raises(RetryAfter),
            ):
                await bot.send_message(user.id, "never")
        assert fake.sent(user) == []
    assert [r.getMessage().split(":")[1].split(" (")[0] for r in caplog.records] == [
        f" sendMessage to {user.id} retried in 1 s",
        f" sendMessage to {user.id} refused after 1 retries",
    ]
    assert all(r.exc_info is None for r in caplog.records)


async def test_idle_chats_are_forgotten() -> None:
    skew = [0.0]
    limiter = FairRateLimiter(clock=lambda: time.monotonic() + skew[0])
    with FakeTelegram(flood=None) as fake:
        users = [fake.user() for _ in range(20)]
        group = fake.group()
        async with limited_bot(fake, limiter) as bot:
            await asyncio.gather(*(bot.send_message(u.id, "hi") for u in [*users, group]))
            assert limiter.chats == 21  # each inside its window
            skew[0] += 3600  # an hour later, one more message
            await bot.send_message(users[0].id, "again")
            assert limiter.chats == 1


async def test_the_guard_sees_an_unpaced_bot_break_the_rule_and_ours_keep_it() -> None:
    """The send-spacing guard of the delivery tests is not vacuous: without a limiter 60 sends
    to 60 chats land within one second; through ours they do not."""
    for limiter, broken in ((None, True), (FairRateLimiter(), False)):
        with FakeTelegram(flood=None) as fake:
            users: list[FakeUser] = [fake.user() for _ in range(60)]
            async with limited_bot(fake, limiter) as bot:
                await asyncio.gather(*(bot.send_message(u.id, "hi") for u in users))
            assert bool(spacing_violations(fake)) is broken
