"""Several instances on one PostgreSQL: one chat's updates on one instance at a time, and one
budget per user whichever instance answers.

Two `Database` handles on one schema stand for two instances (separate connections, so the
advisory locks and row locks are really between two clients).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.commands.budget import COMMAND_BUDGETS, Budgets
from bot.commands.context import paper_limiter
from bot.commands.reply import Caller
from bot.telegram.updates import PerChatUpdateProcessor
from core.services.chat_turns import ChatTurns
from core.services.shared_buckets import DatabaseBuckets, shared_buckets
from domain.errors import RateLimited
from storage.db import Database
from storage.queries import budgets


@pytest.fixture
async def turns(postgres_db: Database, other: Database) -> AsyncIterator[list[ChatTurns]]:
    pair = [ChatTurns(postgres_db, size=4), ChatTurns(other, size=4)]
    try:
        yield pair
    finally:
        for each in pair:
            await each.close()


def _update(update_id: int, chat_id: int) -> Update:
    message = {
        "message_id": update_id, "date": 0, "text": f"m{update_id}",
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "u"},
    }  # fmt: skip
    return Update.de_json({"update_id": update_id, "message": message}, None)


class Handler:
    """Notes which updates of a chat were being handled at the same time, on any instance."""

    def __init__(self) -> None:
        self.inside: dict[int, int] = {}
        self.overlaps: list[int] = []
        self.handled: list[tuple[str, int]] = []

    async def handle(self, instance: str, chat: int, update_id: int) -> None:
        self.inside[chat] = self.inside.get(chat, 0) + 1
        if self.inside[chat] > 1:
            self.overlaps.append(update_id)
        await asyncio.sleep(0.01)
        self.handled.append((instance, update_id))
        self.inside[chat] -= 1


async def test_two_instances_never_handle_one_chats_updates_at_once(
    turns: list[ChatTurns],
) -> None:
    processors = [PerChatUpdateProcessor(turns=each) for each in turns]
    handler, work = Handler(), []
    for n in range(40):  # a webhook balancer alternating between the instances
        chat = 100 + n % 2
        which = (n // 2) % 2  # each chat's updates alternate between the instances
        coroutine = handler.handle(f"i{which}", chat, n)
        work.append(processors[which].do_process_update(_update(n, chat), coroutine))
    await asyncio.gather(*work)
    assert len(handler.handled) == 40
    assert {instance for instance, _ in handler.handled} == {"i0", "i1"}
    assert handler.overlaps == []  # without the turns, updates of one chat overlap here


async def test_a_busy_chat_does_not_hold_up_another_chat(turns: list[ChatTurns]) -> None:
    first, second = turns
    entered: list[str] = []
    async with first.turn("telegram", 1):
        waiting = asyncio.create_task(_enter(second, "telegram", 1, entered))
        async with second.turn("telegram", 2):  # another chat: at once
            entered.append("chat 2")
        async with second.turn("wechat", 1):  # the same id on another platform: at once
            entered.append("wechat 1")
        await asyncio.sleep(0.2)
        assert entered == ["chat 2", "wechat 1"] and not waiting.done()
    await asyncio.wait_for(waiting, timeout=10)
    assert entered == ["chat 2", "wechat 1", "telegram 1"]


async def _enter(turns: ChatTurns, platform: str, chat: int, entered: list[str]) -> None:
    async with turns.turn(platform, chat):
        entered.append(f"{platform} {chat}")


async def test_on_sqlite_a_turn_takes_no_lock(sqlite_db: Database) -> None:
    turns = ChatTurns(sqlite_db)
    async with turns.turn("telegram", 1), turns.turn("telegram", 1):  # re-entrant: nothing held
        pass
    await turns.close()
    assert shared_buckets(sqlite_db) is None  # one instance: budgets in memory


def _caller(user: str) -> Caller:
    return Caller(platform="telegram", chat_id=user, user_id=user, language_code="en")


async def test_a_users_budget_is_shared_by_the_instances(
    postgres_db: Database, other: Database
) -> None:
    now = [1_000_000.0]
    stores: list[Any] = [DatabaseBuckets(db, clock=lambda: now[0]) for db in (postgres_db, other)]
    a, b = (Budgets(store=store) for store in stores)
    burst = COMMAND_BUDGETS["search"].burst
    alice = _caller("42")
    for n in range(burst):  # spent on alternate instances
        assert await (a if n % 2 else b).spend_command(alice, "search") is None
    refused = await a.spend_command(alice, "search")
    assert refused is not None and refused.tell
    assert await b.spend_command(alice, "search") is not None  # the other instance agrees
    assert await b.spend_command(_caller("43"), "search") is None  # another user: own budget

    now[0] += 60  # a minute later the bucket has refilled
    assert await b.spend_command(alice, "search") is None


async def test_concurrent_spending_never_exceeds_the_burst(
    postgres_db: Database, other: Database
) -> None:
    now = [2_000_000.0]
    stores = [DatabaseBuckets(db, clock=lambda: now[0]) for db in (postgres_db, other)]
    calls = [
        stores[n % 2].wait_seconds("/search|telegram:7", capacity=5, refill_per_second=0.1)
        for n in range(20)
    ]
    waits = await asyncio.gather(*calls)
    assert sum(1 for wait in waits if wait == 0) == 5  # row locks: no double spending
    async with postgres_db.session() as session:
        assert await budgets.forget_idle(session, before=now[0] + 1) == 1


async def test_the_paper_fetch_budget_is_shared_too(postgres_db: Database, other: Database) -> None:
    now = [3_000_000.0]
    limiters = [
        paper_limiter(DatabaseBuckets(db, clock=lambda: now[0])) for db in (postgres_db, other)
    ]
    await limiters[0].spend("telegram:42")
    await limiters[1].spend("telegram:42")  # the burst of two, one on each instance
    with pytest.raises(RateLimited) as refused:
        await limiters[0].spend("telegram:42")
    assert refused.value.retry_after == 20  # 3 a minute: one more in 20 s
    await limiters[1].spend("telegram:43")
