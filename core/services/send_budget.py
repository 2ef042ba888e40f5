"""One send budget for the whole fleet: every instance paces its sends on shared slots.

Telegram limits the bot, not a process: two `digestbot publish` processes each pacing itself
to 30 messages/s earn 429s together. On PostgreSQL every instance therefore reserves its send
slots from one row per budget (`storage.queries.send_budget.reserve`: GCRA as a "next free
slot" reservation, measured on the database's clock) and sleeps until its slot. At high rates
(paid broadcasts, up to 1000/s) one round trip reserves a few slots (`BATCH_SECONDS` worth).

Why by hand: `limits` 5.8 (memory, Redis, Memcached, MongoDB storages; fixed, moving and
sliding windows) answers "is this hit allowed?" and leaves the waiting to the caller, who then
polls; aiolimiter is in-process only. Neither hands out future slots, which is what pacing
several processes without 429s or busy polling needs. Why
PostgreSQL and not Redis: the instances of a fleet already share the PostgreSQL database (the
ledger's leases need it); one single-row UPDATE per reservation costs well under a
millisecond and adds no service to run. One SQLite file is one instance (`cli.instance_lock`),
so SQLite keeps the in-process limiter alone (`fleet_pacer` answers None).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database
from storage.queries import send_budget

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.02  # slots reserved per round trip: 20 ms worth (1 at 30/s, 20 at 1000/s)
# A slot we come to this late is still used; later ones are dropped (the fleet moved on). A
# late send bunches up with the next instance's on-time one at Telegram's end, so this bounds
# the jitter the budget's headroom has to absorb (see `FREE_RATE` in bot/telegram/app.py).
LATE = 0.015
# A slot we wake up at this late is given up and a new one reserved. Without this check, an
# instance the OS stopped for a moment (a loaded machine, a GC pause) woke up with every
# worker's slot long past and sent them all at once: a burst Telegram answers with 429. Longer
# than LATE: a sleep often ends a few tens of ms late on a busy machine, and each slot given up
# is lost to the whole fleet; 0.1 s lets at most ~3 of the fleet's slots bunch up.
WOKE_LATE = 0.1
# Slots given up per send: an instance that wakes up late every time (overloaded) still sends,
# at worst every MAX_MISSES + 1 reservations, rather than never.
MAX_MISSES = 3


class FleetPacer:
    """`wait_turn()` returns at this instance's next slot of budget `key` (`rate` per second)."""

    def __init__(self, db: Database, key: str, rate: float, *, late: float = LATE) -> None:
        self.db, self.key = db, key
        self.interval = 1.0 / rate
        self.late = late  # how late a reserved slot may still be used
        self.batch = max(1, round(rate * BATCH_SECONDS))
        self._slots: deque[float] = deque()  # reserved, as time.monotonic() instants
        self._lock = asyncio.Lock()
        self._failing = False
        self.missed = 0  # slots given up because this instance woke up too late for them

    async def wait_turn(self) -> None:
        for missed in range(MAX_MISSES + 1):
            slot = await self._next_slot()
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.monotonic() - slot <= max(self.late, WOKE_LATE) or missed == MAX_MISSES:
                return
            self.missed += 1  # woke up too late: the slot is another instance's time by now

    async def _next_slot(self) -> float:
        async with self._lock:
            now = time.monotonic()
            while self._slots and self._slots[0] < now - self.late:
                self._slots.popleft()  # unused for too long: another instance's time by now
            if not self._slots:
                await self._reserve(now)
            return self._slots.popleft()

    async def _reserve(self, now: float) -> None:
        try:
            reservation = await send_budget.reserve(
                self.db, key=self.key, interval=self.interval, count=self.batch
            )
        except (SQLAlchemyError, OSError) as exc:  # the database is away: pace locally
            if not self._failing:
                log.warning("shared send budget %s unavailable (%s): pacing locally",
                            self.key, type(exc).__name__)  # fmt: skip
            self._failing = True
            self._slots.append(now + self.interval)
            return
        self._failing = False
        first = time.monotonic() + reservation.wait
        self._slots.extend(first + i * self.interval for i in range(self.batch))


def fleet_pacer(db: Database, key: str, rate: float, *, late: float = LATE) -> FleetPacer | None:
    """A shared pacer on PostgreSQL; None on SQLite (one instance: the local limiter is enough)."""
    return None if db.is_sqlite else FleetPacer(db, key, rate, late=late)
