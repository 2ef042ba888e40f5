"""The daily LLM token budget (LLM_DAILY_TOKEN_BUDGET), with days counted in TIMEZONE.

Before a call the job reserves an estimate (prompt + the most the model may answer); after it,
the reservation is settled with the real usage. Tokens already stored today plus every open
reservation must fit, so concurrent calls cannot jointly overshoot the budget.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from core.tokens import estimate_tokens

__all__ = ["TokenBudget", "day_start", "estimate_tokens"]


def day_start(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """Midnight of the current local day, as an aware UTC datetime."""
    local = (now or datetime.now(UTC)).astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(UTC)


class TokenBudget:
    """Not thread-safe; one asyncio loop owns it (no await between check and update)."""

    def __init__(self, *, limit: int, used_today: int) -> None:
        self.limit = limit
        self.used = used_today
        self.reserved = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used - self.reserved)

    def try_reserve(self, tokens: int) -> bool:
        if tokens > self.remaining:
            return False
        self.reserved += tokens
        return True

    def settle(self, reserved: int, actual: int) -> None:
        """Release a reservation and count what the call really used."""
        self.reserved = max(0, self.reserved - reserved)
        self.used += actual
