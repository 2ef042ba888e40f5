"""Pacing per robot: at most N messages in any sliding window (WeCom: 20 per minute).

A leaky bucket such as aiolimiter's `AsyncLimiter(20, 60)` lets a full burst through and then
keeps dripping, so some 60-second windows see up to 39 messages and the robot answers 45009.
A sliding window of send times never exceeds the limit in any window and still lets a typical
issue (a handful of messages) go out at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingWindow:
    """`async with window:` waits until one more message keeps the last `period` s within limit."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self._lock.acquire()  # one message in flight per robot: order and count stay exact
        try:
            await self._wait_for_room()
        except BaseException:
            self._lock.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._sent.append(time.monotonic())  # a failed request may still count at WeCom
        self._lock.release()

    async def _wait_for_room(self) -> None:
        while True:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self.period:
                self._sent.popleft()
            if len(self._sent) < self.limit:
                return
            await asyncio.sleep(self._sent[0] + self.period - now)
