"""Per-user flood protection for expensive commands (/paper, /search): a token bucket per key.

In memory and per process: the bot is one process, and a restart forgetting who was throttled
is harmless. Idle keys are forgotten once the table grows, so memory stays bounded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Allow `rate` calls per `per_seconds` per key, in bursts of up to `burst` (default rate)."""

    def __init__(
        self,
        rate: int,
        per_seconds: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if rate < 1 or per_seconds <= 0 or (burst is not None and burst < 1):
            raise ValueError("rate and burst must be ≥ 1 and per_seconds > 0")
        self.capacity = float(burst if burst is not None else rate)
        self.refill_per_second = rate / per_seconds
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def wait_seconds(self, key: str) -> float:
        """Take one call for `key` and return 0, or return how long until one is allowed."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(tokens=self.capacity, at=now)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.at) * self.refill_per_second
        )
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.refill_per_second

    def check(self, key: str) -> None:
        """Take one call for `key`, or raise RateLimited saying how many seconds to wait."""
        wait = self.wait_seconds(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"Too many requests; try again in {seconds} s",
                zh=f"太快了，请 {seconds} 秒后再试",
                retry_after=seconds,
            )

    def _forget_idle(self, now: float) -> None:
        # A key whose bucket has refilled is indistinguishable from a new one: drop it.
        if len(self._buckets) < self.max_keys:
            return
        full = self.capacity / self.refill_per_second
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < full}
        while len(self._buckets) >= self.max_keys:  # all busy: drop the oldest
            del self._buckets[next(iter(self._buckets))]

    def __len__(self) -> int:
        return len(self._buckets)
