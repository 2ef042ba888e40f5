"""Waiting for the bot: async (for pytest-asyncio tests) and blocking twins (for threads).

A wait registers a predicate that the fake evaluates under its lock after every change (a
request answered, an update pushed), so it returns as soon as the bot has acted — no polling
and no sleeps. On timeout the error lists what the chat received and the recent errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tests.fakes.telegram_state import Call, FakeChat, FakeUser, SentMessage

if TYPE_CHECKING:
    from tests.fakes.telegram_api import BotApi

T = TypeVar("T")
ChatRef = int | FakeUser | FakeChat


def chat_id_of(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else chat.id


class Waits:
    """Mixed into FakeTelegram."""

    api: BotApi
    _last_push: dict[int, int]
    sent: Callable[..., list[SentMessage]]
    calls: Callable[..., list[Call]]
    errors: list[Call]

    def _since(self, chat: ChatRef | None, since: int | None) -> int:
        if since is not None:
            return since
        if chat is None:
            return max(self._last_push.values(), default=0)
        return self._last_push.get(chat_id_of(chat), 0)

    def _new_messages(self, chat: ChatRef, count: int, since: int | None) -> Callable:
        chat_id, start = chat_id_of(chat), self._since(chat, since)

        def ready() -> list[SentMessage] | None:
            found = [
                m
                for m in self.api.messages.get(chat_id, {}).values()
                if m.from_bot and m.seq > start
            ]
            return found if len(found) >= count else None

        return ready

    def _new_edits(self, chat: ChatRef, count: int, since: int | None) -> Callable:
        chat_id, start = chat_id_of(chat), self._since(chat, since)

        def ready() -> list[SentMessage] | None:
            found = [
                m for m in self.api.messages.get(chat_id, {}).values() if (m.edit_seq or 0) > start
            ]
            return found if len(found) >= count else None

        return ready

    def _new_calls(self, method: str, count: int, since: int | None) -> Callable:
        start = self._since(None, since)

        def ready() -> list[Call] | None:
            found = [c for c in self.api.calls if c.method == method and c.seq > start]
            return found if len(found) >= count else None

        return ready

    async def wait_for_sent(
        self,
        chat: ChatRef,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[SentMessage]:
        """The bot's messages sent to `chat` since the user's last update there (or `since`),
        once there are at least `count` of them (deleted ones included)."""
        return await self.wait_until(self._new_messages(chat, count, since), timeout, chat)

    def wait_for_sent_sync(
        self, chat: ChatRef, count: int = 1, timeout: float = 5.0, since: int | None = None
    ) -> list[SentMessage]:
        return self.wait_until_sync(self._new_messages(chat, count, since), timeout, chat)

    async def wait_for_edits(
        self,
        chat: ChatRef,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[SentMessage]:
        """Messages in `chat` edited since the user's last update there (or `since`)."""
        return await self.wait_until(self._new_edits(chat, count, since), timeout, chat)

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[Call]:
        """Requests of `method` since the latest pushed update (or `since`), errors included."""
        return await self.wait_until(self._new_calls(method, count, since), timeout)

    def wait_for_calls_sync(
        self, method: str, count: int = 1, timeout: float = 5.0, since: int | None = None
    ) -> list[Call]:
        return self.wait_until_sync(self._new_calls(method, count, since), timeout)

    async def wait_for_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until a getUpdates long poll is waiting at the fake (the bot is polling)."""
        await self.wait_until(lambda: True if self.api.waiting_polls else None, timeout)

    async def wait_until(
        self,
        ready: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        chat: ChatRef | None = None,
    ) -> T:
        """Wait (without blocking the event loop) until `ready()` returns non-None; it runs
        under the fake's lock on every change."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def check() -> None:
            value = ready()
            if value is not None and not future.done():
                loop.call_soon_threadsafe(_resolve, future, value)

        with self.api.lock:
            value = ready()
            if value is not None:
                return value
            self.api.listeners.append(check)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(self._timeout_report(timeout, chat)) from None
        finally:
            with self.api.lock:
                self.api.listeners.remove(check)

    def wait_until_sync(
        self, ready: Callable[[], T | None], timeout: float = 5.0, chat: ChatRef | None = None
    ) -> T:
        box: list[T] = []
        with self.api.changed:

            def done() -> bool:
                value = ready()
                if value is not None:
                    box.append(value)
                return value is not None

            if not self.api.changed.wait_for(done, timeout):
                raise TimeoutError(self._timeout_report(timeout, chat))
        return box[-1]

    def _timeout_report(self, timeout: float, chat: ChatRef | None) -> str:
        lines = [f"nothing matching after {timeout} s."]
        if chat is not None:
            lines.append(f"sent to {chat_id_of(chat)}: {[m.text[:80] for m in self.sent(chat)]}")
        lines.append(f"recent errors: {[(c.method, c.description) for c in self.errors[-5:]]}")
        lines.append(f"recent calls: {[c.method for c in self.calls()[-10:]]}")
        return " ".join(lines)


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)
