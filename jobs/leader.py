"""One leader runs the schedule: several instances on one PostgreSQL work as one bot.

Every instance runs `leading(db, build)`. On PostgreSQL each keeps one connection of its own
(`Database.pinned_session`) and tries the leader lock on it (`storage.queries.leader`); the one
that holds it builds a fresh scheduler with `build()` and runs it (`scheduler_running`, which
also runs the fire times missed while nobody led: `jobs.missed`). The others try again every
`RETRY_EVERY` seconds, so when the leader dies — its connection closes and PostgreSQL frees the
lock — one of them leads within that, well under a minute.

The leader checks every `PING_EVERY` seconds that its connection still holds the lock (within
`PING_TIMEOUT`); a failure or a timeout means the lock may be gone, so it stops scheduling at
once (in-flight runs are cancelled and recorded) and goes back to trying. Each fire time runs
once even if two instances believed they led for a moment: see `job_runs.fire_time_holder`.

SQLite allows one `digestbot run` per file (`cli.instance_lock`), so that instance always leads.
One log line says when this instance becomes or stops being the leader; `is_leader()` answers
the same for health checks and metrics, and `digestbot check` names the leader's address.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from sqlalchemy.ext.asyncio import AsyncSession

from core import metrics
from jobs.context import describe_error
from jobs.scheduler import DigestScheduler, scheduler_running
from storage.db import Database
from storage.queries import leader

log = logging.getLogger(__name__)

RETRY_EVERY = 1.0  # seconds between a follower's tries (one cheap query each)
PING_EVERY = 10.0  # seconds between the leader's checks of its lock (< leader.IDLE_LIMIT)
PING_TIMEOUT = 5.0


_current: list[Leadership] = []  # the process's schedule, while `leading` runs it


def is_leader() -> bool | None:
    """Whether this process leads the schedule now; None when it runs no schedule at all."""
    return _current[-1].is_leader if _current else None


class Leadership:
    """Whether this instance leads now, and the scheduler it runs while it does."""

    def __init__(
        self,
        db: Database,
        build: Callable[[], DigestScheduler],
        *,
        retry_every: float = RETRY_EVERY,
        ping_every: float = PING_EVERY,
    ) -> None:
        self.db, self.build = db, build
        self.retry_every, self.ping_every = retry_every, ping_every
        self.scheduler: DigestScheduler | None = None
        self.changed = asyncio.Condition()  # notified on every change (tests, health)
        self.tried = asyncio.Event()  # the first try is over (led, or found a leader, or failed)

    @property
    def is_leader(self) -> bool:
        return self.scheduler is not None

    async def wait_until(self, leading: bool) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self.is_leader == leading)

    @asynccontextmanager
    async def _leading(self) -> AsyncIterator[DigestScheduler]:
        async with scheduler_running(self.build()) as scheduler:
            await self._set(scheduler)
            self.tried.set()
            log.info("leader: yes — this instance runs the schedule")
            try:
                yield scheduler
            finally:
                await self._set(None)

    async def _set(self, scheduler: DigestScheduler | None) -> None:
        async with self.changed:
            self.scheduler = scheduler
            metrics.SCHEDULE_LEADER.set(1 if scheduler is not None else 0)
            self.changed.notify_all()

    async def run_postgres(self) -> None:
        """Follow, lead while the lock holds, follow again; until cancelled."""
        while True:
            try:
                async with self.db.pinned_session() as pin:
                    await leader.prepare(pin)
                    await self._follow(pin)
                    async with self._leading():
                        reason = await self._hold(pin)
                    log.warning("leader: no — %s; this instance stopped scheduling", reason)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is unreachable: try again later
                log.warning("leader election: %s", describe_error(exc))
            self.tried.set()
            await asyncio.sleep(self.retry_every)

    async def _follow(self, pin: AsyncSession) -> None:
        while not await leader.try_lead(pin):
            self.tried.set()
            await asyncio.sleep(self.retry_every)

    async def _hold(self, pin: AsyncSession) -> str:
        """Until the lock is lost: why it was."""
        while True:
            await asyncio.sleep(self.ping_every)
            try:
                async with asyncio.timeout(PING_TIMEOUT):
                    if not await leader.still_leading(pin):
                        return "the leader lock is no longer held"
            except TimeoutError:
                return f"the database did not answer within {PING_TIMEOUT:g} s"
            except Exception as exc:
                return f"the leader's database connection failed ({describe_error(exc)})"


@asynccontextmanager
async def leading(
    db: Database, build: Callable[[], DigestScheduler], **options: float
) -> AsyncIterator[Leadership]:
    """The schedule, run by whichever instance leads, for the block. On PostgreSQL the first
    try has been made when the block starts (a lone instance leads at once)."""
    leadership = Leadership(db, build, **options)
    _current.append(leadership)
    try:
        async with _elected(leadership) as elected:
            yield elected
    finally:
        _current.remove(leadership)


@asynccontextmanager
async def _elected(leadership: Leadership) -> AsyncIterator[Leadership]:
    if leadership.db.is_sqlite:
        async with leadership._leading():
            yield leadership
        return
    task = asyncio.create_task(leadership.run_postgres())
    try:
        await leadership.tried.wait()
        if not leadership.is_leader:
            log.info("leader: no — another instance runs the schedule (or the database did "
                     "not answer); trying every %gs", leadership.retry_every)  # fmt: skip
        yield leadership
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
