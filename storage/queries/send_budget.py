"""Fleet-wide send pacing and the paid-broadcast counter, in the shared PostgreSQL database.

`reserve` is GCRA as a reservation ("next free slot"): one atomic single-row UPDATE moves the
budget's `next_at` past `count` slots `interval` apart and answers when the first of them is
and how long the caller must wait for it, measured on the database's clock, so instances never
compare their own clocks. `burst` lets an idle budget start up to `burst` seconds in the past
(Telegram tolerates short bursts); 0 means strict spacing. Rows are created on first use.

`take_paid` reserves up to `count` paid messages of an issue under its cap (the counter row
locked for the transaction, so concurrent runs never grant past the cap); `give_back_paid`
returns the ones a run reserved and did not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Issue
from storage.models_limits import PaidBroadcast, SendBudget


@dataclass(frozen=True)
class Reservation:
    first_at: float  # the first reserved slot, epoch seconds on the database's clock
    wait: float  # seconds from now until then (≤ 0: go now)


# One statement, one row lock held for microseconds; `clock` is read once so the answer and the
# new slot agree.
_RESERVE = text(
    """
    UPDATE send_budget SET next_at = greatest(next_at, clock.now - :burst) + :span
    FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) AS clock
    WHERE key = :key
    RETURNING next_at - :span, clock.now
    """
)


async def reserve(
    db: Database, *, key: str, interval: float, count: int = 1, burst: float = 0.0
) -> Reservation:
    """Reserve `count` slots of budget `key`, `interval` apart. PostgreSQL only (it reads the
    server's clock). Autocommit: the row is locked for the statement alone, not for the
    round trips of a transaction, so instances never queue behind each other's network."""
    params = {"key": key, "burst": burst, "span": count * interval}
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        row = (await conn.execute(_RESERVE, params)).one_or_none()
        if row is None:  # the budget's first use
            await conn.execute(
                postgresql.insert(SendBudget).values(key=key, next_at=0.0).on_conflict_do_nothing()
            )
            row = (await conn.execute(_RESERVE, params)).one()
    first, now = row
    return Reservation(first_at=float(first), wait=float(first) - float(now))


async def take_paid(
    session: AsyncSession, *, issue_id: int, platform: str, count: int, cap: int
) -> int:
    """Reserve up to `count` paid messages under the issue's `cap`; how many were granted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(PaidBroadcast)
        .values(issue_id=issue_id, platform=platform, used=0)
        .on_conflict_do_nothing()
    )
    row = PaidBroadcast.issue_id == issue_id, PaidBroadcast.platform == platform
    before = await session.scalar(select(PaidBroadcast.used).where(*row).with_for_update())
    granted = max(0, min(count, cap - int(before or 0)))
    if granted:
        await session.execute(
            update(PaidBroadcast).where(*row).values(used=PaidBroadcast.used + granted)
        )
    return granted


async def give_back_paid(
    session: AsyncSession, *, issue_id: int, platform: str, count: int
) -> None:
    """Return `count` reserved paid messages that were not sent."""
    if count > 0:
        await session.execute(
            update(PaidBroadcast)
            .where(PaidBroadcast.issue_id == issue_id, PaidBroadcast.platform == platform)
            .values(used=PaidBroadcast.used - count)
        )


async def paid_used(session: AsyncSession, *, issue_id: int, platform: str) -> int:
    """Paid messages the issue used on `platform` (all runs, all instances)."""
    query = select(PaidBroadcast.used).where(
        PaidBroadcast.issue_id == issue_id, PaidBroadcast.platform == platform
    )
    return int(await session.scalar(query) or 0)


async def paid_since(session: AsyncSession, *, since: datetime) -> int:
    """Paid messages used by the issues published since `since` (e.g. today, for /stats)."""
    query = (
        select(func.coalesce(func.sum(PaidBroadcast.used), 0))
        .join(Issue, Issue.id == PaidBroadcast.issue_id)
        .where(Issue.published_at >= since)
    )
    return int(await session.scalar(query) or 0)
