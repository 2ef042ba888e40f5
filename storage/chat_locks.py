"""One chat's updates handled by one instance at a time, across instances (PostgreSQL).

Each instance keeps a chat's updates in order in memory (`bot.telegram.updates`); with several
instances behind one webhook URL, two of them could still handle one chat's updates at once.
Around each update the handler holds a session-level advisory lock keyed by (platform, chat),
waiting for it when another instance has it.

The locks live on a pool of their own (`size` connections, no overflow), not the main one: a
lock is held for a whole update while the handler itself opens sessions from the main pool, so
sharing one pool could let lock holders take every connection and starve their own handlers.
The caller bounds how many turns it takes at once to `size` (its running-updates semaphore).
A lock is released explicitly at the end of the turn; if anything goes wrong on the way
(cancelled while waiting, a broken connection) the connection is closed, which releases every
lock it held. A turn that waited `WAIT_LIMIT` (another instance stuck on that chat) goes ahead
unlocked rather than stalling the chat forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

WAIT_LIMIT_SECONDS = 60
_KEY = "hashtextextended('digestbot.chat:' || current_schema() || ':' || :chat, 0)"
_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired


class ChatLocks:
    def __init__(self, url: str, *, size: int) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=size, max_overflow=0, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
        )

    @asynccontextmanager
    async def hold(self, chat: str) -> AsyncIterator[bool]:
        """The chat's lock for the block (True), or False when it could not be had in time."""
        async with self.engine.connect() as connection:
            try:
                locked = await _lock(connection, chat)
            except BaseException:  # cancelled while waiting, or the connection broke
                await connection.invalidate()  # closing the session frees whatever it held
                raise
            try:
                yield locked
            finally:
                if locked:
                    await _unlock(connection, chat)

    async def close(self) -> None:
        await self.engine.dispose()


async def _lock(connection: AsyncConnection, chat: str) -> bool:
    await connection.execute(text(f"SET lock_timeout = '{WAIT_LIMIT_SECONDS}s'"))
    try:
        await connection.execute(text(f"SELECT pg_advisory_lock({_KEY})"), {"chat": chat})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        return False
    return True


async def _unlock(connection: AsyncConnection, chat: str) -> None:
    try:
        await connection.execute(text(f"SELECT pg_advisory_unlock({_KEY})"), {"chat": chat})
    except BaseException:
        await connection.invalidate()
        raise
