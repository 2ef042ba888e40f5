"""Per-user command budgets shared by every instance on one PostgreSQL.

Why the database rather than Redis (or the `limits` library on Redis): the instances already
share PostgreSQL and every command already talks to it, so a bucket row costs one short
transaction (~1 ms on a LAN) and no new service to run, secure and monitor; budgets refill
in tens of seconds, so there is nothing here a cache would do better. A single instance (SQLite)
keeps the in-memory buckets (`core.ratelimit.RateLimiter`), which need no round trip at all.

Time is wall-clock epoch seconds (instances share it; a monotonic clock is per machine). A
bucket idle for `FORGET_AFTER` is deleted now and then: it would have refilled anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.ratelimit import BucketStore, take
from storage.db import Database
from storage.queries import budgets

FORGET_AFTER = 3600.0  # seconds: far above any budget's refill time
PRUNE_EVERY = 600.0


class DatabaseBuckets:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db, self.clock = db, clock
        self._pruned = -PRUNE_EVERY

    async def wait_seconds(self, key: str, *, capacity: float, refill_per_second: float) -> float:
        now = self.clock()
        async with self.db.session() as session:
            tokens, at = await budgets.lock_bucket(session, key=key, full=capacity, now=now)
            left, wait = take(tokens, now - at, capacity=capacity,
                              refill_per_second=refill_per_second)  # fmt: skip
            await budgets.save_bucket(session, key=key, tokens=left, at=now)
            if now - self._pruned >= PRUNE_EVERY:
                self._pruned = now
                await budgets.forget_idle(session, before=now - FORGET_AFTER)
        return wait


def shared_buckets(db: Database) -> BucketStore | None:
    """The shared store on PostgreSQL; None on SQLite (one instance: buckets in memory)."""
    return None if db.is_sqlite else DatabaseBuckets(db)
