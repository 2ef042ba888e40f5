"""Token buckets in the database, so every instance on one PostgreSQL spends the same budget.

Rows only: the arithmetic (refill, take) is `core.ratelimit`'s. `lock_bucket` creates a missing
bucket full and locks the row for the transaction (SELECT … FOR UPDATE on PostgreSQL; SQLite
locks the whole file on the first write anyway), so two instances taking from one bucket at the
same instant take in turn and neither sees a stale count.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_limits import CommandBudget


async def lock_bucket(
    session: AsyncSession, *, key: str, full: float, now: float
) -> tuple[float, float]:
    """(tokens, epoch seconds of the last refill) of `key`'s bucket, locked until commit."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(CommandBudget)
        .values(key=key, tokens=full, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = (
        await session.execute(
            select(CommandBudget.tokens, CommandBudget.at)
            .where(CommandBudget.key == key)
            .with_for_update()
        )
    ).one()
    return float(row.tokens), float(row.at)


async def save_bucket(session: AsyncSession, *, key: str, tokens: float, at: float) -> None:
    await session.execute(
        update(CommandBudget).where(CommandBudget.key == key).values(tokens=tokens, at=at)
    )


async def forget_idle(session: AsyncSession, *, before: float) -> int:
    """Drop buckets untouched since `before` (refilled long ago: the same as a new one)."""
    result = await session.execute(delete(CommandBudget).where(CommandBudget.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
