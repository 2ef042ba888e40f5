"""A chat's turn: one update of a chat handled at a time across every instance of the bot.

Front ends already keep each chat's updates in order inside one process; this adds the lock
that holds across processes on PostgreSQL (`storage.chat_locks`), keyed by (platform, chat id).
Each instance holds at most `MAX_TURNS` turns at once, on a pool of that many connections of
their own (see `storage.chat_locks` for why not the main pool); more wait for a free slot.
On SQLite there is only ever one instance (`cli.instance_lock`), so a turn takes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.chat_locks import WAIT_LIMIT_SECONDS, ChatLocks
from storage.db import Database

log = logging.getLogger(__name__)

MAX_TURNS = 16  # chats handled at once by one instance: the lock pool's size


class ChatTurns:
    def __init__(self, db: Database, *, size: int = MAX_TURNS) -> None:
        self.size = size
        self._locks = None if db.is_sqlite else ChatLocks(db.url, size=size)
        # Every front end's turns together never need more connections than the pool has.
        self._slots = asyncio.Semaphore(size)

    @asynccontextmanager
    async def turn(self, platform: str, chat: int | str) -> AsyncIterator[None]:
        """For the block, no other instance handles an update of this chat."""
        if self._locks is None:
            yield
            return
        async with self._slots, self._locks.hold(f"{platform}:{chat}") as locked:
            if not locked:
                log.warning("%s chat %s: still busy on another instance after %ss; going ahead",
                            platform, chat, WAIT_LIMIT_SECONDS)  # fmt: skip
            yield

    async def close(self) -> None:
        if self._locks is not None:
            await self._locks.close()
