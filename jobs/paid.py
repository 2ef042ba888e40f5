"""How many more parts of an issue may go out as paid broadcasts (TELEGRAM_PAID_MAX_MESSAGES).

The cap is per issue and counted in the database (`storage.queries.send_budget.take_paid`), so
it holds across instances and restarts. Each run draws paid messages from it a chunk at a time
(one round trip per `CHUNK`, not per message) and gives back what it did not use when it ends;
a run that is killed keeps its unused chunk counted, so the cap is never exceeded and the
count overstates by at most `CHUNK` per killed run. Once the database grants nothing more the
run sends the rest at the free rate.
"""

from __future__ import annotations

import asyncio

from storage.db import Database
from storage.queries import send_budget

CHUNK = 50


class PaidAllowance:
    def __init__(self, db: Database, *, issue_id: int, platform: str, cap: int) -> None:
        self.db, self.issue_id, self.platform, self.cap = db, issue_id, platform, cap
        self.used = 0  # paid parts this run had accepted
        self._held = 0  # drawn from the cap, not used yet
        self._exhausted = cap <= 0
        self._lock = asyncio.Lock()

    @property
    def exhausted(self) -> bool:
        """The database granted nothing more: the rest goes at the free rate."""
        return self._exhausted and not self._held

    async def take(self) -> bool:
        """One paid message, if the cap still allows one (then `used()` or `put_back()`)."""
        async with self._lock:
            if not self._held and not self._exhausted:
                async with self.db.session() as session:
                    self._held = await send_budget.take_paid(
                        session, issue_id=self.issue_id, platform=self.platform,
                        count=CHUNK, cap=self.cap,
                    )  # fmt: skip
                self._exhausted = self._held == 0
            if not self._held:
                return False
            self._held -= 1
            return True

    def spent(self) -> None:
        """The paid message was accepted."""
        self.used += 1

    def put_back(self) -> None:
        """The paid message was not sent after all (refused, blocked, interrupted)."""
        self._held += 1

    async def close(self) -> None:
        """Give back what this run drew and did not use."""
        async with self._lock:
            held, self._held = self._held, 0
        if held:
            async with self.db.session() as session:
                await send_budget.give_back_paid(
                    session, issue_id=self.issue_id, platform=self.platform, count=held
                )
