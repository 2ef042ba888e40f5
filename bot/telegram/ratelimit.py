"""Everything the bot sends to a chat, shared fairly between chats under Telegram's limits.

Why not PTB's `AIORateLimiter`: it lets requests through first come, first served, so one chat's
backlog (a user's flood of replies, an issue going out to a channel) holds the global 30/s
budget while every other chat waits behind it; a group waiting for its 20-a-minute slot does so
inside the global limiter and holds everyone up; a `RetryAfter` for one chat pauses every send;
and its leaky buckets let more than 20 messages into some 60-second windows of a group.
aiolimiter (its engine) has no notion of fairness between keys, so this limiter is written by
hand on PTB's extension point, `BaseRateLimiter`.

How it works:
- Each chat has a FIFO queue of requests. A dispatcher task lets requests go one at a time,
  taking chats in turn (round-robin), each at most one request in flight, so a chat's order and
  its count stay exact.
- A chat takes its turn only when its own window has room (groups and channels: 20 per 60 s;
  private chats: 20 per 20 s, Telegram's "about one a second, short bursts allowed"); a chat
  without room sleeps outside the rotation, so it never holds the global slot.
- The global window (30 per second, and ≥ 1/30 s between requests) paces all chats together.
- `RetryAfter` holds that chat only, for as long as Telegram asked (one log line, no traceback),
  and the request goes back to the head of its queue; after `max_retries` it is raised to the
  caller. Only 429s are retried: Telegram did not accept those, so nothing is ever sent twice.
- Fleet-wide (`shared`, on PostgreSQL): a request let go here still waits for this instance's
  next slot of the bot's shared budget (`core.pacing.SharedPace`), so all instances together
  keep 30/s while each keeps its own fairness. Per-chat windows stay per process: a chat's
  delivery is leased to one instance at a time, so only a reply from another instance could
  share its window, and a 429 for that chat holds only that chat.
- Paid broadcasts (`paid`): requests carrying `allow_paid_broadcast` go through a second
  limiter of the same kind at the paid rate (up to 1000/s), with its own shared budget, and
  never count against the free 30/s.
- Requests without a chat (getMe, answerCallbackQuery, setMyCommands) are not paced, as in
  `AIORateLimiter`. Idle chats are forgotten once their window empties: memory follows the
  chats active in the last minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.pacing import Window
from core.pacing import SharedPace

log = logging.getLogger(__name__)

ChatKey = int | str
Result = bool | dict[str, Any] | list[dict[str, Any]]
_NUMERIC = re.compile(r"-?[0-9]+")
SWEEP_EVERY = 60.0  # seconds between looks for idle chats to forget


@dataclass(frozen=True)
class Limits:
    overall: int = 30  # requests per second across all chats
    group: tuple[int, float] = (20, 60.0)  # per group or channel: (requests, seconds)
    private: tuple[int, float] = (20, 20.0)  # per private chat
    max_retries: int = 3  # after RetryAfter, per request (rate_limit_args overrides)
    # Seconds of spacing a late dispatcher may make up at once. 0: never closer than
    # 1/overall (the free 30/s); at 1000/s a busy event loop wakes every few milliseconds,
    # and letting one request go per wake-up would cap the rate at the wake-ups.
    catch_up: float = 0.0


@dataclass
class _Lane:
    """One chat: its waiting requests, its window, and whether it is in flight or scheduled."""

    window: Window
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)
    busy: bool = False  # a request of this chat has been let go and not answered
    scheduled: bool = False  # in the rotation, or sleeping until its window has room
    held_until: float = 0.0  # Telegram's RetryAfter for this chat

    def idle(self, now: float) -> bool:
        return (
            not (self.busy or self.scheduled or self.waiting)
            and self.held_until <= now
            and self.window.idle(now)
        )


def chat_key(chat_id: object) -> ChatKey | None:
    """The chat a request goes to: an int id, or "@channel" (lower-case); None: no chat."""
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id:
        return int(chat_id) if _NUMERIC.fullmatch(chat_id) else chat_id.lower()
    return None


def is_group(key: ChatKey) -> bool:
    """Negative ids are groups and channels; "@name" only works for channels and supergroups."""
    return isinstance(key, str) or key < 0


class FairRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedPace | None = None,
        paid: FairRateLimiter | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.shared = shared  # the fleet's budget, awaited after our own turn
        self.paid = paid  # for requests with allow_paid_broadcast
        self._overall = Window(self.limits.overall, 1.0)
        self._spacing = 1.0 / self.limits.overall
        self._next_start = -math.inf  # the earliest the next request may go
        self._lanes: dict[ChatKey, _Lane] = {}
        self._ring: deque[ChatKey] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._swept = 0.0

    async def initialize(self) -> None:
        """Nothing to do: the dispatcher starts with the first request, in its event loop."""

    async def shutdown(self) -> None:
        if self.paid is not None:
            await self.paid.shutdown()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for lane in self._lanes.values():
            for waiter in lane.waiting:
                waiter.cancel()
        self._lanes.clear()
        self._ring.clear()

    @property
    def chats(self) -> int:
        """How many chats the limiter remembers (busy, waiting, or inside their window).
        (Not `__len__`: PTB tests `if bot.rate_limiter`, and an empty limiter would be falsy.)"""
        return len(self._lanes)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if self.paid is not None and data.get("allow_paid_broadcast"):
            return await self.paid.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        key = chat_key(data.get("chat_id"))
        if key is None:
            return await callback(*args, **kwargs)
        retries = self.limits.max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            async with self._turn(key, retry=attempt > 0):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    self._flooded(key, endpoint, error, attempt, retries)
            attempt += 1

    def _flooded(
        self, key: ChatKey, endpoint: str, error: RetryAfter, attempt: int, retries: int
    ) -> None:
        """Hold this chat for as long as Telegram asked; re-raise once retries are used up."""
        seconds = _seconds(error.retry_after)
        if attempt >= retries:
            log.warning(
                "telegram flood control: %s to %s refused after %d retries (retry after %.0f s)",
                endpoint, key, retries, seconds,
            )  # fmt: skip
            raise error
        log.warning(
            "telegram flood control: %s to %s retried in %.0f s (retry %d of %d)",
            endpoint, key, seconds, attempt + 1, retries,
        )  # fmt: skip
        lane = self._lanes[key]
        lane.held_until = max(lane.held_until, self.clock() + seconds)

    # -- a request's turn -------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _turn(self, key: ChatKey, *, retry: bool) -> AsyncIterator[None]:
        """Wait until this chat's request may go; a retry keeps its place at the head."""
        lane = self._lane(key)
        waiter = asyncio.get_running_loop().create_future()
        (lane.waiting.appendleft if retry else lane.waiting.append)(waiter)
        self._start_dispatcher()
        self._schedule(key)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # let go, then cancelled: give it back
                self._finish(key, lane)
            raise
        try:
            if self.shared is not None:
                await self.shared.wait_turn()
            yield
        finally:
            self._finish(key, lane)

    def _lane(self, key: ChatKey) -> _Lane:
        lane = self._lanes.get(key)
        if lane is None:
            limit, period = self.limits.group if is_group(key) else self.limits.private
            lane = self._lanes[key] = _Lane(Window(limit, period))
        return lane

    def _finish(self, key: ChatKey, lane: _Lane) -> None:
        now = self.clock()
        lane.window.end(now)
        self._overall.end(now)
        lane.busy = False
        self._schedule(key)
        self._wake.set()  # the global window may have room again

    # -- the dispatcher -----------------------------------------------------------------------

    def _start_dispatcher(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._dispatch(), name="telegram-rate-limiter")

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            wait = self._serve()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    def _serve(self) -> float | None:
        """Let go every request that may go now, chats in turn; how long until one more may
        (None: until something happens — a request arrives, is answered or a chat wakes)."""
        self._sweep(self.clock())
        while self._ring:
            now = self.clock()
            wait = max(self._overall.delay(now), self._next_start - now)
            if wait > 0:
                return None if math.isinf(wait) else wait
            self._take_turn(self._ring.popleft(), now)
        return None

    def _take_turn(self, key: ChatKey, now: float) -> None:
        lane = self._lanes[key]
        lane.scheduled = False
        while lane.waiting and lane.waiting[0].done():  # its caller was cancelled while waiting
            lane.waiting.popleft()
        if not lane.waiting:
            return
        room = max(lane.held_until - now, lane.window.delay(now))
        if room > 0:  # sleeps outside the rotation: the global slot goes to the next chat
            lane.scheduled = True
            asyncio.get_running_loop().call_later(room, self._wake_lane, key)
            return
        lane.busy = True
        lane.window.start()
        self._overall.start()
        self._next_start = max(self._next_start, now - self.limits.catch_up) + self._spacing
        lane.waiting.popleft().set_result(None)

    def _wake_lane(self, key: ChatKey) -> None:
        lane = self._lanes.get(key)
        if lane is not None:
            lane.scheduled = False
            self._schedule(key)

    def _schedule(self, key: ChatKey) -> None:
        """Into the rotation, at the back, if the chat has a request waiting and none in flight."""
        lane = self._lanes.get(key)
        if lane is None or lane.busy or lane.scheduled or not lane.waiting:
            return
        lane.scheduled = True
        self._ring.append(key)
        self._wake.set()

    def _sweep(self, now: float) -> None:
        if now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        for key in [k for k, lane in self._lanes.items() if lane.idle(now)]:
            del self._lanes[key]


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
