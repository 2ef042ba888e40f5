"""Every command and button has a per-user budget: the one table, and the book-keeping.

Why every command, not only the expensive ones: /latest and /issue answer with several messages
each and /help with a long one, so a user repeating any command fills the send queues and the
workers other users need. Why answer a refusal only once: a flood must not earn a flood of
"slow down" messages; the first refusal says how long to wait, and what comes before that wait
is over is dropped without an answer.

Budgets are per (platform, user id) — identity is the pair, so a WeChat openid never spends a
Telegram user's budget — and per command, in token buckets (`core.ratelimit.RateLimiter`,
bounded memory). `bot.commands.dispatch` spends them before doing any work for the command.
Several instances on one PostgreSQL share the buckets (`store`, see
`core.services.shared_buckets`), so a user's budget is the same whichever instance answers;
which refusals were already told stays per instance (at most one "slow down" per instance).
/paper's on-demand fetch keeps its own, stricter budget (`Deps.paper_limiter`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.commands.reply import Caller
from core.ratelimit import BucketStore, RateLimiter


@dataclass(frozen=True)
class Limit:
    burst: int  # this many at once…
    per_minute: int  # …then this many a minute


# Multi-message answers (/latest, /issue, the issue button) get the smallest budgets.
COMMAND_BUDGETS: dict[str, Limit] = {
    "start": Limit(3, 6),
    "stop": Limit(3, 6),
    "subscribe": Limit(5, 10),
    "unsubscribe": Limit(5, 10),
    "mysubs": Limit(5, 10),
    "topics": Limit(3, 6),
    "settings": Limit(5, 10),
    "help": Limit(3, 6),
    "latest": Limit(2, 4),
    "issue": Limit(3, 6),
    "issues": Limit(5, 10),
    "search": Limit(5, 10),
    "paper": Limit(3, 6),
    "saved": Limit(5, 10),
    "similar": Limit(3, 6),  # scans the archive's vectors
    "forget": Limit(3, 6),
    # Admin commands (non-admins are refused, but refusing costs a message too). Editors retry
    # and correct themselves in bursts; the jobs behind them allow one run at a time anyway.
    "review": Limit(10, 30),
    "approve": Limit(10, 30),
    "reject": Limit(10, 30),
    "edit": Limit(10, 30),
    "publish": Limit(10, 30),
    "fetch": Limit(10, 30),
    "compose": Limit(10, 30),
    "stats": Limit(10, 30),
    "broadcast": Limit(10, 30),
}
UNKNOWN_COMMAND = Limit(5, 10)  # any name not in the table, typos included: one budget

ACTION_BUDGETS: dict[str, Limit] = {
    "unsub": Limit(10, 30),
    "sub": Limit(10, 30),
    "set": Limit(10, 30),
    "issue": Limit(3, 6),
    "issues": Limit(10, 30),
    "search": Limit(10, 30),
    "fb": Limit(20, 60),  # 👍 👎 ⭐: a reader going down a list taps fast
    "sim": Limit(3, 6),
    "saved": Limit(10, 30),
    "unsave": Limit(10, 30),
    "forget": Limit(3, 6),
    "mark": Limit(10, 30),  # WeChat's typed 赞 3 / 收藏 3
    # Admins' buttons (literal names: bot.commands.context imports this module, so it cannot
    # import the admin commands; a test checks the table against the registry).
    "rvp": Limit(20, 60),  # the draft preview: page, include, move, approve, reject
    "rvi": Limit(20, 60),
    "rvm": Limit(20, 60),
    "rva": Limit(5, 10),
    "rvr": Limit(5, 10),
    "bc": Limit(5, 10),  # broadcast Confirm / Cancel
}
UNKNOWN_ACTION = Limit(10, 30)


@dataclass(frozen=True)
class Refusal:
    seconds: int  # until the command is allowed again
    tell: bool  # the first refusal of a wait is answered; the rest are dropped


class Budgets:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
        store: BucketStore | None = None,
    ) -> None:
        self.clock, self.max_keys, self.store = clock, max_keys, store
        self._buckets: dict[str, RateLimiter] = {}
        self._told: dict[str, float] = {}  # user and budget -> when the told wait ends

    async def spend_command(self, caller: Caller, name: str) -> Refusal | None:
        if name in COMMAND_BUDGETS:
            return await self._spend(caller, f"/{name}", COMMAND_BUDGETS[name])
        return await self._spend(caller, "/?", UNKNOWN_COMMAND)

    async def spend_action(self, caller: Caller, action: str) -> Refusal | None:
        if action in ACTION_BUDGETS:
            return await self._spend(caller, f"button:{action}", ACTION_BUDGETS[action])
        return await self._spend(caller, "button:?", UNKNOWN_ACTION)

    async def _spend(self, caller: Caller, budget: str, limit: Limit) -> Refusal | None:
        """None when allowed (one unit spent); else how long to wait, and whether to say so."""
        key = f"{caller.platform}:{caller.user_id}"
        wait = await self._wait(budget, limit, key)
        if wait <= 0:
            return None
        now, told = self.clock(), f"{budget}|{key}"
        if self._told.get(told, -math.inf) > now:
            return Refusal(math.ceil(wait), tell=False)
        self._forget_told(now)
        self._told[told] = now + wait
        return Refusal(max(1, math.ceil(wait)), tell=True)

    async def _wait(self, budget: str, limit: Limit, key: str) -> float:
        if self.store is None:
            return self._bucket(budget, limit).wait_seconds(key)
        return await self.store.wait_seconds(
            f"{budget}|{key}", capacity=limit.burst, refill_per_second=limit.per_minute / 60
        )

    def _bucket(self, budget: str, limit: Limit) -> RateLimiter:
        bucket = self._buckets.get(budget)
        if bucket is None:
            bucket = self._buckets[budget] = RateLimiter(
                rate=limit.per_minute, per_seconds=60, burst=limit.burst,
                clock=self.clock, max_keys=self.max_keys,
            )  # fmt: skip
        return bucket

    def _forget_told(self, now: float) -> None:
        if len(self._told) >= self.max_keys:
            self._told = {k: until for k, until in self._told.items() if until > now}
