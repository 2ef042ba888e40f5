"""Updates of different chats run at once; the updates of one chat run one at a time, in order.

PTB handles updates one after another by default, so one user's hundred commands (or one slow
handler) delayed everybody. `concurrent_updates(n)` alone would run one chat's updates out of
order (a /subscribe overtaking the /start before it) and let one chat's flood fill all n slots.
This is PTB's extension point for that, `BaseUpdateProcessor`, with a lock per chat:

- A chat's updates queue on the chat's `asyncio.Lock`, which wakes waiters first in, first out.
  PTB starts one task per update in arrival order and each reaches the lock without awaiting
  anything before it, so the lock's queue is the arrival order.
- Only then does an update take one of `running` slots, so a flooding chat holds one slot and
  waits for the rest on its own lock; every other chat keeps the remaining slots.
- PTB's own semaphore (`max_concurrent_updates`, acquired before `do_process_update`) is set
  far above `running`: it bounds updates admitted (waiting on a chat, or running), not work.
- A chat's lock is dropped as soon as it has no update waiting, so memory follows the chats
  with work in hand, not every chat ever seen.

Several instances behind one webhook URL: inside its slot an update also takes the chat's turn
across instances (`core.services.chat_turns`, an advisory lock on PostgreSQL), so no two
instances handle one chat's updates at once. The turns use a small pool of their own, sized
like `running`, never the queries' pool (see `storage.chat_locks`).

Slow work does not sit in a chat's slot either: /paper and admin jobs run in the background
(see `bot.telegram.app` and `bot.commands.background`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from core.services.chat_turns import ChatTurns

RUNNING = 16  # handlers at once, across chats
ADMITTED = 10_000  # updates inside the processor at once, running or waiting for their chat


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0  # updates holding or waiting for the lock


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self, running: int = RUNNING, admitted: int = ADMITTED, *, turns: ChatTurns | None = None
    ) -> None:
        super().__init__(max(running, admitted))
        self._running = asyncio.BoundedSemaphore(running)
        self._turns = turns
        self._chats: dict[int | str, _Chat] = {}

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for every admitted update before shutting down."""

    @property
    def chats(self) -> int:
        """Chats with an update running or waiting (a property: a `__len__` would make an idle
        processor falsy)."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:  # no chat and no user: nothing to keep in order
            async with self._running:
                await coroutine
            return
        chat = self._chats.get(key) or self._chats.setdefault(key, _Chat())
        chat.pending += 1
        started = False
        try:
            async with chat.lock, self._running, self._turn(key):
                started = True
                await coroutine
        finally:
            chat.pending -= 1
            if chat.pending == 0:
                del self._chats[key]
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting (shutdown): never "never awaited"

    def _turn(self, key: int | str) -> AbstractAsyncContextManager[None]:
        return nullcontext() if self._turns is None else self._turns.turn("telegram", key)


def order_key(update: object) -> int | str | None:
    """Whose order an update belongs to: its chat, else its user (inline queries, polls)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return f"user:{update.effective_user.id}"
    return None
