"""Sliding windows for the fair rate limiter: at most `limit` requests in any `period` seconds.

A request counts from the moment it is let go until `period` after Telegram answered it. The
answer comes after Telegram saw the request, so however the network delays one request and
hurries the next, no `period`-long window at Telegram's end ever holds more than `limit` of
ours. (A leaky bucket, as in aiolimiter, lets a full burst through and then keeps dripping: a
60-second window can see 39 messages to a group capped at 20.)
"""

from __future__ import annotations

import math
from collections import deque


class Window:
    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a window needs limit ≥ 1 and period > 0")
        self.limit, self.period = limit, period
        self.open = 0  # let go, not answered yet
        self._ends: deque[float] = deque()  # when answered requests were answered, oldest first

    def delay(self, now: float) -> float:
        """0 when one more request fits now; else seconds until one may (inf: until an answer)."""
        self._expire(now)
        if self.open + len(self._ends) < self.limit:
            return 0.0
        if not self._ends:
            return math.inf
        return self._ends[0] + self.period - now

    def start(self) -> None:
        self.open += 1

    def end(self, now: float) -> None:
        self.open -= 1
        self._ends.append(now)

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing left to remember: the window may be forgotten."""
        self._expire(now)
        return self.open == 0 and not self._ends

    def _expire(self, now: float) -> None:
        while self._ends and now - self._ends[0] >= self.period:
            self._ends.popleft()
