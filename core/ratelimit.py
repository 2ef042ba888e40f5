"""Per-user flood protection for expensive commands (/paper, /search): a token bucket per key.

`RateLimiter` keeps its buckets in memory, per process: right for one instance (SQLite), where
a restart forgetting who was throttled is harmless. Idle keys are forgotten once the table
grows, so memory stays bounded. Several instances on one PostgreSQL share their buckets through
a `BucketStore` instead (`core.services.shared_buckets`); both use `take` for the arithmetic.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from domain.errors import RateLimited


def take(
    tokens: float, elapsed: float, *, capacity: float, refill_per_second: float
) -> tuple[float, float]:
    """One call from a bucket holding `tokens` `elapsed` seconds ago: (tokens left, seconds to
    wait); the wait is 0 when the call was allowed (and one token taken)."""
    tokens = min(capacity, tokens + max(0.0, elapsed) * refill_per_second)
    if tokens >= 1:
        return tokens - 1, 0.0
    return tokens, (1 - tokens) / refill_per_second


class BucketStore(Protocol):
    """Buckets kept outside the process (shared by instances): take one call from `key`'s."""

    async def wait_seconds(self, key: str, *, capacity: float, refill_per_second: float) -> float:
        """0 when the call was allowed, else seconds until one is."""
        ...


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
        store: BucketStore | None = None,
        name: str = "limit",
    ) -> None:
        if rate < 1 or per_seconds <= 0 or (burst is not None and burst < 1):
            raise ValueError("rate and burst must be ≥ 1 and per_seconds > 0")
        self.capacity = float(burst if burst is not None else rate)
        self.refill_per_second = rate / per_seconds
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self.store, self.name = store, name  # shared buckets (several instances), keyed by name

    def wait_seconds(self, key: str) -> float:
        """Take one call for `key` and return 0, or return how long until one is allowed."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(tokens=self.capacity, at=now)
        bucket.tokens, wait = take(
            bucket.tokens, now - bucket.at,
            capacity=self.capacity, refill_per_second=self.refill_per_second,
        )  # fmt: skip
        bucket.at = now
        return wait

    def check(self, key: str) -> None:
        """Take one call for `key`, or raise RateLimited saying how many seconds to wait."""
        _refuse_after(self.wait_seconds(key))

    async def spend(self, key: str) -> None:
        """`check`, from the shared store when there is one (else in memory)."""
        if self.store is None:
            self.check(key)
            return
        capacity, refill = self.capacity, self.refill_per_second
        shared = f"{self.name}|{key}"
        wait = await self.store.wait_seconds(shared, capacity=capacity, refill_per_second=refill)
        _refuse_after(wait)

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


def _refuse_after(wait: float) -> None:
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            f"Too many requests; try again in {seconds} s",
            zh=f"太快了，请 {seconds} 秒后再试",
            retry_after=seconds,
        )
