"""What a front end's rate limiter needs from a budget shared with other instances.

`core.services.send_budget.FleetPacer` implements it on PostgreSQL; the Telegram limiter
(`bot.telegram.ratelimit`) awaits `wait_turn()` before each request it lets go, so the fleet as
a whole keeps Telegram's limits while each process keeps its own fairness between chats.
"""

from __future__ import annotations

from typing import Protocol


class SharedPace(Protocol):
    async def wait_turn(self) -> None:
        """Return when this instance's next slot of the shared budget has come."""
        ...
